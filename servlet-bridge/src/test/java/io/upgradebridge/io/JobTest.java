package io.upgradebridge.io;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobTest {

    @Test
    void launchedJobCompletesWhenTheBodyReturns() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            Job job = Job.launch(pool, release::await);
            assertTrue(job.isActive());
            release.countDown();
            job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(job.isCompleted());
            assertFalse(job.isActive());
            assertFalse(job.isCancelled());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelCompletesTheJobAndCancelsTheStage() {
        CompletableFuture<String> work = new CompletableFuture<>();
        Job job = Job.of(work);
        assertTrue(job.cancel());
        assertFalse(job.cancel(), "only the first cancel counts");
        assertTrue(job.isCancelled());
        assertTrue(work.isCancelled());
        assertThrows(CancellationException.class, job::join);
    }

    @Test
    void jobFollowsTheStageOutcome() {
        CompletableFuture<String> work = new CompletableFuture<>();
        Job job = Job.of(work);
        work.completeExceptionally(new IllegalArgumentException("bad"));
        assertTrue(job.isCompleted());
        assertFalse(job.isCancelled());
        Throwable cause = assertThrows(java.util.concurrent.CompletionException.class, job::join).getCause();
        assertEquals("bad", cause.getMessage());
    }

    @Test
    void completedJobIsDone() {
        Job job = Job.completed();
        assertTrue(job.isCompleted());
        assertFalse(job.cancel());
        job.join();
    }
}
