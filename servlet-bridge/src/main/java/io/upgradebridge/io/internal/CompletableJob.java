package io.upgradebridge.io.internal;

import io.upgradebridge.io.Job;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The {@link Job} the factories on {@code Job} return: a future that only the job's own work or {@link #cancel()} completes. */
public final class CompletableJob implements Job {

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Runnable onCancel;

    private CompletableJob(Runnable onCancel) {
        this.onCancel = onCancel;
    }

    /** A job that completes with {@code stage}; cancelling it also cancels the stage when it is a future. */
    public static CompletableJob following(CompletionStage<?> stage) {
        CompletableJob job = new CompletableJob(() -> stage.toCompletableFuture().cancel(false));
        stage.whenComplete((v, e) -> job.finish(e));
        return job;
    }

    /** Runs {@code body} on {@code executor}; the job completes when it returns or throws. */
    public static CompletableJob launch(Executor executor, Job.Body body) {
        CompletableJob job = new CompletableJob(() -> { });
        executor.execute(() -> {
            if (job.isCompleted()) {
                return; // race: cancelled before it started
            }
            try {
                body.run();
                job.finish(null);
            } catch (Throwable t) {
                job.finish(t);
            }
        });
        return job;
    }

    private void finish(Throwable failure) {
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(Failures.unwrap(failure));
        }
    }

    @Override
    public CompletionStage<Void> completion() {
        return done.minimalCompletionStage();
    }

    @Override
    public boolean cancel() {
        boolean cancelled = done.completeExceptionally(new CancellationException("the job was cancelled"));
        if (cancelled) {
            onCancel.run();
        }
        return cancelled;
    }

    @Override
    public void join() {
        done.join();
    }

    @Override
    public boolean isActive() {
        return !done.isDone();
    }

    @Override
    public boolean isCompleted() {
        return done.isDone();
    }

    @Override
    public boolean isCancelled() {
        if (!done.isCompletedExceptionally()) {
            return false;
        }
        try {
            done.getNow(null);
            return false;
        } catch (CancellationException e) {
            return true;
        } catch (RuntimeException e) {
            return e.getCause() instanceof CancellationException;
        }
    }

    @Override
    public String toString() {
        return "Job{" + (isActive() ? "active" : isCancelled() ? "cancelled" : done.isCompletedExceptionally() ? "failed" : "completed") + '}';
    }
}
