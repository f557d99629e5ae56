package io.upgradebridge.websockets.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one timer thread of an application's WebSocket sessions (pings, pong and close timeouts, idle timeouts),
 * named {@value #THREAD_NAME}. Created by the first session that asks for it, stopped by {@link #stop} when the
 * application stops; after that no timer is handed out any more.
 */
public final class SessionTimer {

    /** The name of the timer thread; the {@code upgrade-bridge-} prefix marks every thread of the bridge. */
    public static final String THREAD_NAME = "upgrade-bridge-websockets-timer";

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websockets");
    private static final long STOP_WAIT_MILLIS = 2_000;

    /** Transitions only by CAS: UNUSED -> RUNNING -> STOPPED, or UNUSED -> STOPPED. */
    enum State { UNUSED, RUNNING, STOPPED }

    private final AtomicReference<State> state = new AtomicReference<>(State.UNUSED);
    private final AtomicReference<ScheduledThreadPoolExecutor> executor = new AtomicReference<>();

    /**
     * The timer, created on first use.
     *
     * @throws RejectedExecutionException when the application is stopping
     */
    public ScheduledExecutorService get() {
        ScheduledThreadPoolExecutor existing = executor.get();
        if (existing == null) {
            if (state.get() == State.STOPPED) {
                throw stopped();
            }
            // The pool starts its thread with the first task, so a candidate that loses the race costs nothing.
            ScheduledThreadPoolExecutor candidate = newExecutor();
            if (executor.compareAndSet(null, candidate)) {
                if (!state.compareAndSet(State.UNUSED, State.RUNNING)) { // race: stop() came before our CAS
                    candidate.shutdownNow();
                    throw stopped();
                }
            } else {
                candidate.shutdownNow(); // race: another session created the timer first
            }
            existing = executor.get();
        }
        if (state.get() == State.STOPPED) {
            throw stopped();
        }
        return existing;
    }

    /** Stops the timer thread (bounded wait); pending timeouts are dropped. Idempotent. */
    public void stop() {
        if (state.getAndSet(State.STOPPED) == State.STOPPED) {
            return;
        }
        ScheduledThreadPoolExecutor e = executor.get(); // race: get() may set it after this read; it then sees STOPPED
        if (e == null) {
            return;
        }
        e.shutdownNow();
        try {
            if (!e.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, THREAD_NAME + " did not stop within " + STOP_WAIT_MILLIS + " ms: a timer task is stuck");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the timer thread has been created and not stopped. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    private static ScheduledThreadPoolExecutor newExecutor() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true); // timeouts are mostly cancelled: keep the queue as small as the live sessions
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    private static RejectedExecutionException stopped() {
        return new RejectedExecutionException("the web application is stopping: no new WebSocket sessions");
    }

    @Override
    public String toString() {
        return "SessionTimer{" + state.get() + '}';
    }
}
