package io.upgradebridge.io;

import io.upgradebridge.io.internal.CompletableJob;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A handle on work that runs in the background: the Java form of the {@code Job} that Ktor's
 * {@code ProtocolUpgrade.upgrade} returns.
 *
 * <p>For an upgraded connection, the connection lives as long as the job: when the job completes, the
 * bridge sends what is left in the output and closes the connection; when it is cancelled or fails, the
 * bridge closes the connection at once. Cancelling is cooperative: it closes both channels, which makes
 * the job's pending reads and writes fail.
 */
public interface Job {

    /** A stage that completes when the job does: normally, exceptionally, or with a {@link java.util.concurrent.CancellationException}. */
    CompletionStage<Void> completion();

    /**
     * Cancels the job.
     *
     * @return whether this call cancelled it ({@code false} when it had already completed)
     */
    boolean cancel();

    /**
     * Waits until the job completes.
     *
     * @throws java.util.concurrent.CompletionException wrapping the failure, when it failed
     * @throws java.util.concurrent.CancellationException when it was cancelled
     */
    void join();

    /** Whether the job is still running. */
    boolean isActive();

    /** Whether the job has completed in any way. */
    boolean isCompleted();

    /** Whether the job was cancelled. */
    boolean isCancelled();

    /** A job that follows {@code stage}: it completes when the stage does; cancelling it cancels the stage when the stage allows. */
    static Job of(CompletionStage<?> stage) {
        return CompletableJob.following(stage);
    }

    /** A job that has already completed normally. */
    static Job completed() {
        return CompletableJob.following(java.util.concurrent.CompletableFuture.completedFuture(null));
    }

    /**
     * Runs {@code body} on {@code executor} and returns its job. The body may block (use the
     * {@code userContext} executor for that).
     */
    static Job launch(Executor executor, Body body) {
        return CompletableJob.launch(executor, body);
    }

    /** Code run by {@link #launch}; it may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }
}
