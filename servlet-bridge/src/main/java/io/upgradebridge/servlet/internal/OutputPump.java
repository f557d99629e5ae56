package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.DrainPort;
import io.upgradebridge.io.internal.LoopGate;
import io.upgradebridge.io.internal.PortState;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The write loop of every container adapter: hands the bytes of a connection's output ({@link DrainPort}) to the
 * container as they come, flushes when the output runs dry, parks when the container cannot take more (until its
 * write event) or nothing is left (until the application writes), and tells the connection once a closed output has
 * been sent. The application's writes only signal: the loop runs on the engine executor, so a burst of small writes
 * leaves in one container write.
 *
 * <p>An adapter says only how to write ({@link #write}) and flush ({@link #flush}) and, where its container needs it,
 * how to ask whether it can take bytes ({@link #ready}) and for its write event ({@link #awaitSocket}). The pump is
 * its own {@link LoopGate}: the hand-over between the threads that wake the loop is the gate's. It is also the
 * output's signal ({@link #run()}).
 */
public abstract class OutputPump extends LoopGate<OutputPump.Park> implements Runnable {

    /** What the loop waits for. */
    public enum Park {
        /** Nothing to send: the application's next write (the output's signal) wakes the loop. */
        IDLE,
        /** The container cannot take bytes now: its write event wakes the loop. */
        AWAITING_SOCKET
    }

    protected final UpgradedConnection connection;
    protected final DrainPort output;

    /**
     * @param initial {@link Park#AWAITING_SOCKET} where the container's first write event starts the loop (servlet
     *     streams), else {@link Park#IDLE}
     */
    protected OutputPump(UpgradedConnection connection, Park initial) {
        super(initial);
        this.connection = connection;
        this.output = connection.outputPort();
    }

    /**
     * Makes the output's flushes wait for the container and installs the output's signal (this pump); once, before
     * the loop first runs.
     */
    public final void attach() {
        output.trackFlushes();
        output.onBytes(this);
    }

    /**
     * Whether the container can take bytes now; {@code false} parks the loop until {@link #onWritable()}. Also where
     * an adapter lets go of what it handed over earlier, once the container is done with it. The default: always.
     */
    protected boolean ready() throws IOException {
        return true;
    }

    /** Asks the container for a write event; called after the loop parked for {@link Park#AWAITING_SOCKET}. */
    protected void awaitSocket() {
    }

    /**
     * Hands {@code bytes} (a slice of the output, consumed by the adapter once the container is done with it) to the
     * container.
     *
     * @return {@code true} to go on at once; {@code false} when the loop must return: the write completes by callback,
     *     which resumes the loop ({@link LoopGate#completed()})
     */
    protected abstract boolean write(ByteBuffer bytes) throws IOException;

    /**
     * Flushes the container's stream; called when the output ran dry and bytes were consumed since the last flush.
     *
     * @return whether every byte consumed so far has left now (the loop then marks them flushed)
     */
    protected abstract boolean flush() throws IOException;

    /**
     * The output's signal: bytes after an idle spell, a flush request, or the end. The loop runs on the engine
     * executor, not on the signalling thread: the application goes on writing meanwhile, and the loop then hands
     * everything written so far to the container at once. (Measured: running it on the signalling thread wrote each
     * small frame on its own and cut the small-message echo on Tomcat from 562k to 242k messages/s.)
     */
    @Override
    public final void run() {
        wake(Park.IDLE, connection.engine(), this::pump);
    }

    /** The container's write event: it can take bytes again. */
    public final void onWritable() {
        if (wake(Park.AWAITING_SOCKET)) {
            pump();
        }
    }

    /** Runs the loop on this thread; the caller owns it (a wake said so). */
    public final void pump() {
        try {
            while (true) {
                if (output.closedCause() != null) {
                    finish(); // aborted: the connection is being torn down
                    return;
                }
                if (!ready()) {
                    if (park(Park.AWAITING_SOCKET)) {
                        awaitSocket();
                        return;
                    }
                    continue;
                }
                ByteBuffer bytes = output.readableSlice();
                if (bytes.hasRemaining()) {
                    if (!write(bytes)) {
                        return;
                    }
                    continue;
                }
                if (output.hasUnflushed()) {
                    if (flush()) {
                        output.markFlushed();
                    }
                    continue;
                }
                if (output.state() == PortState.ENDED) {
                    if (finish()) {
                        connection.outputDrained();
                    }
                    return;
                }
                output.releaseIfEmpty(); // nothing in flight: an idle connection holds no buffer
                // a signal that came after readableSlice() saw nothing makes the loop go round once more
                if (park(Park.IDLE)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    /** Writing failed, or the container reported a failure: the connection is dead. */
    public final void failed(Throwable cause) {
        if (finish()) {
            connection.transportFailed(cause);
        }
    }

    /** Ends the loop without telling the connection (it is closing). */
    public final void stop() {
        finish();
    }

    @Override
    public String toString() {
        return "write " + gateState();
    }
}
