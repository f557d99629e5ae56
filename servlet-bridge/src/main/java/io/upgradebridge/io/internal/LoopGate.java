package io.upgradebridge.io.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The bridge's one loop primitive: a loop that one thread at a time runs, that parks when it has nothing to do, naming
 * what it waits for, and that any thread may wake. Every pump of the bridge is such a loop: the read and write loops
 * of each container adapter, and a WebSocket session's frame reader.
 *
 * <p>The rules, all of them CAS transitions of one field:
 * <ul>
 *   <li>{@link #wake} from the reason the loop parked for hands the loop to the caller, who runs it (on its own
 *   thread, or on an executor: the gate does not care); a wake of any other kind does nothing.</li>
 *   <li>A wake that comes while the loop runs is not lost: the loop goes round once more instead of parking
 *   ({@link #park} answers {@code false}), because what it saw last may be stale.</li>
 *   <li>A loop that starts an operation which completes by callback (an asynchronous write) marks it
 *   {@link #pending()}; if the callback comes while the loop is still on its stack, the loop goes on there
 *   ({@link #awaitCompletion()} answers {@code false}), otherwise the callback runs it ({@link #completed()}
 *   answers {@code true}): the stack never grows, whichever thread completes the operation.</li>
 *   <li>{@link #finish()} ends the loop for good; nothing wakes it after that.</li>
 * </ul>
 *
 * <p>The loops extend it (a pump is its own gate), so that a connection, which lives as long as its session, keeps
 * no object of the gate's own.
 *
 * @param <P> why the loop parks (what may wake it), one enum per kind of loop
 */
public class LoopGate<P extends Enum<P>> {

    /** The states besides "parked for a reason of {@code P}". */
    private enum Mark {
        /** One thread runs the loop. */
        RUNNING,
        /** The loop runs, and a wake came meanwhile: it goes round once more. */
        RECHECK,
        /** The loop started an operation that completes by callback, and is still on its stack. */
        PENDING,
        /** That operation completed while the loop was still on its stack: the loop goes on there. */
        COMPLETED,
        /** The loop returned while the operation was under way: its callback runs the loop. */
        AWAITING_COMPLETION,
        /** Ended. Terminal. */
        DONE
    }

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopGate.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A {@code P} (parked for that reason) or a {@link Mark}; changed only by CAS / getAndSet through {@link #STATE}. */
    private volatile Object state;

    /** A loop parked for {@code initial}: the first wake for it starts the loop. */
    protected LoopGate(P initial) {
        this.state = initial;
    }

    /**
     * A wake for a loop parked for {@code reason}.
     *
     * @return {@code true} when the caller now owns the loop and must run it; {@code false} when the loop is parked
     *     for something else, has ended, or runs (then it goes round once more)
     */
    public final boolean wake(P reason) {
        return take(reason, null, Mark.RUNNING);
    }

    /**
     * {@link #wake(Enum)}, and when this call owns the loop, runs {@code loop} on {@code executor}: a hop off the
     * waking thread (an application's, a container's), or on this very thread with a direct executor
     * ({@code Runnable::run}). When the executor refuses (it is stopping), the loop runs here: better than a loop that
     * never runs again.
     *
     * @return whether this call ran (or handed over) the loop
     */
    public final boolean wake(P reason, Executor executor, Runnable loop) {
        return wake(reason, null, executor, loop);
    }

    /** {@link #wake(Enum, Executor, Runnable)} for a loop parked for either reason ({@code orReason} may be null). */
    public final boolean wake(P reason, P orReason, Executor executor, Runnable loop) {
        if (!take(reason, orReason, Mark.RUNNING)) {
            return false;
        }
        try {
            executor.execute(loop);
        } catch (RejectedExecutionException stopping) {
            loop.run();
        }
        return true;
    }

    /** {@link #wake(Enum)} for a loop parked for either reason. */
    public final boolean wake(P reason, P orReason) {
        return take(reason, orReason, Mark.RUNNING);
    }

    /**
     * Moves a loop parked for {@code from} to parked for {@code to}, without running it: the caller arranges that the
     * loop runs elsewhere (Tomcat: a read event it asks for). A running loop goes round once more instead.
     *
     * @return whether this call moved the loop
     */
    public final boolean move(P from, P to) {
        return take(from, null, to);
    }

    private boolean take(Object from, Object orFrom, Object to) {
        while (true) {
            Object now = state;
            if (now == from || (orFrom != null && now == orFrom)) {
                if (STATE.compareAndSet(this, now, to)) {
                    return true;
                }
            } else if (now == Mark.RUNNING) {
                // race: the wake came between the loop's last look and its park: make it look again
                if (STATE.compareAndSet(this, Mark.RUNNING, Mark.RECHECK)) {
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    /**
     * The loop wants to stop until something wakes it for {@code reason}.
     *
     * @return {@code true} when it parked (or the loop has ended meanwhile): return from the loop; {@code false} when a
     *     wake came meanwhile: go round once more
     */
    public final boolean park(P reason) {
        if (STATE.compareAndSet(this, Mark.RUNNING, reason)) {
            return true;
        }
        return !STATE.compareAndSet(this, Mark.RECHECK, Mark.RUNNING);
    }

    /** The loop is about to start an operation that completes by callback ({@link #completed()}). */
    public final void pending() {
        // a wake that came meanwhile needs no recheck: the loop looks again once the operation completed
        if (!STATE.compareAndSet(this, Mark.RUNNING, Mark.PENDING)) {
            STATE.compareAndSet(this, Mark.RECHECK, Mark.PENDING);
        }
    }

    /**
     * The loop started the operation; called right after, on the loop's stack.
     *
     * @return {@code true} when the loop must return (the callback will run it, or the loop ended); {@code false} when
     *     the operation completed already: go on here
     */
    public final boolean awaitCompletion() {
        if (STATE.compareAndSet(this, Mark.PENDING, Mark.AWAITING_COMPLETION)) {
            return true;
        }
        return !STATE.compareAndSet(this, Mark.COMPLETED, Mark.RUNNING);
    }

    /**
     * The operation's callback: it completed.
     *
     * @return {@code true} when the caller must run the loop (it had returned); {@code false} when the loop is still on
     *     its stack and goes on there, or has ended
     */
    public final boolean completed() {
        if (STATE.compareAndSet(this, Mark.PENDING, Mark.COMPLETED)) {
            return false;
        }
        return STATE.compareAndSet(this, Mark.AWAITING_COMPLETION, Mark.RUNNING);
    }

    /**
     * Ends the loop; nothing wakes it afterwards.
     *
     * @return whether this call ended it
     */
    public final boolean finish() {
        return STATE.getAndSet(this, Mark.DONE) != Mark.DONE;
    }

    /** Whether the loop has ended. */
    public final boolean isDone() {
        return state == Mark.DONE;
    }

    /** Whether the loop is parked for {@code reason} right now. */
    public final boolean isParked(P reason) {
        return state == reason;
    }

    /** The gate's state: the reason the loop parked for, or RUNNING, RECHECK, PENDING, COMPLETED, AWAITING_COMPLETION, DONE. */
    public final String gateState() {
        return String.valueOf(state);
    }

    @Override
    public String toString() {
        return gateState();
    }
}
