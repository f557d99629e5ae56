package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@link IncomingFrames#forEach}: frames already waiting are handled in a loop on the caller's thread; a
 * receive that has to wait continues on the thread that completes it (the user executor), so the stack
 * stays flat and no thread waits.
 */
public final class ReceiveLoop {

    private final IncomingFrames incoming;
    private final IncomingFrames.FrameHandler handler;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private ReceiveLoop(IncomingFrames incoming, IncomingFrames.FrameHandler handler) {
        this.incoming = incoming;
        this.handler = handler;
    }

    public static CompletionStage<Void> run(IncomingFrames incoming, IncomingFrames.FrameHandler handler) {
        ReceiveLoop loop = new ReceiveLoop(incoming, handler);
        loop.loop();
        return loop.done;
    }

    private void loop() {
        while (true) {
            CompletableFuture<Boolean> step = incoming.receive().thenCompose(this::apply).toCompletableFuture();
            if (!step.isDone()) {
                step.whenComplete((goOn, error) -> {
                    if (settle(goOn, error)) {
                        loop();
                    }
                });
                return;
            }
            Boolean goOn = null;
            Throwable error = null;
            try {
                goOn = step.join();
            } catch (CompletionException e) {
                error = e;
            }
            if (!settle(goOn, error)) {
                return;
            }
        }
    }

    private CompletionStage<Boolean> apply(Frame frame) {
        try {
            CompletionStage<Boolean> answered = handler.handle(frame);
            return answered != null ? answered : CompletableFuture.completedFuture(Boolean.TRUE);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Ends the loop on {@code false}, the end of the frames, or an error; returns whether to go on. */
    private boolean settle(Boolean goOn, Throwable error) {
        if (error != null) {
            Throwable cause = io.upgradebridge.io.internal.Failures.unwrap(error);
            if (cause instanceof ClosedReceiveException) {
                done.complete(null); // no frame will come any more: the peer went away or the session ended
            } else {
                done.completeExceptionally(cause);
            }
            return false;
        }
        if (Boolean.FALSE.equals(goOn)) {
            done.complete(null);
            return false;
        }
        return true;
    }
}
