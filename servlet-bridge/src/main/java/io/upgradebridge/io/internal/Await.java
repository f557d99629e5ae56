package io.upgradebridge.io.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Waits for a stage on behalf of the blocking stream views, turning failures into {@link IOException}s. */
final class Await {

    private Await() {
    }

    static <T> T result(CompletionStage<T> stage) throws IOException {
        try {
            return stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting on a channel");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            throw RingByteChannel.asIOException(e.getCause());
        } catch (CancellationException e) {
            throw new IOException("the channel operation was cancelled", e);
        }
    }
}
