package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@link IncomingFrames#forEach}: frames already waiting are handled in a loop on the caller's thread; a
 * receive that has to wait continues on the thread that completes it (the user executor), so the stack
 * stays flat and no thread waits. On the session's own inbox a receive waits without a stage (the loop is
 * the inbox's {@link FrameInbox.Receiver}): an idle session keeps no chain of futures.
 */
public final class ReceiveLoop implements FrameInbox.Receiver {

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
        if (incoming instanceof FrameInbox inbox) {
            inboxLoop(inbox);
            return;
        }
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
            if (!settleNow(step)) {
                return;
            }
        }
    }

    private void inboxLoop(FrameInbox inbox) {
        while (true) {
            Frame frame;
            try {
                frame = inbox.receiveOrWait(this);
            } catch (ClosedReceiveException e) {
                settle(null, e);
                return;
            }
            if (frame == null || !handled(frame)) {
                return; // received(...) or ended(...) goes on, or the handler's stage does
            }
        }
    }

    @Override
    public void received(Frame frame) {
        if (handled(frame)) {
            loop();
        }
    }

    @Override
    public void ended(ClosedReceiveException closed) {
        settle(null, closed);
    }

    /** Hands {@code frame} to the handler; whether to take the next frame now (else the handler's stage goes on). */
    private boolean handled(Frame frame) {
        CompletableFuture<Boolean> step = apply(frame);
        if (!step.isDone()) {
            step.whenComplete((goOn, error) -> {
                if (settle(goOn, error)) {
                    loop();
                }
            });
            return false;
        }
        return settleNow(step);
    }

    private boolean settleNow(CompletableFuture<Boolean> step) {
        Boolean goOn = null;
        Throwable error = null;
        try {
            goOn = step.join();
        } catch (CompletionException | CancellationException e) {
            error = e;
        }
        return settle(goOn, error);
    }

    /** The handler's answer as a future, as {@code thenCompose} would take it; a throw is a failed answer. */
    private CompletableFuture<Boolean> apply(Frame frame) {
        try {
            CompletionStage<Boolean> answered = handler.handle(frame);
            return answered != null ? answered.toCompletableFuture() : CompletableFuture.completedFuture(Boolean.TRUE);
        } catch (Throwable e) {
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
