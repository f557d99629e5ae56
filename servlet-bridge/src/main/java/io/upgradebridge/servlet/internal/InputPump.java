package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.FillPort;
import io.upgradebridge.io.internal.LoopGate;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read loop of every container adapter: fills a connection's input ({@link FillPort}) with what the container
 * has, parks when the container has nothing (until the container says it has) or the input is full (until the
 * application makes room), and tells the connection when the input ends or fails. Container callbacks only fill and
 * signal; nothing here blocks or runs application code.
 *
 * <p>An adapter says only how to fill ({@link #fill}) and, where its container needs it, how to wait for the container
 * ({@link #awaitData}) and how to resume after a pause ({@link #resume}). The pump is its own {@link LoopGate}: the
 * hand-over between the threads that wake the loop is the gate's. It is also the input's signal ({@link #run()}).
 */
public abstract class InputPump extends LoopGate<InputPump.Park> implements Runnable {

    /** What the loop waits for. */
    public enum Park {
        /** The container has no bytes now: its event (fill interest, {@code onDataAvailable}, a read event) wakes the loop. */
        AWAITING_DATA,
        /** The input is full: the application's read makes room, and the input's signal wakes the loop. */
        PAUSED,
        /** Room came after a pause, and the adapter asked the container to run the loop on its own thread (Tomcat). */
        RESUMING
    }

    /** How a run of the loop ended (Tomcat answers its socket event with it). */
    public enum Stop {
        /** Parked until the container has bytes. */
        AWAITING_DATA,
        /** Parked until the application makes room. */
        PAUSED,
        /** The peer ended its input. */
        ENDED,
        /** The input was closed (by the application, or by the connection). */
        CLOSED,
        /** Reading failed; the connection was told. */
        FAILED
    }

    protected final UpgradedConnection connection;
    protected final FillPort input;

    protected InputPump(UpgradedConnection connection) {
        super(Park.AWAITING_DATA);
        this.connection = connection;
        this.input = connection.inputPort();
    }

    /** Installs the input's signal (this pump); once, before the loop first runs. */
    public final void attach() {
        input.onRoom(this);
    }

    /**
     * Reads what the container has now into {@code room} (position 0, limit = free space), without blocking.
     *
     * @return the number of bytes read, {@code 0} when the container has none now, {@code -1} at the end of input
     */
    protected abstract int fill(ByteBuffer room) throws IOException;

    /**
     * The container had no bytes: park for {@link Park#AWAITING_DATA} and make sure the container wakes the loop. The
     * default only parks, for containers whose {@link #fill} already asked to be called back (a servlet stream's
     * {@code isReady()}, Tomcat's socket state).
     *
     * @return {@code true} when parked (the loop returns); {@code false} to fill once more
     */
    protected boolean awaitData() {
        return park(Park.AWAITING_DATA);
    }

    /**
     * Room came back after a pause (on the application's thread): runs the loop on the engine executor. Tomcat's
     * adapters override it: they read only on Tomcat's threads.
     */
    protected void resume() {
        wake(Park.PAUSED, connection.engine(), this::pump);
    }

    /** Called when the loop is entered, before its first fill. */
    protected void entered() {
    }

    /** The input's signal: room again, or the input closed. */
    @Override
    public final void run() {
        Throwable cause = input.isClosed() ? input.closedCause() : null;
        if (cause != null) {
            if (finish()) {
                connection.transportFailed(cause); // the application cancelled its input (or the connection is aborting)
            }
            return;
        }
        resume();
    }

    /** Runs the loop on this thread; the caller owns it (a wake said so). */
    public final Stop pump() {
        entered();
        try {
            while (true) {
                if (input.isClosed()) {
                    Throwable cause = input.closedCause();
                    if (finish() && cause != null) {
                        connection.transportFailed(cause); // the application cancelled its input
                    }
                    return Stop.CLOSED;
                }
                ByteBuffer room = input.writableSlice();
                if (!room.hasRemaining()) {
                    // room made after writableSlice() came back empty makes the loop go round once more
                    if (input.isClosed() || !park(Park.PAUSED)) {
                        continue;
                    }
                    return Stop.PAUSED;
                }
                int n = fill(room);
                input.commit(Math.max(n, 0));
                if (n > 0) {
                    continue;
                }
                input.releaseIfEmpty(); // an idle connection holds no buffer
                if (n == 0) {
                    if (awaitData()) {
                        return Stop.AWAITING_DATA;
                    }
                    continue;
                }
                if (finish()) {
                    connection.inputEnded(); // the peer's FIN: the output may still be sent
                }
                return Stop.ENDED;
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
            return Stop.FAILED;
        }
    }

    /** The container reported a failure (or reading failed): the connection is dead. */
    public final void failed(Throwable cause) {
        if (finish()) {
            connection.transportFailed(cause);
        }
    }

    /** The container reported the end of the input. */
    public final void ended() {
        if (finish()) {
            connection.inputEnded();
        }
    }

    /** Ends the loop without telling the connection (it is closing). */
    public final void stop() {
        finish();
    }

    @Override
    public String toString() {
        return "read " + gateState();
    }
}
