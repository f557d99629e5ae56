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
 *   <li>when no task was taken from the queue for {@value #BLOCKED_TICKS} ticks and none finished in the last,
 *       and none of the pool's threads is runnable (or waiting for a monitor), every thread is blocked: it starts a
 *       thread for each waiting task (up to the pool's maximum), so a thousand blocked handlers cost a few ticks, not
 *       a thousand. (A runnable thread is working, or waiting for a core: on a busy machine a tick can pass without
 *       any of the pool's threads getting one, and more threads would not help; a burst of a thousand handshakes on
 *       2 cores grew a pool to 99 threads before these checks);</li>
 *   <li>when the task at the head of the queue has been there for {@value #SLOW_TICKS} ticks, the threads are too
 *       slow whatever they do (blocked in I/O, which a thread's state shows as runnable; long tasks; or a machine
 *       with no core to spare, where more threads get the pool a larger share of the cores): it starts a thread for
 *       each waiting task. (Counting ticks with the queue not empty instead grew a pool to 115 threads while 5,000
 *       sessions opened on 2 cores: its tasks each waited a few milliseconds, but the queue was never empty.)</li>
 * </ul>
 * The watch is a thread of its own only while the pool has tasks waiting; it ends after {@value #IDLE_TICKS} ticks
 * without any, so an idle pool holds no thread at all.
 */
final class StarvationWatch implements Runnable {

    /** How often the watch looks at the queue. */
    static final long TICK_MILLIS = 20;
    /** Ticks the same task stays at the head of the queue, none finishing, after which blocked threads count as stuck. */
    static final int BLOCKED_TICKS = 2;
    /** Ticks the same task stays at the head of the queue after which threads are added whatever the threads do. */
    static final int SLOW_TICKS = 25;
    /** Ticks without any waiting task after which the watch's thread ends. */
    static final int IDLE_TICKS = 50;

    /** The watched pool, as far as the watch needs it. */
    interface Pool {
        /** Tasks waiting in the queue now. */
        int waiting();

        /** The task at the head of the queue (compared by identity), or {@code null} when none waits. */
        Object head();

        /** Tasks finished since the pool started (any monotonic count will do). */
        long finished();

        /**
         * Whether any of the pool's threads (not the watch's) is runnable now (working, or waiting for a core) or
         * waiting to enter a monitor (it goes on when the holder gets a core).
         */
        boolean anyRunnable();

        /** Starts up to {@code threads} more threads (fewer at the pool's maximum). */
        void addThreads(int threads);

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
        Object lastHead = null;
        int headTicks = 0;
        int idleTicks = 0;
        while (!pool.stopped()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            if (Thread.interrupted()) {
                continue; // shutdown interrupts: the loop condition ends it; anything else does not stop the watch
            }
            int waiting = pool.waiting();
            long finished = pool.finished();
            Object head = pool.head();
            headTicks = head != null && head == lastHead ? headTicks + 1 : 0;
            lastHead = head;
            if (waiting == 0) {
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
                // stuck: the same task at the head for BLOCKED_TICKS ticks (none taken), none finished in the last one,
                // and no thread runnable. (Without the head check, on 2 cores with 190 busy container threads, a tick
                // passed now and then in which 4 threads that were taking tasks finished none: signalled threads that
                // have not had a core yet still show as waiting, and so do threads waiting for a container's lock)
                boolean stuck = headTicks >= BLOCKED_TICKS && finished == lastFinished && !pool.anyRunnable();
                if (stuck || headTicks >= SLOW_TICKS) {
                    pool.addThreads(waiting);
                    headTicks = 0;
                }
            }
            lastFinished = finished;
        }
        state.set(State.IDLE);
    }
}
