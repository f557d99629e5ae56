package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * What hands a session's items (frames, messages) to its handler one at a time: everything besides
 * {@link #receiveOrWait} is the same for all of them: {@link #receive()}, {@link #take()}, and {@code forEach}
 * through the one {@link ReceiveLoop}.
 *
 * @param <T> what is received
 */
public abstract class Receiving<T> {

    /** Told of the next item, or of the end, when a receive had to wait (on the session's user executor). */
    public interface Receiver<T> {
        void received(T item);

        void ended(ClosedReceiveException closed);
    }

    /**
     * The next item when one is there; else {@code null}, and {@code receiver} hears of the next item (or of the end)
     * later. One receive may wait at a time.
     *
     * @throws ClosedReceiveException when no more items will come
     * @throws IllegalStateException when a receive is waiting already
     */
    public abstract T receiveOrWait(Receiver<T> receiver) throws ClosedReceiveException;

    /** The next item; completes at once when one is there. One receive may be pending at a time. */
    public final CompletionStage<T> receive() {
        FutureReceiver<T> next = new FutureReceiver<>();
        try {
            T item = receiveOrWait(next);
            if (item != null) {
                next.complete(item);
            }
        } catch (ClosedReceiveException e) {
            next.completeExceptionally(e);
        }
        return next;
    }

    /** Waits for the next item: for blocking handlers (cheap on virtual threads). */
    public final T take() throws ClosedReceiveException, InterruptedException {
        try {
            return receive().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClosedReceiveException closed) {
                throw closed;
            }
            throw new ClosedReceiveException("receiving failed", e.getCause());
        }
    }

    /**
     * The items of a source that only has a {@code receive()} (an implementation of the public interfaces that is not
     * the session's own), for the one {@link ReceiveLoop}.
     */
    public static <T> Receiving<T> of(Supplier<CompletionStage<T>> receive) {
        return new Receiving<>() {
            @Override
            public T receiveOrWait(Receiver<T> receiver) throws ClosedReceiveException {
                CompletableFuture<T> next = receive.get().toCompletableFuture();
                if (next.isDone() && !next.isCompletedExceptionally()) {
                    return next.join();
                }
                next.whenComplete((item, failure) -> {
                    if (failure == null) {
                        receiver.received(item);
                        return;
                    }
                    Throwable cause = io.upgradebridge.io.internal.Failures.unwrap(failure);
                    receiver.ended(cause instanceof ClosedReceiveException closed ? closed
                        : new ClosedReceiveException("receiving failed", cause));
                });
                return null;
            }
        };
    }

    /** What {@link #receive()} returns: the future of the next item, completed as the source's {@link Receiver}. */
    private static final class FutureReceiver<T> extends CompletableFuture<T> implements Receiver<T> {
        @Override
        public void received(T item) {
            complete(item);
        }

        @Override
        public void ended(ClosedReceiveException closed) {
            completeExceptionally(closed);
        }
    }
}
