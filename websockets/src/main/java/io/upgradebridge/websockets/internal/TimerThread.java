package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.TimerLoop;

import java.util.concurrent.RejectedExecutionException;

/**
 * The one timer thread of an application's WebSocket sessions (pings, pong and close timeouts, idle timeouts),
 * named {@value #THREAD_NAME}: a {@link TimerLoop} (the bridge's own loop, never a JDK pool, so that no JDK code
 * compiled with the application's classes inlined outlives the application). Its thread starts with the first
 * timeout a session schedules; {@link #stop} ends it when the application stops, and after that no timer is handed
 * out any more.
 */
public final class TimerThread {

    /** The name of the timer thread; the {@code upgrade-bridge-} prefix marks every thread of the bridge. */
    public static final String THREAD_NAME = "upgrade-bridge-websockets-timer";

    private final TimerLoop loop = new TimerLoop(THREAD_NAME);

    /**
     * The timer; its thread starts with the first timeout scheduled.
     *
     * @throws RejectedExecutionException when the application is stopping
     */
    public TimerLoop get() {
        if (loop.isStopped()) {
            // race: stop() may come right after this check; the session's schedule() is then refused, and it ends
            // through its job like every other session of the stopping application
            throw new RejectedExecutionException("the web application is stopping: no new WebSocket sessions");
        }
        return loop;
    }

    /** Stops the timer thread (bounded wait); pending timeouts are dropped. Idempotent. */
    public void stop() {
        loop.stop();
    }

    /** Whether the timer thread has been started and not stopped. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public String toString() {
        return "TimerThread{" + loop + '}';
    }
}
