package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.TimerLoop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The timer tasks of one session (ping, pong deadline, idle check, close deadline), so that all of them are
 * cancelled when the session ends: nothing stays in the shared scheduler after a session. A task scheduled
 * after {@link #cancelAll()} is not scheduled at all.
 */
final class SessionTimers {

    private final TimerLoop timer;
    private final Executor runner;
    // guarded by this; made with the first task
    private List<TimerLoop.Timeout> scheduled;
    private boolean cancelled;

    /**
     * @param timer only ticks: its one thread never runs a task itself
     * @param runner runs the tasks (the session's user executor), so nothing a task completes (the
     *     application's callbacks on {@code closeReason()}, say) runs on, or holds up, the shared timer thread
     */
    SessionTimers(TimerLoop timer, Executor runner) {
        this.timer = timer;
        this.runner = runner;
    }

    /** Runs {@code task} after {@code delay} unless the session ended before. */
    void schedule(Duration delay, Runnable task) {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            if (scheduled == null) {
                scheduled = new ArrayList<>(4);
            }
            // forget tasks that ran or were cancelled, so a long session does not collect them
            scheduled.removeIf(TimerLoop.Timeout::isDone);
            try {
                scheduled.add(timer.schedule(() -> hand(task), delay.toNanos(), TimeUnit.NANOSECONDS));
            } catch (RejectedExecutionException shutDown) {
                // the scheduler stopped (the application is going away): the session ends through its job instead
            }
        }
    }

    private void hand(Runnable task) {
        try {
            runner.execute(task);
        } catch (RejectedExecutionException shutDown) {
            // the executor stopped (the application is going away): the session ends through its job instead
        }
    }

    /** Cancels every task and refuses new ones. */
    void cancelAll() {
        List<TimerLoop.Timeout> toCancel;
        synchronized (this) {
            cancelled = true;
            toCancel = scheduled;
            scheduled = null;
        }
        if (toCancel != null) {
            for (TimerLoop.Timeout timeout : toCancel) {
                timeout.cancel();
            }
        }
    }

    /** Tasks scheduled and not yet run or cancelled, for tests. */
    synchronized int pending() {
        return scheduled == null ? 0 : (int) scheduled.stream().filter(f -> !f.isDone()).count();
    }
}
