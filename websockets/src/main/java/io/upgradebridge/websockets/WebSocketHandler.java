package io.upgradebridge.websockets;

import java.util.concurrent.CompletionStage;

/**
 * What a {@code webSocket(path, ...)} route runs for each session, on the user executor. The session closes
 * normally (1000) when the returned stage completes (or when the handler returns {@code null}); a handler that
 * throws or whose stage fails closes it with 1011.
 */
@FunctionalInterface
public interface WebSocketHandler {
    CompletionStage<?> handle(DefaultWebSocketSession session) throws Exception;
}
