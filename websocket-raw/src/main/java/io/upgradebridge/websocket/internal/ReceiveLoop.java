package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.websocket.ClosedReceiveException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The one {@code forEach} of the bridge's sessions (frames of the RAW session, frames and messages of the default
 * session): items already there are handled in a loop on the caller's thread; a receive that has to wait continues
 * on the thread that completes it (the user executor), so the stack stays flat and no thread waits. The loop is the
 * source's {@link Receiving.Receiver}: an idle session keeps no chain of futures.
 *
 * @param <T> what is received
 */
public final class ReceiveLoop<T> implements Receiving.Receiver<T> {

    /** Handles one item; the stage says whether to go on with the next one ({@code null}: go on). */
    @FunctionalInterface
    public interface Step<T> {
        CompletionStage<Boolean> handle(T item) throws Exception;
    }

    private final Receiving<T> source;
    private final Step<T> step;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private ReceiveLoop(Receiving<T> source, Step<T> step) {
        this.source = source;
        this.step = step;
    }

    /**
     * Hands every item of {@code source} to {@code step}, in order; the next one is received when the step's stage for
     * this one completes.
     *
     * @return a stage completing normally when a step said {@code false} or no more items come, exceptionally when a
     *     step threw or its stage failed
     */
    public static <T> CompletionStage<Void> run(Receiving<T> source, Step<T> step) {
        ReceiveLoop<T> loop = new ReceiveLoop<>(source, step);
        loop.loop();
        return loop.done;
    }

    private void loop() {
        while (true) {
            T item;
            try {
                item = source.receiveOrWait(this);
            } catch (ClosedReceiveException e) {
                settle(null, e);
                return;
            }
            if (item == null || !handled(item)) {
                return; // received(...) or ended(...) goes on, or the step's stage does
            }
        }
    }

    @Override
    public void received(T item) {
        if (handled(item)) {
            loop();
        }
    }

    @Override
    public void ended(ClosedReceiveException closed) {
        settle(null, closed);
    }

    /** Hands {@code item} to the step; whether to take the next item now (else the step's stage goes on). */
    private boolean handled(T item) {
        CompletableFuture<Boolean> answer = apply(item);
        if (!answer.isDone()) {
            answer.whenComplete((goOn, error) -> {
                if (settle(goOn, error)) {
                    loop();
                }
            });
            return false;
        }
        Boolean goOn = null;
        Throwable error = null;
        try {
            goOn = answer.join();
        } catch (CompletionException | CancellationException e) {
            error = e;
        }
        return settle(goOn, error);
    }

    /** The step's answer as a future; a throw is a failed answer. */
    private CompletableFuture<Boolean> apply(T item) {
        try {
            CompletionStage<Boolean> answered = step.handle(item);
            return answered != null ? answered.toCompletableFuture() : CompletableFuture.completedFuture(Boolean.TRUE);
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Ends the loop on {@code false}, the end of the items, or an error; returns whether to go on. */
    private boolean settle(Boolean goOn, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ClosedReceiveException) {
                done.complete(null); // nothing will come any more: the peer went away or the session ended
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
