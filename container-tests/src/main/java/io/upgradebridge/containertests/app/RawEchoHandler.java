package io.upgradebridge.containertests.app;

import io.upgradebridge.websocket.ClosedReceiveException;
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
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private RawEchoHandler(WebSocketSession session) {
        this.session = session;
    }

    static CompletionStage<Void> run(WebSocketSession session) {
        RawEchoHandler handler = new RawEchoHandler(session);
        handler.loop();
        return handler.done;
    }

    private void loop() {
        while (!done.isDone()) {
            CompletableFuture<Frame> next = session.incoming().receive().toCompletableFuture();
            if (!next.isDone()) {
                next.whenComplete((frame, error) -> {
                    if (error != null) {
                        ended(error);
                    } else if (answer(frame)) {
                        loop();
                    }
                });
                return;
            }
            Frame frame;
            try {
                frame = next.join();
            } catch (RuntimeException e) {
                ended(e.getCause() != null ? e.getCause() : e);
                return;
            }
            if (!answer(frame)) {
                return;
            }
        }
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
                session.close(reason != null ? reason : new CloseReason(CloseReason.Codes.NORMAL, ""))
                    .whenComplete((v, e) -> done.complete(null));
                return false;
            default:
                session.send(new Frame(frame.type(), frame.fin(), false, false, false, frame.data()));
                return true;
        }
    }

    private void ended(Throwable error) {
        if (error instanceof ClosedReceiveException) {
            done.complete(null); // the peer went away
        } else {
            done.completeExceptionally(error);
        }
    }
}
