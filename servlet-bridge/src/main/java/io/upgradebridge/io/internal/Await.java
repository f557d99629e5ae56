package io.upgradebridge.io.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a stage on behalf of blocking code (the channels' stream views, a response body copied on the request
 * thread), turning its failure into an {@link IOException}.
 */
public final class Await {

    private Await() {
    }

    /**
     * The stage's result, once it is there.
     *
     * @throws IOException the stage's failure (an {@code IOException} as it is, anything else as its cause)
     * @throws InterruptedIOException when the waiting thread is interrupted (its interrupt flag stays set)
     */
    public static <T> T result(CompletionStage<T> stage) throws IOException {
        try {
            return stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting on a channel");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            throw RingByteChannel.asIOException(Failures.unwrap(e.getCause()));
        } catch (CancellationException e) {
            throw new IOException("the channel operation was cancelled", e);
        }
    }
}
