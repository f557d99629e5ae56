package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.internal.FrameInbox;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the session's answer to the peer's close, or to a protocol error, behind the handler's answers to the frames
 * that came before it (an echo of the last message, say): the close must not overtake them. The handler's frames end
 * with the cause, and the action runs once the handler has dealt with every frame before the end (it asked for one
 * more), has ended, or the timeout passed, whichever comes first; at once when there is nothing to wait for. Only the
 * first action counts.
 */
final class OrderingGate {

    /** In {@link #action} once the action ran. */
    private static final Runnable DONE = () -> { };

    private final FrameInbox inbox;
    private final SessionTimers timers;
    private final Duration timeout;
    /**
     * {@code null} before an action was set, the action while it waits, {@link #DONE} once a thread took it to run (it
     * may still be running there). Once set, the handler's exit no longer decides how the session closes.
     */
    private final AtomicReference<Runnable> action = new AtomicReference<>();
    /** Set once the handler's stage completed (or it threw): nobody is left to answer frames. */
    private volatile boolean handlerDone;

    OrderingGate(FrameInbox inbox, SessionTimers timers, Duration timeout) {
        this.inbox = inbox;
        this.timers = timers;
        this.timeout = timeout;
    }

    /**
     * Ends the handler's frames with {@code cause} and runs {@code then} after them.
     *
     * @param handlerMayAnswer whether the handler may still answer frames it has or will receive (it reads, and no
     *     close of ours went out)
     */
    void after(Throwable cause, boolean handlerMayAnswer, Runnable then) {
        if (!action.compareAndSet(null, then)) { // race: an error right after the peer's close; the first decides
            return;
        }
        boolean nothingToWaitFor = handlerDone || !handlerMayAnswer;
        inbox.end(cause);
        if (nothingToWaitFor) {
            release();
            return;
        }
        inbox.whenEndSeen(this::release);
        timers.schedule(timeout, this::release);
    }

    /** Whether an action was set: the session stopped reading at the peer's close or an error. */
    boolean isSet() {
        return action.get() != null;
    }

    /** The handler's stage completed: from now on nothing waits for it. */
    void handlerEnded() {
        handlerDone = true;
    }

    /** Runs the waiting action now (once). */
    void release() {
        Runnable waiting = action.getAndSet(DONE);
        if (waiting != null && waiting != DONE) {
            waiting.run();
        }
    }
}
