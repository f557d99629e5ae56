package io.upgradebridge.servlet.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches an {@linkplain ExecutorChoice.OwnPool elastic pool} while tasks wait in its queue, and adds threads when
 * they starve. The pool starts its first few threads freely (one whenever none is free); past them it queues tasks,
 * because a burst of short tasks on a busy machine finishes sooner on a few threads than on a new thread each (a
 * burst of a thousand handshakes grew a pool that started a thread whenever none was free to 186 threads, for
 * sessions that then sat idle). Queued tasks must still never wait behind threads that block for good (application
 * code may block): this watch looks every {@value #TICK_MILLIS} ms, and
 * <ul>
 *   <li>when no task finished during a whole tick while tasks waited, and none of the pool's threads is runnable,
 *       every thread is blocked: it starts a thread for each waiting task (up to the pool's maximum), so a thousand
 *       blocked handlers cost one tick, not a thousand. (A runnable thread is working, or waiting for a core: on a
 *       busy machine a tick can pass without any of the pool's threads getting one, and more threads would not
 *       help; a burst of a thousand handshakes on 2 cores grew a pool to 99 threads before this check);</li>
 *   <li>when tasks did finish but the queue has not been empty for {@value #SLOW_TICKS} ticks in a row, the threads
 *       are slow rather than stuck (long tasks, or a machine without CPU to spare): it starts one thread a tick.</li>
 * </ul>
 * The watch is a thread of its own only while the pool has tasks waiting; it ends after {@value #IDLE_TICKS} ticks
 * without any, so an idle pool holds no thread at all.
 */
final class StarvationWatch implements Runnable {

    /** How often the watch looks at the queue. */
    static final long TICK_MILLIS = 20;
    /** Ticks with tasks waiting (and some finishing) after which one thread is added per tick. */
    static final int SLOW_TICKS = 25;
    /** Ticks without any waiting task after which the watch's thread ends. */
    static final int IDLE_TICKS = 50;

    /** The watched pool, as far as the watch needs it. */
    interface Pool {
        /** Tasks waiting in the queue now. */
        int waiting();

        /** Tasks finished since the pool started (any monotonic count will do). */
        long finished();

        /** Whether any of the pool's threads (not the watch's) is runnable now: working, or waiting for a core. */
        boolean anyRunnable();

        /** Starts up to {@code threads} more threads (fewer at the pool's maximum); returns how many it started. */
        int addThreads(int threads);

        /** True once the pool is shut down: the watch ends. */
        boolean stopped();

        /** Makes (does not start) the watch's thread, or returns {@code null} when none can be made. */
        Thread newThread(Runnable watch);
    }

    private enum State { IDLE, WATCHING }

    private final Pool pool;
    private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);
    private volatile Thread thread;

    StarvationWatch(Pool pool) {
        this.pool = pool;
    }

    /** A task was queued with every thread busy: watch, if not watching already. */
    void taskQueued() {
        if (state.get() == State.WATCHING || !state.compareAndSet(State.IDLE, State.WATCHING)) {
            return; // race: two submitters queue at once; one starts the thread
        }
        Thread t = pool.newThread(this);
        if (t == null) {
            state.set(State.IDLE); // no thread to be had (the server is stopping): the pool's own rules still apply
            return;
        }
        thread = t;
        t.start();
    }

    /** The watch's thread while it runs, for joining on shutdown. */
    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        long lastFinished = pool.finished();
        int waitingTicks = 0;
        int idleTicks = 0;
        while (!pool.stopped()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            if (Thread.interrupted()) {
                continue; // shutdown interrupts: the loop condition ends it; anything else does not stop the watch
            }
            int waiting = pool.waiting();
            long finished = pool.finished();
            if (waiting == 0) {
                waitingTicks = 0;
                if (++idleTicks >= IDLE_TICKS) {
                    state.set(State.IDLE);
                    // race: a task queued after the check above saw WATCHING and started no watch: take it on again
                    if (pool.waiting() == 0 || !state.compareAndSet(State.IDLE, State.WATCHING)) {
                        return;
                    }
                    idleTicks = 0;
                }
            } else {
                idleTicks = 0;
                waitingTicks++;
                if (finished == lastFinished && !pool.anyRunnable()) {
                    pool.addThreads(waiting);
                } else if (waitingTicks >= SLOW_TICKS) {
                    pool.addThreads(1);
                }
            }
            lastFinished = finished;
        }
        state.set(State.IDLE);
    }
}
