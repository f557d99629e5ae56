package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watch's two rules against a pool whose queue and finished count the test sets. */
class StarvationWatchTest {

    /** A pool the test drives: what the watch reads, and what it asked for. */
    private static final class FakePool implements StarvationWatch.Pool {
        final AtomicInteger waiting = new AtomicInteger();
        final AtomicLong finished = new AtomicLong();
        final AtomicBoolean progressing = new AtomicBoolean();
        final AtomicBoolean stopped = new AtomicBoolean();
        final AtomicBoolean runnable = new AtomicBoolean();
        final List<Integer> added = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public int waiting() {
            return waiting.get();
        }

        @Override
        public long finished() {
            // a pool whose threads keep finishing tasks: each look sees more finished
            return progressing.get() ? finished.incrementAndGet() : finished.get();
        }

        /** The head of the queue: the same object while {@link #headMoves} is false. */
        final AtomicBoolean headMoves = new AtomicBoolean();
        private final Object sameHead = new Object();

        @Override
        public Object head() {
            return waiting.get() == 0 ? null : headMoves.get() ? new Object() : sameHead;
        }

        @Override
        public boolean anyRunnable() {
            return runnable.get();
        }

        @Override
        public void addThreads(int threads) {
            added.add(threads);
        }

        @Override
        public boolean stopped() {
            return stopped.get();
        }

        @Override
        public Thread newThread(Runnable watch) {
            Thread thread = new Thread(watch, "watch-test");
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "never: " + what);
            Thread.sleep(5);
        }
    }

    /** Waits (bounded) until the watch first added threads; how many it asked for then. */
    private static int awaitFirstAddition(FakePool pool, String what) throws InterruptedException {
        await(what, () -> !pool.added.isEmpty());
        return pool.added.get(0);
    }

    @Test
    void tasksWaitingWhileNoneFinishesGetAThreadEach() throws Exception {
        FakePool pool = new FakePool();
        StarvationWatch watch = new StarvationWatch(pool);
        pool.waiting.set(7);
        watch.taskQueued();
        watch.taskQueued(); // already watching: no second thread
        try {
            assertEquals(7, awaitFirstAddition(pool, "threads added for the starving tasks"),
                "a thread for every waiting task at once");
            assertEquals(1, pool.threads.size());
        } finally {
            pool.stopped.set(true);
        }
        pool.threads.get(0).join(5000);
        assertFalse(pool.threads.get(0).isAlive(), "a stopped pool's watch ends");
    }

    @Test
    void threadsThatAreRunnableButFinishNothingInATickAreNotStarvingUntilTheHeadTaskWaitedLong() throws Exception {
        FakePool pool = new FakePool();
        StarvationWatch watch = new StarvationWatch(pool);
        pool.runnable.set(true); // a thread of the pool waits for a core (or in I/O): not blocked, as far as its state says
        pool.waiting.set(40);
        long start = System.nanoTime();
        watch.taskQueued();
        try {
            int added = awaitFirstAddition(pool, "threads added for a head task that keeps waiting");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis >= StarvationWatch.SLOW_TICKS * StarvationWatch.TICK_MILLIS,
                "no thread before the head task waited " + StarvationWatch.SLOW_TICKS + " ticks, got some after " + waitedMillis + " ms");
            assertEquals(40, added, "then a thread for every waiting task");
        } finally {
            pool.stopped.set(true);
        }
    }

    @Test
    void aQueueThatIsNeverEmptyButMovesGetsNoThread() throws Exception {
        FakePool pool = new FakePool();
        StarvationWatch watch = new StarvationWatch(pool);
        pool.progressing.set(true);
        pool.headMoves.set(true); // each task waits less than a tick, the queue is never empty: a busy pool, not a stuck one
        pool.waiting.set(30);
        watch.taskQueued();
        try {
            Thread.sleep(3 * StarvationWatch.SLOW_TICKS * StarvationWatch.TICK_MILLIS);
            assertTrue(pool.added.isEmpty(), "threads added to a pool whose queue moves: " + pool.added);
            pool.headMoves.set(false); // now the head task stays
            awaitFirstAddition(pool, "threads added once the head task stays");
        } finally {
            pool.stopped.set(true);
        }
    }

    @Test
    void theWatchEndsOnceNothingWaitsAndStartsAgainForTheNextQueuedTask() throws Exception {
        FakePool pool = new FakePool();
        StarvationWatch watch = new StarvationWatch(pool);
        try {
            watch.taskQueued(); // and the task was taken at once: nothing waits
            await("the first watch thread started", () -> pool.threads.size() == 1);
            pool.threads.get(0).join(10_000);
            assertFalse(pool.threads.get(0).isAlive(), "the watch ends when nothing waits");
            assertTrue(pool.added.isEmpty(), "nothing starved, no thread added");
            pool.waiting.set(2);
            watch.taskQueued();
            assertEquals(2, pool.threads.size(), "the next queued task starts a new watch");
            awaitFirstAddition(pool, "threads added for the new starving tasks");
        } finally {
            pool.stopped.set(true);
        }
    }
}
