package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.RingByteChannel;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

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
        /** The channel is full: the channel's producer signal resumes the loop. */
        PAUSED,
        /** Input ended, failed, or was cancelled. Terminal. */
        DONE
    }

    private final ServletInputStream in;
    private final UpgradedConnection connection;
    private final RingByteChannel input;
    private final AtomicReference<State> state = new AtomicReference<>(State.AWAITING_DATA);

    ServletReadPump(ServletInputStream in, UpgradedConnection connection) {
        this.in = in;
        this.connection = connection;
        this.input = connection.input();
    }

    /** Producer signal of the input channel: room again, or the reader cancelled. */
    void onChannelSignal() {
        Throwable cancelled = input.isClosedForWrite() ? input.closedCause() : null;
        if (cancelled != null && finish()) {
            connection.transportFailed(cancelled); // the application cancelled its input (or the connection is being aborted)
            return;
        }
        if (state.compareAndSet(State.PAUSED, State.READING)) {
            connection.engine().execute(this::readLoop); // resume off the application's thread
        }
    }

    @Override
    public void onDataAvailable() {
        if (state.compareAndSet(State.AWAITING_DATA, State.READING)) {
            readLoop();
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
                    // race: onAllDataRead/onError may have ended the pump meanwhile; then DONE stays
                    state.compareAndSet(State.READING, State.AWAITING_DATA);
                    return;
                }
                ByteBuffer room = input.writableSlice();
                if (!room.hasRemaining()) {
                    if (input.isClosedForWrite()) {
                        continue;
                    }
                    if (!state.compareAndSet(State.READING, State.PAUSED)) {
                        return; // ended meanwhile
                    }
                    // race: the reader may have made room between writableSlice() and PAUSED; take it back
                    if (input.availableForWrite() == 0 && !input.isClosedForWrite()) {
                        return;
                    }
                    if (!state.compareAndSet(State.PAUSED, State.READING)) {
                        return; // the signal resumed the loop on another thread
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
        return state.getAndSet(State.DONE) != State.DONE;
    }

    @Override
    public String toString() {
        return "ServletReadPump{" + state.get() + '}';
    }
}
