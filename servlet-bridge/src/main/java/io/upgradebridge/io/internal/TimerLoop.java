package io.upgradebridge.io.internal;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A timer of the bridge's own: one daemon thread, started by the first {@link #schedule} with the name the owner
 * gives and the bridge's class loader as its context loader, that runs each task once its delay is over, in the order
 * of their deadlines (tasks due at the same time in the order they were scheduled). {@link #stop} drops what is
 * pending and ends the thread; nothing is scheduled after that.
 *
 * <p>Why not a {@link java.util.concurrent.ScheduledThreadPoolExecutor}: the bridge's classes belong to the web
 * application's class loader (the bridge is in the WAR). Tasks that the JDK's pool code runs ({@code
 * ThreadPoolExecutor.runWorker}, {@code FutureTask.run}) get inlined by the JIT into that code's compiled form, which
 * every JDK pool in the JVM shares; a long-lived thread of another pool (the container's utility scheduler, a client's
 * cached pool) parked inside such a compiled frame then keeps the application's classes, and so its class loader,
 * reachable after the application is undeployed. Here the loop that calls the tasks is the bridge's own code on the
 * bridge's own thread: no JDK frame calls a task, and the compiled loop goes away with the application. The deadline
 * queue is the bridge's own heap for the same reason (no JDK collection calls the bridge's comparator).
 *
 * <p>Most timeouts are cancelled before they fire: {@link Timeout#cancel} takes the entry out of the queue at once
 * (O(log n)), so the queue holds only the live timeouts, however many were cancelled.
 *
 * <p>Tasks must be short and must not block: they run one after the other on the one thread. A task that throws is
 * logged and the loop goes on.
 */
public final class TimerLoop {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.io");
    private static final long STOP_WAIT_MILLIS = 2_000;
    private static final int INITIAL_CAPACITY = 16;

    /** Transitions only by CAS: UNUSED -> RUNNING (first schedule starts the thread) -> STOPPED, or UNUSED -> STOPPED. */
    enum State { UNUSED, RUNNING, STOPPED }

    /** Where a timeout is; changed only under the loop's lock, read without it. */
    private enum Phase {
        /** In the queue. */
        PENDING,
        /** Taken out of the queue by the loop to run (running or ran). Terminal. */
        TAKEN,
        /** Cancelled, or dropped by {@link #stop}. Terminal. */
        CANCELLED
    }

    private final String threadName;
    private final AtomicReference<State> state = new AtomicReference<>(State.UNUSED);
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the head of the queue changes or the loop is stopped. */
    private final Condition changed = lock.newCondition();
    /** Binary min-heap by deadline, then sequence; guarded by {@link #lock}. */
    private Timeout[] heap = new Timeout[INITIAL_CAPACITY];
    private int size; // guarded by lock
    private long sequence; // guarded by lock
    private volatile Thread thread; // written under lock, once

    /** @param threadName the name of the timer's thread, one that says whose it is ({@code upgrade-bridge-...}) */
    public TimerLoop(String threadName) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
    }

    /**
     * Runs {@code task} on the timer's thread once {@code delay} is over; a delay of zero or less runs it as soon as
     * the thread gets to it. Starts the thread on first use.
     *
     * @return the handle that cancels it
     * @throws RejectedExecutionException when the timer is stopped
     */
    public Timeout schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long now = System.nanoTime();
        long deadline = now + Math.min(unit.toNanos(Math.max(delay, 0)), Long.MAX_VALUE / 2); // no overflow
        lock.lock();
        try {
            // race: two first schedules; the lock orders them, and only the CAS winner starts the thread
            if (state.compareAndSet(State.UNUSED, State.RUNNING)) {
                startThread();
            } else if (state.get() == State.STOPPED) {
                throw new RejectedExecutionException(threadName + " is stopped");
            }
            // race: stop() may set STOPPED from here on; it takes the lock after us and drops this timeout
            Timeout timeout = new Timeout(this, task, deadline, sequence++);
            add(timeout);
            if (timeout.heapIndex == 0) {
                changed.signal(); // a new earliest deadline: the loop waits less
            }
            return timeout;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops every pending timeout (they count as cancelled), ends the thread and waits for it, at most two seconds
     * (a task that is stuck is interrupted; a warning says so if it does not end). Idempotent; nothing is scheduled
     * afterwards.
     */
    public void stop() {
        State before = state.getAndSet(State.STOPPED);
        if (before == State.STOPPED) {
            return;
        }
        Thread t;
        lock.lock();
        try {
            // race: a schedule() that got the lock before us added a timeout (and maybe started the thread): dropped here
            for (int i = 0; i < size; i++) {
                heap[i].drop();
                heap[i] = null;
            }
            size = 0;
            heap = new Timeout[INITIAL_CAPACITY];
            changed.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t == null || t == Thread.currentThread()) {
            return; // never started, or a task of ours stops the timer: the loop ends when the task returns
        }
        t.interrupt(); // a task that waits for something is not waited for
        try {
            t.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return;
        }
        if (t.isAlive()) {
            LOG.log(Level.WARNING, threadName + " did not stop within " + STOP_WAIT_MILLIS + " ms: a timer task is stuck");
        }
    }

    /** Whether the thread has been started and the timer not stopped. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** Whether {@link #stop} was called. */
    public boolean isStopped() {
        return state.get() == State.STOPPED;
    }

    /** Number of timeouts waiting in the queue (cancelled ones are not there). */
    public int pending() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Room for the queue's entries, for tests: it shrinks again when most timeouts are gone. */
    int capacity() {
        lock.lock();
        try {
            return heap.length;
        } finally {
            lock.unlock();
        }
    }

    private void startThread() {
        Thread t = new OwnRunThread(threadName, this::loop); // no JDK frame stands between the thread and a task
        thread = t;
        t.start();
    }

    // ------------------------------------------------------------------ the loop (the timer's thread)

    private void loop() {
        Timeout due;
        while ((due = next()) != null) {
            Runnable task = due.task;
            due.task = null;
            try {
                task.run();
            } catch (Throwable failed) {
                LOG.log(Level.WARNING, "a task on " + threadName + " failed; the timer goes on", failed);
            }
        }
    }

    /** Waits for the next timeout that is due and takes it out of the queue; {@code null} once the timer is stopped. */
    private Timeout next() {
        lock.lock();
        try {
            while (true) {
                if (state.get() == State.STOPPED) {
                    return null;
                }
                try {
                    if (size == 0) {
                        changed.await();
                        continue;
                    }
                    Timeout head = heap[0];
                    long wait = head.deadline - System.nanoTime();
                    if (wait <= 0) {
                        removeAt(0);
                        head.phase = Phase.TAKEN;
                        return head;
                    }
                    changed.awaitNanos(wait);
                } catch (InterruptedException interrupted) {
                    // stop() interrupts (the state says so above), or a task interrupted its own thread: look again
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ the heap (guarded by lock)

    private static boolean before(Timeout a, Timeout b) {
        long d = a.deadline - b.deadline; // nanoTime values: compare by difference
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void add(Timeout timeout) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        siftUp(i, timeout);
    }

    private void removeAt(int i) {
        Timeout removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        Timeout moved = heap[last];
        heap[last] = null;
        if (i != last) {
            siftDown(i, moved);
            if (heap[i] == moved) {
                siftUp(i, moved);
            }
        }
        // many cancelled timeouts leave a big array behind: give the room back once the queue is a quarter full
        if (heap.length > INITIAL_CAPACITY && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, Math.max(INITIAL_CAPACITY, heap.length / 2));
        }
    }

    private void siftUp(int i, Timeout timeout) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timeout p = heap[parent];
            if (!before(timeout, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = timeout;
        timeout.heapIndex = i;
    }

    private void siftDown(int i, Timeout timeout) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            Timeout c = heap[child];
            if (!before(c, timeout)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = timeout;
        timeout.heapIndex = i;
    }

    private boolean cancel(Timeout timeout) {
        lock.lock();
        try {
            // race: the loop takes it (TAKEN) or stop() drops it (CANCELLED) under the same lock: only one of us wins
            if (timeout.phase != Phase.PENDING) {
                return false;
            }
            timeout.phase = Phase.CANCELLED;
            timeout.task = null;
            boolean wasHead = timeout.heapIndex == 0;
            removeAt(timeout.heapIndex);
            if (wasHead) {
                changed.signal(); // the loop waits for a later deadline now (or for nothing)
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "TimerLoop{" + threadName + ", " + state.get() + ", " + pending() + " pending}";
    }

    /** One scheduled task: cancel it, or ask whether it is done with (ran, is running, or was cancelled). */
    public static final class Timeout {
        private final TimerLoop timer;
        private final long deadline;
        private final long sequence;
        private Runnable task; // guarded by the timer's lock until TAKEN; null once done with, so it is not kept
        private int heapIndex = -1; // guarded by the timer's lock
        private volatile Phase phase = Phase.PENDING;

        private Timeout(TimerLoop timer, Runnable task, long deadline, long sequence) {
            this.timer = timer;
            this.task = task;
            this.deadline = deadline;
            this.sequence = sequence;
        }

        /**
         * Takes the task out of the queue unless it started already.
         *
         * @return {@code true} when this call cancelled it: it will not run
         */
        public boolean cancel() {
            return phase == Phase.PENDING && timer.cancel(this);
        }

        /** Whether the task was taken to run, was cancelled, or was dropped by {@link #stop}: it will not start any more. */
        public boolean isDone() {
            return phase != Phase.PENDING;
        }

        /** Whether {@link #cancel} (or {@link #stop}) came before the task started. */
        public boolean isCancelled() {
            return phase == Phase.CANCELLED;
        }

        /** The {@link System#nanoTime()} at which it is due, for tests. */
        long deadline() {
            return deadline;
        }

        /** The order among timeouts with the same deadline, for tests. */
        long sequence() {
            return sequence;
        }

        private void drop() { // under the timer's lock
            phase = Phase.CANCELLED;
            task = null;
            heapIndex = -1;
        }

        @Override
        public String toString() {
            return "Timeout{" + phase + '}';
        }
    }
}
