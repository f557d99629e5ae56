package io.upgradebridge.io.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletableJobTest {

    @Test
    void theListenerHearsANormalCompletionOnce() {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableJob job = CompletableJob.following(work);
        List<Throwable> heard = new ArrayList<>();
        job.onCompletion(heard::add);
        assertTrue(heard.isEmpty(), "not before the job completes");
        work.complete("done");
        job.cancel(); // too late: changes nothing
        assertEquals(1, heard.size());
        assertNull(heard.get(0));
    }

    @Test
    void theListenerHearsTheFailureUnwrapped() {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableJob job = CompletableJob.following(work);
        List<Throwable> heard = new ArrayList<>();
        job.onCompletion(heard::add);
        IllegalStateException failure = new IllegalStateException("bad");
        work.completeExceptionally(new java.util.concurrent.CompletionException(failure));
        assertEquals(List.of(failure), heard);
    }

    @Test
    void theListenerHearsTheCancelBeforeTheWorkIsStopped() {
        List<String> order = new ArrayList<>();
        CompletableJob job = new CompletableJob() {
            @Override
            protected void cancelled(CancellationException cause) {
                order.add("cancelled");
            }
        };
        job.onCompletion(e -> order.add(e instanceof CancellationException ? "listener: cancelled" : "listener: " + e));
        assertTrue(job.cancel());
        assertEquals(List.of("listener: cancelled", "cancelled"), order);
        assertTrue(job.isCancelled());
    }

    @Test
    void aListenerThatComesAfterTheEndRunsAtOnce() {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableJob job = CompletableJob.following(work);
        work.completeExceptionally(new IllegalArgumentException("late"));
        List<Throwable> heard = new ArrayList<>();
        job.onCompletion(heard::add);
        assertEquals(1, heard.size());
        assertInstanceOf(IllegalArgumentException.class, heard.get(0));

        CompletableJob cancelled = CompletableJob.following(new CompletableFuture<>());
        cancelled.cancel();
        List<Throwable> heardCancel = new ArrayList<>();
        cancelled.onCompletion(heardCancel::add);
        assertInstanceOf(CancellationException.class, heardCancel.get(0));
    }

    @Test
    void oneListenerPerJob() {
        CompletableJob job = CompletableJob.following(new CompletableFuture<>());
        job.onCompletion(e -> { });
        assertThrows(IllegalStateException.class, () -> job.onCompletion(e -> { }));
    }

    @Test
    void completionStillCompletesForOthers() {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableJob job = CompletableJob.following(work);
        job.onCompletion(e -> { });
        CompletableFuture<Void> other = job.completion().toCompletableFuture();
        work.complete("x");
        assertSame(null, other.join());
    }
}
