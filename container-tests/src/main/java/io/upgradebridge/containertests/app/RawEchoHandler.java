package io.upgradebridge.containertests.app;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketSession;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A correct echo written on the RAW session, without blocking: answers pings with pongs, echoes text,
 * binary and continuation frames as they come (so fragmented messages come back fragmented the same
 * way), and completes the close handshake by hand (echoing the peer's close code).
 */
final class RawEchoHandler {

    private final WebSocketSession session;

    private RawEchoHandler(WebSocketSession session) {
        this.session = session;
    }

    /** The session ends when the peer's close is answered, or when the peer goes away. */
    static CompletionStage<Void> run(WebSocketSession session) {
        RawEchoHandler handler = new RawEchoHandler(session);
        return session.incoming().forEach(frame -> CompletableFuture.completedFuture(handler.answer(frame)));
    }

    /** Answers one frame; returns whether to go on. */
    private boolean answer(Frame frame) {
        switch (frame.type()) {
            case PING:
                session.send(Frame.pong(frame.data()));
                return true;
            case PONG:
                return true;
            case CLOSE:
                CloseReason reason = frame.closeReason();
                session.close(reason != null ? reason : new CloseReason(CloseReason.Codes.NORMAL, ""));
                return false; // the session flushes the close frame before it ends
            default:
                session.send(new Frame(frame.type(), frame.fin(), false, false, false, frame.data()));
                return true;
        }
    }
}
