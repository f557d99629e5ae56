package io.upgradebridge.io.internal;

import io.upgradebridge.testsupport.TaskStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge's own timer: deadlines in order, cancel, failures, stop, bounded memory, and no JDK pool on the stack. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimerLoopTest {

    private static final String NAME = "upgrade-bridge-test-timer";

    private final TimerLoop timer = new TimerLoop(NAME);

    @AfterEach
    void stop() {
        timer.stop();
    }

    @Test
    void runsTasksInTheOrderOfTheirDeadlinesAndNeverBefore() throws Exception {
        int n = 200;
        Random random = new Random(16);
        List<TimerLoop.Timeout> timeouts = new ArrayList<>();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        List<Long> early = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            TimerLoop.Timeout[] self = new TimerLoop.Timeout[1];
            CountDownLatch scheduled = new CountDownLatch(1);
            self[0] = timer.schedule(() -> {
                awaitQuietly(scheduled);
                long lateBy = System.nanoTime() - self[0].deadline();
                if (lateBy < 0) {
                    early.add(lateBy);
                }
                ran.add(index);
                all.countDown();
            }, random.nextInt(300), TimeUnit.MILLISECONDS);
            timeouts.add(self[0]);
            scheduled.countDown();
        }
        assertTrue(all.await(20, TimeUnit.SECONDS), "all ran: " + ran.size());
        List<Integer> byDeadline = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byDeadline.add(i);
        }
        byDeadline.sort(Comparator.comparingLong((Integer i) -> timeouts.get(i).deadline() - timeouts.get(0).deadline())
            .thenComparingLong(i -> timeouts.get(i).sequence()));
        assertEquals(byDeadline, ran, "in the order of their deadlines");
        assertTrue(early.isEmpty(), "no task before its deadline: " + early);
        assertTrue(timeouts.stream().allMatch(TimerLoop.Timeout::isDone));
        assertFalse(timeouts.stream().anyMatch(TimerLoop.Timeout::isCancelled));
        assertEquals(0, timer.pending());
    }

    @Test
    void aCancelledTaskNeverRunsAndLeavesTheQueue() throws Exception {
        AtomicBoolean cancelledRan = new AtomicBoolean();
        TimerLoop.Timeout cancelled = timer.schedule(() -> cancelledRan.set(true), 200, TimeUnit.MILLISECONDS);
        CompletableFuture<Void> later = new CompletableFuture<>();
        TimerLoop.Timeout marker = timer.schedule(() -> later.complete(null), 400, TimeUnit.MILLISECONDS);
        assertEquals(2, timer.pending());
        assertFalse(cancelled.isDone());

        assertTrue(cancelled.cancel());
        assertTrue(cancelled.isDone());
        assertTrue(cancelled.isCancelled());
        assertFalse(cancelled.cancel(), "a second cancel changes nothing");
        assertEquals(1, timer.pending(), "out of the queue at once");

        later.get(10, TimeUnit.SECONDS); // the later task ran, so the cancelled one's deadline is long past
        assertFalse(cancelledRan.get(), "the cancelled task did not run");
        assertTrue(marker.isDone());
        assertFalse(marker.isCancelled());
        assertFalse(marker.cancel(), "too late: it ran");
    }

    @Test
    void cancellingTheEarliestLetsTheLoopWaitForTheNext() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        TimerLoop.Timeout head = timer.schedule(() -> first.complete("head"), 100, TimeUnit.MILLISECONDS);
        timer.schedule(() -> first.complete("next"), 300, TimeUnit.MILLISECONDS);
        assertTrue(head.cancel());
        assertEquals("next", first.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aTaskThatThrowsIsReportedAndTheLoopGoesOn() throws Exception {
        Logger log = Logger.getLogger("io.upgradebridge.io");
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler hook = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(hook);
        try {
            CompletableFuture<Thread> before = new CompletableFuture<>();
            timer.schedule(() -> before.complete(Thread.currentThread()), 0, TimeUnit.MILLISECONDS);
            timer.schedule(() -> {
                throw new IllegalStateException("task fails");
            }, 10, TimeUnit.MILLISECONDS);
            timer.schedule(() -> {
                throw new AssertionError("task errs");
            }, 20, TimeUnit.MILLISECONDS);
            CompletableFuture<Thread> after = new CompletableFuture<>();
            timer.schedule(() -> after.complete(Thread.currentThread()), 30, TimeUnit.MILLISECONDS);

            assertSame(before.get(10, TimeUnit.SECONDS), after.get(10, TimeUnit.SECONDS), "the same thread goes on");
            List<String> failures = records.stream()
                .filter(r -> r.getLevel() == Level.WARNING && r.getThrown() != null)
                .map(r -> r.getThrown().getMessage()).collect(Collectors.toList());
            assertEquals(List.of("task fails", "task errs"), failures, "each failure is logged with its exception");
            assertTrue(timer.isRunning());
        } finally {
            log.removeHandler(hook);
        }
    }

    @Test
    void oneDaemonThreadStartedOnFirstUseWithTheBridgesLoaderAndNoInheritedThreadLocals() throws Exception {
        InheritableThreadLocal<String> caller = new InheritableThreadLocal<>();
        caller.set("the scheduling thread's");
        ClassLoader foreign = new ClassLoader(null) { };
        Thread me = Thread.currentThread();
        ClassLoader mine = me.getContextClassLoader();
        me.setContextClassLoader(foreign);
        try {
            assertFalse(timer.isRunning(), "no thread before the first task");
            assertEquals(0, threadsNamed(NAME));
            CompletableFuture<Object[]> seen = new CompletableFuture<>();
            timer.schedule(() -> {
                Thread t = Thread.currentThread();
                seen.complete(new Object[] {t, t.getContextClassLoader(), caller.get()});
            }, 0, TimeUnit.MILLISECONDS);
            Object[] s = seen.get(10, TimeUnit.SECONDS);
            Thread thread = (Thread) s[0];
            assertEquals(NAME, thread.getName());
            assertTrue(thread.isDaemon());
            assertSame(TimerLoop.class.getClassLoader(), s[1], "the bridge's loader, not the caller's");
            assertNull(s[2], "nothing inherited from whichever thread started it");
            assertTrue(timer.isRunning());
            for (int i = 0; i < 10; i++) {
                timer.schedule(() -> { }, 0, TimeUnit.MILLISECONDS);
            }
            assertEquals(1, threadsNamed(NAME), "one thread, however many tasks");
        } finally {
            me.setContextClassLoader(mine);
            caller.remove();
        }
    }

    @Test
    void stopDropsPendingTasksEndsTheThreadAndRefusesNewOnes() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        timer.schedule(() -> ran.complete(Thread.currentThread()), 0, TimeUnit.MILLISECONDS);
        Thread thread = ran.get(10, TimeUnit.SECONDS);
        AtomicBoolean pendingRan = new AtomicBoolean();
        TimerLoop.Timeout pending = timer.schedule(() -> pendingRan.set(true), 1, TimeUnit.HOURS);

        timer.stop();
        assertFalse(thread.isAlive(), "stop() waited for the thread to end");
        assertTrue(timer.isStopped());
        assertFalse(timer.isRunning());
        assertEquals(0, timer.pending());
        assertTrue(pending.isCancelled(), "dropped");
        assertFalse(pending.cancel());
        assertFalse(pendingRan.get());
        assertThrows(RejectedExecutionException.class, () -> timer.schedule(() -> { }, 0, TimeUnit.MILLISECONDS));
        timer.stop(); // idempotent
    }

    @Test
    void aTimerNeverUsedStopsWithoutAThread() {
        timer.stop();
        assertThrows(RejectedExecutionException.class, () -> timer.schedule(() -> { }, 0, TimeUnit.MILLISECONDS));
        assertEquals(0, threadsNamed(NAME));
    }

    @Test
    void stopInterruptsAStuckTaskAndATaskMayStopItsOwnTimer() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        timer.schedule(() -> {
            stuck.countDown();
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        }, 0, TimeUnit.MILLISECONDS);
        assertTrue(stuck.await(10, TimeUnit.SECONDS));
        timer.stop();
        assertTrue(interrupted.get(10, TimeUnit.SECONDS));

        TimerLoop own = new TimerLoop(NAME + "-own");
        CompletableFuture<Thread> stoppedItself = new CompletableFuture<>();
        own.schedule(() -> {
            own.stop(); // must not wait for itself
            stoppedItself.complete(Thread.currentThread());
        }, 0, TimeUnit.MILLISECONDS);
        Thread t = stoppedItself.get(10, TimeUnit.SECONDS);
        t.join(10_000);
        assertFalse(t.isAlive(), "the loop ends after the task that stopped it");
        assertTrue(own.isStopped());
    }

    @Test
    void aTaskThatInterruptsItselfDoesNotEndTheLoop() throws Exception {
        timer.schedule(() -> Thread.currentThread().interrupt(), 0, TimeUnit.MILLISECONDS);
        CompletableFuture<Void> later = new CompletableFuture<>();
        timer.schedule(() -> later.complete(null), 50, TimeUnit.MILLISECONDS);
        later.get(10, TimeUnit.SECONDS);
        assertTrue(timer.isRunning());
    }

    /**
     * Timeouts are mostly cancelled (a session's pong, idle and close deadlines): the queue holds only the live ones,
     * its array shrinks back, and a cancelled timeout keeps nothing of its task.
     */
    @Test
    void memoryStaysBoundedByTheLiveTimeoutsHoweverManyAreCancelled() throws Exception {
        List<TimerLoop.Timeout> live = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            live.add(timer.schedule(() -> { }, 1, TimeUnit.HOURS));
        }
        int peak = 0;
        for (int round = 0; round < 100; round++) {
            List<TimerLoop.Timeout> batch = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                batch.add(timer.schedule(() -> { }, 1 + i % 60, TimeUnit.MINUTES));
            }
            peak = Math.max(peak, timer.pending());
            Collections.shuffle(batch, new Random(round));
            for (TimerLoop.Timeout timeout : batch) {
                assertTrue(timeout.cancel());
            }
            assertEquals(10, timer.pending(), "only the live timeouts are queued after round " + round);
        }
        assertEquals(1_010, peak);
        assertTrue(timer.capacity() <= 64, "the queue gave its room back: " + timer.capacity());

        Object big = new byte[1 << 20];
        Runnable task = () -> assertNotNull(big);
        WeakReference<Runnable> taskRef = new WeakReference<>(task);
        TimerLoop.Timeout handle = timer.schedule(task, 1, TimeUnit.HOURS);
        task = null;
        assertTrue(handle.cancel());
        for (int i = 0; i < 50 && taskRef.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(taskRef.get(), "a cancelled timeout the caller still holds keeps nothing of its task");
        assertEquals(10, live.stream().filter(t -> !t.isDone()).count());
    }

    /**
     * The property that keeps an undeployed application collectable. The bridge's classes belong to the web
     * application's class loader; when the JDK's pool code ({@code ThreadPoolExecutor.runWorker}, {@code
     * ScheduledThreadPoolExecutor}'s {@code ScheduledFutureTask.run}, {@code FutureTask.run}) calls them, the JIT
     * compiles that JDK code with the application's task classes inlined, and that compiled code is shared by every
     * JDK pool in the JVM: a long-lived thread of another pool (Tomcat's {@code Catalina-utility}, a client's cached
     * pool) parked inside such a frame keeps those classes, and with them the whole application's loader, reachable
     * after undeploy (measured: 1 loader of 9 kept in every run with a {@code ScheduledThreadPoolExecutor}, 0 of 9
     * with the application's own loop). So no JDK pool frame may stand between the timer's thread and a task: only
     * the bridge's own loop.
     */
    @Test
    void aTaskRunsUnderTheBridgesOwnLoopWithNoJdkPoolFrameOnItsStack() throws Exception {
        CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
        timer.schedule(() -> stack.complete(Thread.currentThread().getStackTrace()), 0, TimeUnit.MILLISECONDS);
        StackTraceElement[] frames = stack.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), TaskStack.foreignCallers(frames), "what called the task: " + Arrays.toString(frames));
    }

    /** The check above can fail: a JDK scheduler's stack has exactly the frames it looks for. */
    @Test
    void theStackCheckSeesAScheduledThreadPoolExecutor() throws Exception {
        ScheduledThreadPoolExecutor jdk = new ScheduledThreadPoolExecutor(1);
        try {
            CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
            jdk.schedule(() -> stack.complete(Thread.currentThread().getStackTrace()), 0, TimeUnit.MILLISECONDS);
            StackTraceElement[] frames = stack.get(10, TimeUnit.SECONDS);
            List<String> foreign = TaskStack.foreignCallers(frames);
            assertTrue(foreign.stream().anyMatch(f -> f.contains("java.util.concurrent.ThreadPoolExecutor.runWorker(")), foreign.toString());
            assertTrue(foreign.stream().anyMatch(f -> f.contains("java.util.concurrent.FutureTask.run(")), foreign.toString());
        } finally {
            jdk.shutdownNow();
        }
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name)).count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
