package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/** The default session, running on top of a RAW session. */
public final class DefaultSession {

    private DefaultSession() {
    }

    /**
     * Runs {@code handler} with a default session over {@code raw}.
     *
     * @param raw the RAW session (its handler is this method)
     * @param protocol the negotiated subprotocol or {@code null}
     * @param deflate the permessage-deflate agreement, or {@code null} when not negotiated
     * @param timer schedules pings and timeouts; its tasks only hand work to executors, never block
     * @return completes when the session is over (close handshake done or timed out); the RAW session then
     *     flushes and the bridge closes TCP
     */
    public static CompletionStage<?> run(WebSocketSession raw, String protocol, WebSocketSettings settings,
                                         DeflateAgreement deflate, WebSocketHandler handler, ScheduledExecutorService timer) {
        throw new UnsupportedOperationException("default session: in progress");
    }
}
