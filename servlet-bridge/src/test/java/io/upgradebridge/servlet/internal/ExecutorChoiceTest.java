package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorChoiceTest {

    private static final Executor CONFIGURED = Runnable::run;
    private static final Executor MANAGED = Runnable::run;
    private static final Executor JETTY = Runnable::run;

    private static final class FakeSources implements ExecutorChoice.Sources {
        final Map<String, Object> jndi = new HashMap<>();
        final Map<String, Object> attributes = new HashMap<>();
        int java = 17;

        @Override
        public Object jndi(String name) {
            return jndi.get(name);
        }

        @Override
        public Object contextAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public int javaFeatureVersion() {
            return java;
        }
    }

    private static FakeSources everything() {
        FakeSources s = new FakeSources();
        s.jndi.put("java:comp/env/concurrent/mine", CONFIGURED);
        s.attributes.put("my.executor", CONFIGURED);
        s.jndi.put(ExecutorChoice.DEFAULT_MANAGED_EXECUTOR, MANAGED);
        s.attributes.put(ExecutorChoice.JETTY_EXECUTOR_ATTRIBUTE, JETTY);
        s.java = 25;
        return s;
    }

    @Test
    void configuredJndiNameComesFirst() {
        ExecutorChoice choice = ExecutorChoice.choose("java:comp/env/concurrent/mine", everything(), "t-");
        assertSame(CONFIGURED, choice.engine());
        assertSame(CONFIGURED, choice.user());
        assertTrue(choice.owned().isEmpty());
        assertTrue(choice.description().contains("java:comp/env/concurrent/mine"), choice.description());
    }

    @Test
    void configuredContextAttributeComesFirst() {
        ExecutorChoice choice = ExecutorChoice.choose("my.executor", everything(), "t-");
        assertSame(CONFIGURED, choice.engine());
    }

    @Test
    void configuredNameThatDoesNotResolveIsAClearError() {
        FakeSources s = everything();
        s.attributes.put("not.an.executor", "a string");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> ExecutorChoice.choose("java:comp/env/nothing", s, "t-"));
        assertTrue(missing.getMessage().contains("was not found in JNDI"), missing.getMessage());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
            () -> ExecutorChoice.choose("not.an.executor", s, "t-"));
        assertTrue(wrongType.getMessage().contains("java.lang.String, not a java.util.concurrent.Executor"), wrongType.getMessage());
    }

    @Test
    void managedExecutorBeforeJetty() {
        ExecutorChoice choice = ExecutorChoice.choose(null, everything(), "t-");
        assertSame(MANAGED, choice.engine());
        assertSame(MANAGED, choice.user());
    }

    /** A server's managed thread factory: it marks its threads so that the test can tell them from others. */
    private static final class MarkingThreadFactory implements java.util.concurrent.ThreadFactory {
        final java.util.Set<Thread> made = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            made.add(thread);
            return thread;
        }
    }

    @Test
    void managedThreadsBeforeTheManagedExecutorOnJava17() throws Exception {
        FakeSources s = everything();
        s.java = 17;
        MarkingThreadFactory managed = new MarkingThreadFactory();
        s.jndi.put(ExecutorChoice.DEFAULT_MANAGED_THREAD_FACTORY, managed);
        ExecutorChoice choice = ExecutorChoice.choose(null, s, "t-");
        try {
            assertNotSame(MANAGED, choice.engine());
            assertEquals(2, choice.owned().size(), "both pools are the bridge's, made of the server's threads");
            assertTrue(choice.description().contains(ExecutorChoice.DEFAULT_MANAGED_THREAD_FACTORY), choice.description());
            // a serial managed executor would run one of these at a time: each gets a managed thread of its own
            assertEventuallyAllRunAtOnce(choice.user(), 300, () -> {
                CompletableFuture<Thread> engineThread = CompletableFuture.supplyAsync(Thread::currentThread, choice.engine());
                assertTrue(managed.made.contains(engineThread.get(5, TimeUnit.SECONDS)), "engine work on a managed thread");
            });
            CompletableFuture<Thread> userThread = CompletableFuture.supplyAsync(Thread::currentThread, choice.user());
            assertTrue(managed.made.contains(userThread.get(5, TimeUnit.SECONDS)), "application code on a managed thread");
            assertTrue(userThread.get().getName().startsWith("t-user-"), userThread.get().getName());
        } finally {
            choice.shutdown(5000);
        }
        for (Thread thread : managed.made) {
            assertFalse(thread.isAlive(), thread + " still runs after shutdown");
        }
    }

    @Test
    void managedThreadsForApplicationCodeAndVirtualThreadsForEngineWorkOnJava21() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ExecutorChoice.newVirtualThreadExecutor() != null, "no virtual threads here");
        FakeSources s = everything();
        MarkingThreadFactory managed = new MarkingThreadFactory();
        s.jndi.put(ExecutorChoice.DEFAULT_MANAGED_THREAD_FACTORY, managed);
        ExecutorChoice choice = ExecutorChoice.choose(null, s, "t-");
        try {
            CompletableFuture<Thread> engineThread = CompletableFuture.supplyAsync(Thread::currentThread, choice.engine());
            assertFalse(managed.made.contains(engineThread.get(5, TimeUnit.SECONDS)));
            assertTrue(choice.description().contains("virtual threads"), choice.description());
            CompletableFuture<Thread> userThread = CompletableFuture.supplyAsync(Thread::currentThread, choice.user());
            assertTrue(managed.made.contains(userThread.get(5, TimeUnit.SECONDS)));
        } finally {
            choice.shutdown(5000);
        }
    }

    @Test
    void aServerThatRefusesThreadsGetsItsTaskRejected() {
        FakeSources s = everything();
        s.java = 17;
        s.jndi.put(ExecutorChoice.DEFAULT_MANAGED_THREAD_FACTORY, (java.util.concurrent.ThreadFactory) task -> null);
        ExecutorChoice choice = ExecutorChoice.choose(null, s, "t-");
        try {
            assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> choice.user().execute(() -> { }));
        } finally {
            choice.shutdown(5000);
        }
    }

    @Test
    void jettyPoolBeforeVirtualThreadsAndApplicationCodeTakesAtMostAQuarterOfIt() throws Exception {
        FakeSources s = everything();
        s.jndi.clear();
        s.java = 17;
        ExecutorService jettyPool = java.util.concurrent.Executors.newFixedThreadPool(8); // a small Jetty pool
        s.attributes.put(ExecutorChoice.JETTY_EXECUTOR_ATTRIBUTE, jettyPool);
        ExecutorChoice choice = ExecutorChoice.choose("  ", s, "t-");
        try {
            assertSame(jettyPool, choice.engine());
            assertInstanceOf(SharedUserExecutor.class, choice.user());
            assertEquals(1, choice.owned().size(), "the overflow pool is the bridge's; Jetty's is not");
            assertTrue(choice.description().contains("at most 2 of its threads"), choice.description());
            // far more blocked application tasks than Jetty has threads: each starts, and Jetty keeps 6 threads free
            assertEventuallyAllRunAtOnce(choice.user(), 300, () -> {
                CompletableFuture<Void> engineWork = CompletableFuture.runAsync(() -> { }, choice.engine());
                engineWork.get(5, TimeUnit.SECONDS);
            });
        } finally {
            choice.shutdown(5000);
            jettyPool.shutdownNow();
        }
    }

    @Test
    void virtualThreadsOnJava21AndLaterWhenTheRuntimeHasThem() throws Exception {
        FakeSources s = new FakeSources();
        s.java = 21;
        ExecutorChoice choice = ExecutorChoice.choose(null, s, "t-");
        try {
            if (Runtime.version().feature() >= 21) {
                assertTrue(choice.description().startsWith("virtual threads"), choice.description());
                assertEquals(1, choice.owned().size());
                assertSame(choice.engine(), choice.user());
                java.util.concurrent.CompletableFuture<Boolean> virtual = new java.util.concurrent.CompletableFuture<>();
                choice.user().execute(() -> virtual.complete(Thread.currentThread().toString().contains("Virtual")));
                assertTrue(virtual.get(5, java.util.concurrent.TimeUnit.SECONDS));
            } else {
                // a Java 17 runtime that claims 21 has no virtual threads: the bridge falls back to its own pool
                assertInstanceOf(ExecutorChoice.OwnPool.class, choice.engine());
            }
        } finally {
            choice.shutdown(1000);
        }
    }

    @Test
    void ownBoundedPoolForEngineWorkAndAGrowingOneForApplicationCodeOnJava17AndBothStopTheirThreads() throws Exception {
        FakeSources s = new FakeSources();
        ExecutorChoice choice = ExecutorChoice.choose(null, s, "bridge-test-");
        assertEquals(2, choice.owned().size());
        ExecutorChoice.OwnPool engine = assertInstanceOf(ExecutorChoice.OwnPool.class, choice.engine());
        assertEquals(ExecutorChoice.OWN_POOL_THREADS, engine.maxThreads());
        assertNotSame(choice.engine(), choice.user());
        java.util.concurrent.CompletableFuture<String> name = new java.util.concurrent.CompletableFuture<>();
        engine.execute(() -> name.complete(Thread.currentThread().getName()));
        assertTrue(name.get(5, TimeUnit.SECONDS).startsWith("bridge-test-"));
        // more blocked tasks at once than the engine pool has threads: each still starts, and engine work still runs
        assertEventuallyAllRunAtOnce(choice.user(), ExecutorChoice.OWN_POOL_THREADS + 50, () ->
            CompletableFuture.runAsync(() -> { }, choice.engine()).get(5, TimeUnit.SECONDS));
        choice.shutdown(5000);
        for (ExecutorService owned : choice.owned()) {
            assertTrue(owned.isTerminated());
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("bridge-test-") && t.isAlive()),
            "no thread of the pools is left");
    }

    /**
     * The pool's threads run its tasks in the bridge's own loop: no frame of the JDK's pool code, and not the JDK's
     * {@code Thread.run()}, is on a task's stack. Compiled for the bridge's classes, that code would keep the
     * application's class loader after undeploy in every other thread that waits inside it (see {@code OwnPool} and
     * {@code OwnRunThread}).
     */
    @Test
    void anElasticPoolRunsItsTasksWithNoFrameOfTheJdksPools() throws Exception {
        ExecutorChoice.OwnPool pool = ExecutorChoice.OwnPool.elastic("own-loop-test-", 2, null);
        try {
            CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
            pool.execute(() -> stack.complete(Thread.currentThread().getStackTrace()));
            StackTraceElement[] frames = stack.get(5, TimeUnit.SECONDS);
            assertTrue(java.util.Arrays.stream(frames).anyMatch(f -> f.getClassName().equals(
                ExecutorChoice.OwnPool.class.getName())), () -> "the pool's own loop runs the task: "
                + java.util.Arrays.toString(frames));
            // neither a JDK pool's frame nor the JDK's Thread.run(): the thread's own run() is the bottom frame
            assertEquals(java.util.List.of(), io.upgradebridge.testsupport.TaskStack.foreignCallers(frames),
                () -> "what called the task: " + java.util.Arrays.toString(frames));
        } finally {
            pool.shutdownNow();
        }
    }

    /** A task that throws: its thread's uncaught-exception handler hears of it, and the thread runs the next task. */
    @Test
    void aFailingTaskIsReportedAndItsThreadGoesOn() throws Exception {
        java.util.List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorChoice.OwnPool pool = ExecutorChoice.OwnPool.elastic("failing-task-test-", 1, task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> reported.add(e));
            return thread;
        });
        try {
            IllegalStateException failure = new IllegalStateException("the task's failure");
            pool.execute(() -> {
                throw failure;
            });
            CompletableFuture.runAsync(() -> { }, pool).get(5, TimeUnit.SECONDS);
            assertEquals(java.util.List.of(failure), reported);
            assertEquals(1, pool.getLargestPoolSize(), "the same thread ran the next task");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The bridge's pools start a thread only when none is free: tasks one after another run on one thread (a pool with
     * its maximum as core size would have started a thread for each of its first 200 tasks), tasks that block at once
     * get a thread each up to the maximum, and past it they wait in line instead of being refused.
     */
    @Test
    void anElasticPoolStartsAThreadOnlyWhenNoneIsFree() throws Exception {
        ExecutorChoice.OwnPool pool = ExecutorChoice.OwnPool.elastic("elastic-test-", 4, null);
        try {
            for (int i = 0; i < 50; i++) {
                CompletableFuture.runAsync(() -> { }, pool).get(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (pool.getCompletedTaskCount() < i + 1 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the task's bookkeeping ends just after it completed the future
                }
            }
            assertEquals(1, pool.getLargestPoolSize(), "one task at a time needs one thread");
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                pool.execute(() -> {
                    running.countDown();
                    awaitQuietly(release);
                });
            }
            assertTrue(running.await(5, TimeUnit.SECONDS), "four blocking tasks get a thread each");
            CompletableFuture<Void> fifth = CompletableFuture.runAsync(() -> { }, pool);
            assertEquals(4, pool.getPoolSize(), "no thread past the maximum");
            assertFalse(fifth.isDone(), "the fifth task waits in line");
            release.countDown();
            fifth.get(5, TimeUnit.SECONDS);
            // and every thread goes once idle (after 30 s in the bridge; shortened here): no core threads stay
            pool.setKeepAliveTime(50, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.getPoolSize() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, pool.getPoolSize(), "an idle pool lets all its threads go");
        } finally {
            pool.shutdownNow();
        }
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    /**
     * A burst of short tasks waits in line behind the pool's free threads instead of growing the pool (a pool that
     * started a thread whenever none was free ran this burst on about 200 threads); the watch that looked after the
     * queue ends once the queue stays empty, so the idle pool holds no extra thread.
     */
    @Test
    void aBurstOfShortTasksRunsOnTheFreeThreadsAndTheWatchEnds() throws Exception {
        ExecutorService pool = ExecutorChoice.newGrowingPool("burst-test-");
        try {
            int tasks = 200;
            CountDownLatch done = new CountDownLatch(tasks);
            for (int i = 0; i < tasks; i++) {
                pool.execute(() -> {
                    try {
                        Thread.sleep(1); // short, and long enough that every task of the burst finds no thread free
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(10, TimeUnit.SECONDS), done.getCount() + " of " + tasks + " short tasks never ran: " + pool);
            int largest = ((ExecutorChoice.OwnPool) pool).getLargestPoolSize();
            // the free threads, and a thread or two the watch may add if this machine holds the burst up for half a second
            assertTrue(largest <= ExecutorChoice.OwnPool.FREE_THREADS + 2, "a burst of " + tasks + " short tasks grew the pool to "
                + largest + " threads, more than its " + ExecutorChoice.OwnPool.FREE_THREADS + " free ones");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (watchAlive("burst-test-") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(watchAlive("burst-test-"), "the watch ends once no task waits");
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean watchAlive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(prefix + "watch") && t.isAlive());
    }

    /**
     * Blocking tasks handed to a growing pool from several threads at once each get a thread of their own. (Race, found
     * by the Jetty case above failing once: the pool read its unfinished tasks before its threads, and threads started
     * meanwhile for tasks counted after one made the busy pool look free: about one round in 27 left one task in the queue
     * behind 299 blocked threads.)
     */
    @Test
    void blockingTasksFromSeveralSubmittersAtOnceEachGetAThread() throws Exception {
        for (int round = 0; round < 40; round++) {
            ExecutorService pool = ExecutorChoice.newGrowingPool("growing-test-");
            ExecutorService submitters = java.util.concurrent.Executors.newFixedThreadPool(6);
            CountDownLatch running = new CountDownLatch(300);
            CountDownLatch release = new CountDownLatch(1);
            try {
                for (int i = 0; i < 300; i++) {
                    submitters.execute(() -> pool.execute(() -> {
                        running.countDown();
                        awaitQuietly(release);
                    }));
                }
                assertTrue(running.await(10, TimeUnit.SECONDS), "round " + round + ": " + running.getCount()
                    + " of 300 blocking tasks never started: " + pool);
            } finally {
                release.countDown();
                submitters.shutdownNow();
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Something to check while the tasks block. */
    private interface Check {
        void run() throws Exception;
    }

    /**
     * Submits {@code count} tasks that each wait until all of them run (only an executor that never queues them
     * behind blocked ones passes), then runs {@code whileBlocked} while all of them block.
     */
    private static void assertEventuallyAllRunAtOnce(Executor executor, int count, Check whileBlocked) throws Exception {
        CountDownLatch running = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < count; i++) {
                executor.execute(() -> {
                    running.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS), (running.getCount()) + " of " + count
                + " blocking tasks never started: they wait behind the blocked ones");
            whileBlocked.run();
        } finally {
            release.countDown();
        }
    }

    @Test
    void shortApplicationTasksStayOnTheSharedPool() throws Exception {
        ExecutorService shared = java.util.concurrent.Executors.newFixedThreadPool(4);
        ExecutorService overflow = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            SharedUserExecutor user = new SharedUserExecutor(shared, SharedUserExecutor.quarterOf(shared), overflow);
            assertEquals(1, SharedUserExecutor.quarterOf(shared));
            for (int i = 0; i < 100; i++) {
                CompletableFuture<Boolean> onShared = new CompletableFuture<>();
                user.execute(() -> onShared.complete(true));
                onShared.get(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (user.onShared() > 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the task's own bookkeeping ends just after it completed the future
                }
            }
            assertEquals(0, ((java.util.concurrent.ThreadPoolExecutor) overflow).getLargestPoolSize(), "one at a time: the overflow pool was never needed");
            assertEquals(0, user.onShared());
            assertEquals(0, SharedUserExecutor.quarterOf(Runnable::run), "a pool of unknown size lends no thread");
        } finally {
            shared.shutdownNow();
            overflow.shutdownNow();
        }
    }

    @Test
    void borrowedExecutorsAreNotShutDown() {
        ExecutorService borrowed = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            FakeSources s = new FakeSources();
            s.attributes.put("mine", borrowed);
            ExecutorChoice.choose("mine", s, "t-").shutdown(100);
            assertFalse(borrowed.isShutdown());
        } finally {
            borrowed.shutdownNow();
        }
    }
}
