package io.upgradebridge.io.internal;

import io.upgradebridge.io.Job;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The {@link Job} the factories on {@code Job} return, and the base of the bridge's own jobs: a future that only the
 * job's own work ({@link #finish(Throwable)}) or {@link #cancel()} completes.
 *
 * <p>Besides {@link #completion()} it tells one listener directly when it completes ({@link #onCompletion}), so the
 * connection that runs the job keeps no chain of stages for the whole life of a session.
 */
public class CompletableJob implements Job {

    private static final VarHandle LISTENER;
    /** In {@link #listener} once the job has completed and the listener (if any) was told. */
    private static final Consumer<Throwable> NOTIFIED = failure -> { };

    static {
        try {
            LISTENER = MethodHandles.lookup().findVarHandle(CompletableJob.class, "listener", Consumer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** {@code null}, the one listener, or {@link #NOTIFIED}; changed only by CAS / getAndSet. */
    @SuppressWarnings("unused") // through LISTENER
    private volatile Consumer<Throwable> listener;

    /** A job that its subclass completes with {@link #finish(Throwable)}. */
    protected CompletableJob() {
    }

    /** A job that completes with {@code stage}; cancelling it also cancels the stage when it is a future. */
    public static CompletableJob following(CompletionStage<?> stage) {
        CompletableJob job = new CompletableJob() {
            @Override
            protected void cancelled(CancellationException cause) {
                stage.toCompletableFuture().cancel(false);
            }
        };
        stage.whenComplete((v, e) -> job.finish(e));
        return job;
    }

    /** Runs {@code body} on {@code executor}; the job completes when it returns or throws. */
    public static CompletableJob launch(Executor executor, Job.Body body) {
        CompletableJob job = new CompletableJob();
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

    /** Completes the job: normally when {@code failure} is {@code null}; does nothing when it has completed already. */
    protected final void finish(Throwable failure) {
        Throwable cause = failure == null ? null : Failures.unwrap(failure);
        boolean completed = cause == null ? done.complete(null) : done.completeExceptionally(cause);
        if (completed) {
            notifyListener(cause);
        }
    }

    /** Run once, after the job's future was cancelled and the listener told; the work should stop. */
    protected void cancelled(CancellationException cause) {
    }

    /**
     * Runs {@code listener} once the job completes, on the thread that completes it, with {@code null} or the failure
     * (a {@link CancellationException} when cancelled); at once when it has completed already. One listener per job.
     *
     * @throws IllegalStateException when a listener was set before
     */
    @SuppressWarnings("unchecked")
    public final void onCompletion(Consumer<Throwable> listener) {
        Consumer<Throwable> witness = (Consumer<Throwable>) LISTENER.compareAndExchange(this, null, listener);
        if (witness == NOTIFIED) {
            listener.accept(failureNow()); // race: the job completed before the listener came
        } else if (witness != null) {
            throw new IllegalStateException("this job already has a completion listener");
        }
    }

    @SuppressWarnings("unchecked")
    private void notifyListener(Throwable cause) {
        Consumer<Throwable> l = (Consumer<Throwable>) LISTENER.getAndSet(this, NOTIFIED);
        if (l != null) {
            l.accept(cause);
        }
    }

    private Throwable failureNow() {
        try {
            done.join();
            return null;
        } catch (CancellationException e) {
            return e;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Override
    public CompletionStage<Void> completion() {
        return done.minimalCompletionStage();
    }

    @Override
    public boolean cancel() {
        CancellationException cause = new CancellationException("the job was cancelled");
        boolean cancelled = done.completeExceptionally(cause);
        if (cancelled) {
            notifyListener(cause);
            cancelled(cause);
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
