package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.testsupport.TaskStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TimerThreadTest {

    @Test
    void oneDaemonThreadNamedForTheBridgeStartedLazilyAndStoppedForGood() throws Exception {
        TimerThread timer = new TimerThread();
        assertFalse(timer.isRunning());
        TimerLoop executor = timer.get();
        assertSame(executor, timer.get(), "one timer per application");
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        executor.schedule(() -> ran.complete(Thread.currentThread()), 1, TimeUnit.MILLISECONDS);
        Thread thread = ran.get(5, TimeUnit.SECONDS);
        assertEquals(TimerThread.THREAD_NAME, thread.getName());
        assertTrue(thread.isDaemon());
        assertTrue(thread.getName().startsWith("upgrade-bridge-"));
        assertTrue(timer.isRunning());

        executor.schedule(() -> { }, 1, TimeUnit.HOURS); // a pending timeout does not keep the thread
        timer.stop();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "stop() ends the timer thread");
        assertThrows(RejectedExecutionException.class, timer::get);
        timer.stop(); // idempotent
    }

    @Test
    void aTimerNeverUsedStopsWithoutAThreadAndRefusesLaterSessions() {
        TimerThread timer = new TimerThread();
        timer.stop();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, timer::get);
        assertTrue(e.getMessage().contains("stopping"), e.getMessage());
    }

    /**
     * The sessions' timeouts run on the bridge's own loop with only the bridge's frames below them: when JDK pool code
     * (a {@code ScheduledThreadPoolExecutor}, {@code FutureTask}) calls the bridge's classes, the JIT compiles that
     * shared code with them inlined, and another pool's parked thread then keeps the web application's loader after
     * undeploy (see {@link TaskStack}).
     */
    @Test
    void timeoutsRunOnTheBridgesOwnLoopWithNoJdkPoolFrameOnTheirStack() throws Exception {
        TimerThread timer = new TimerThread();
        try {
            CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
            timer.get().schedule(() -> stack.complete(Thread.currentThread().getStackTrace()), 1, TimeUnit.MILLISECONDS);
            StackTraceElement[] frames = stack.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), TaskStack.foreignCallers(frames), "what called the timeout: " + Arrays.toString(frames));
        } finally {
            timer.stop();
        }
    }
}
