package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.RingByteChannel;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Moves bytes from an upgraded {@link ServletInputStream} into the connection's input channel.
 * Container callbacks only read and signal; when the channel is full the pump pauses (and with it the
 * socket reads) until the application makes room.
 */
final class ServletReadPump implements ReadListener {

    /** Who drives the pump now. Transitions only by CAS. */
    enum State {
        /** {@code isReady()} said no: the container calls {@link #onDataAvailable()} next. */
        AWAITING_DATA,
        /** One thread is inside the read loop. */
        READING,
        /** Inside the loop, and a callback or signal came meanwhile: the loop must go round once more. */
        READING_RECHECK,
        /** The channel is full: the channel's producer signal resumes the loop. */
        PAUSED,
        /** Input ended, failed, or was cancelled. Terminal. */
        DONE
    }

    private final ServletInputStream in;
    private final UpgradedConnection connection;
    private final RingByteChannel input;
    private final LoopGate<State> gate = new LoopGate<>(State.AWAITING_DATA, State.READING, State.READING_RECHECK, State.DONE);
    /**
     * Tomcat dispatches {@code onDataAvailable()} again after every read event of an upgraded connection,
     * even when the application did not read until {@code isReady()} said no, and it fills its own read
     * buffer right before; touching the stream from another thread then races with that fill. Undertow's
     * stream is not safe to read outside its I/O thread at all ({@link UndertowReadEvents}). So on those two
     * a paused pump resumes in an {@code onDataAvailable()} on the container's thread, asked for with
     * {@link TomcatSocketEvents#dispatchRead} or {@link UndertowReadEvents#dispatchRead} when the application
     * makes room.
     */
    private final boolean resumeOnlyInCallbacks;
    private final boolean onUndertow;

    ServletReadPump(ServletInputStream in, UpgradedConnection connection) {
        this.in = in;
        this.connection = connection;
        this.input = connection.input();
        this.onUndertow = UndertowReadEvents.applies(in);
        this.resumeOnlyInCallbacks = onUndertow || TomcatSocketEvents.applies(in);
    }

    /** Producer signal of the input channel: room again, or the reader cancelled. */
    void onChannelSignal() {
        Throwable cancelled = input.isClosedForWrite() ? input.closedCause() : null;
        if (cancelled != null && finish()) {
            connection.transportFailed(cancelled); // the application cancelled its input (or the connection is being aborted)
            return;
        }
        if (!resumeOnlyInCallbacks) {
            drive(State.PAUSED, null, true);
        } else if (gate.nudge(State.PAUSED)) {
            // bytes the container already read ahead raise no socket event: ask for a read dispatch on its thread
            if (onUndertow) {
                UndertowReadEvents.dispatchRead(in);
            } else {
                TomcatSocketEvents.dispatchRead(in);
            }
        }
    }

    @Override
    public void onDataAvailable() {
        drive(State.AWAITING_DATA, resumeOnlyInCallbacks ? State.PAUSED : null, false);
    }

    /** Runs the loop if the pump is in a resumable state; if a loop is running, makes it go round once more. */
    private void drive(State resumable, State alsoResumable, boolean dispatch) {
        if (gate.enter(resumable, alsoResumable)) {
            if (dispatch) {
                connection.engine().execute(this::readLoop); // resume off the application's thread
            } else {
                readLoop();
            }
        }
    }

    private void readLoop() {
        try {
            while (true) {
                if (input.isClosedForWrite()) {
                    finish();
                    if (input.closedCause() != null) {
                        connection.transportFailed(input.closedCause()); // the application cancelled its input
                    }
                    return;
                }
                if (!in.isReady()) {
                    input.releaseIfEmpty(); // an idle connection holds no buffer
                    if (gate.park(State.AWAITING_DATA)) {
                        return;
                    }
                    continue;
                }
                ByteBuffer room = input.writableSlice();
                if (!room.hasRemaining()) {
                    if (input.isClosedForWrite()) {
                        continue;
                    }
                    // room made after writableSlice() came back empty turned READING into READING_RECHECK
                    if (gate.park(State.PAUSED)) {
                        return;
                    }
                    continue;
                }
                int n = in.read(room.array(), room.arrayOffset() + room.position(), room.remaining());
                if (n < 0) {
                    onAllDataRead();
                    return;
                }
                input.commit(n);
            }
        } catch (IOException | RuntimeException e) {
            onError(e);
        }
    }

    @Override
    public void onAllDataRead() {
        if (finish()) {
            connection.inputEnded();
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!finish()) {
            return;
        }
        if (t instanceof EOFException) {
            connection.inputEnded(); // Tomcat reports a peer's FIN as onError(EOFException) before onAllDataRead
        } else {
            connection.transportFailed(t);
        }
    }

    private boolean finish() {
        return gate.finish();
    }

    @Override
    public String toString() {
        return "ServletReadPump{" + gate + '}';
    }
}
