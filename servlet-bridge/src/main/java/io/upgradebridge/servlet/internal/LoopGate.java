package io.upgradebridge.servlet.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The hand-over rule of a pump's loop, over the pump's own state enum: one thread runs the loop at a
 * time, and a wake-up (a container callback or a channel signal) that arrives while the loop runs is
 * not lost but makes the loop go round once more. Every transition is a CAS.
 *
 * @param <S> the pump's states; it names which of them mean "running" and "running, recheck"
 */
public final class LoopGate<S extends Enum<S>> {

    private final AtomicReference<S> state;
    private final S running;
    private final S recheck;
    private final S done;

    public LoopGate(S initial, S running, S recheck, S done) {
        this.state = new AtomicReference<>(initial);
        this.running = running;
        this.recheck = recheck;
        this.done = done;
    }

    /**
     * A wake-up: takes the loop over from {@code resumable} (or {@code alsoResumable}, may be null).
     *
     * @return {@code true} when the caller now owns the loop and must run it; {@code false} when the
     *     pump is elsewhere, or the running loop was told to go round once more
     */
    public boolean enter(S resumable, S alsoResumable) {
        return take(resumable, alsoResumable, running);
    }

    /** Moves the pump from {@code from} (or {@code alsoFrom}, may be null) to {@code to}; a running loop goes round once more. */
    private boolean take(S from, S alsoFrom, S to) {
        while (true) {
            S now = state.get();
            if (now == from || (alsoFrom != null && now == alsoFrom)) {
                if (state.compareAndSet(now, to)) {
                    return true;
                }
            } else if (now == running) {
                // race: the wake-up came between the loop's last check and its park: make it look again
                if (state.compareAndSet(running, recheck)) {
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    /**
     * A wake-up that must not run the loop on this thread: a running loop goes round once more.
     *
     * @return whether the pump is parked in {@code parked} (the caller then asks the container to run it)
     */
    public boolean nudge(S parked) {
        while (true) {
            S now = state.get();
            if (now != running) {
                return now == parked;
            }
            // race: the wake-up came between the loop's last check and its park: make it look again
            if (state.compareAndSet(running, recheck)) {
                return false;
            }
        }
    }

    /**
     * A wake-up for a pump parked in {@code parked}, whose loop must run elsewhere (the caller arranges
     * that): moves it to {@code woken}; a running loop goes round once more instead.
     *
     * @return {@code true} when this call moved the pump from {@code parked} to {@code woken}
     */
    public boolean wake(S parked, S woken) {
        return take(parked, null, woken);
    }

    /**
     * The loop wants to stop in {@code next}.
     *
     * @return {@code true} when it stopped (or the pump ended); {@code false} when a wake-up came
     *     meanwhile and the loop must go round once more
     */
    public boolean park(S next) {
        if (state.compareAndSet(running, next)) {
            return true;
        }
        return !state.compareAndSet(recheck, running);
    }

    /** Ends the pump. @return whether this call ended it. */
    public boolean finish() {
        return state.getAndSet(done) != done;
    }

    public S get() {
        return state.get();
    }

    @Override
    public String toString() {
        return state.get().name();
    }
}
