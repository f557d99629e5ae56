package io.upgradebridge.sample;

import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.PerMessageDeflate;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;

import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * {@code /ws/echo}: the WebSocket echo on the WebSockets feature's default session. Compare it with
 * {@link EchoServlet}: the session answers pings, completes the close handshake, puts fragments together and
 * checks UTF-8 itself, so the handler only sends every message back, whole, with its type.
 *
 * <p>Its route {@linkplain Settings allows} permessage-deflate and messages (and frames) up to 16 MiB, so a
 * conformance suite can send its large messages. Declared by {@link SampleWebSockets} in the web.xml WAR and by
 * {@code io.upgradebridge.sample.annotations.EchoEndpoint} in the annotations WAR.
 */
public class EchoHandler implements WebSocketHandler {

    /** 16 MiB: the largest message (and frame) the echo takes. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;

    @Override
    public CompletionStage<?> handle(DefaultWebSocketSession session) {
        // the next message is received once the previous one is in the output buffer: bounded both ways
        return session.incoming().forEach(message -> session.send(message).thenApply(sent -> true));
    }

    /** The echo route's settings: the application's, with permessage-deflate and 16 MiB messages and frames. */
    public static final class Settings implements UnaryOperator<WebSocketSettings> {
        @Override
        public WebSocketSettings apply(WebSocketSettings settings) {
            return settings.withDeflate(PerMessageDeflate.ENABLED).withMaxFrameSize(MAX_SIZE).withMaxMessageSize(MAX_SIZE);
        }
    }
}
