package io.upgradebridge.websockets.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SessionTimerTest {

    @Test
    void oneDaemonThreadNamedForTheBridgeStartedLazilyAndStoppedForGood() throws Exception {
        SessionTimer timer = new SessionTimer();
        assertFalse(timer.isRunning());
        ScheduledExecutorService executor = timer.get();
        assertSame(executor, timer.get(), "one timer per application");
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        executor.schedule(() -> ran.complete(Thread.currentThread()), 1, TimeUnit.MILLISECONDS);
        Thread thread = ran.get(5, TimeUnit.SECONDS);
        assertEquals(SessionTimer.THREAD_NAME, thread.getName());
        assertTrue(thread.isDaemon());
        assertTrue(thread.getName().startsWith("upgrade-bridge-"));

        executor.schedule(() -> { }, 1, TimeUnit.HOURS); // a pending timeout does not keep the thread
        timer.stop();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "stop() ends the timer thread");
        assertThrows(RejectedExecutionException.class, timer::get);
        timer.stop(); // idempotent
    }

    @Test
    void aTimerNeverUsedStopsWithoutAThreadAndRefusesLaterSessions() {
        SessionTimer timer = new SessionTimer();
        timer.stop();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, timer::get);
        assertTrue(e.getMessage().contains("stopping"), e.getMessage());
    }
}
