package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.RingByteChannel;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * Moves bytes from the connection's output channel to an upgraded {@link ServletOutputStream}.
 * {@code isReady()} is called right before every write and flush; bytes handed to the container are
 * released only at the next {@code isReady() == true} (a container may keep using the array until
 * then); the stream is flushed whenever the channel runs dry, and once when the pump starts: some containers
 * send the response head (the 101) only with the first flush of the upgraded stream (GlassFish and Payara:
 * Grizzly suspends the response in {@code upgrade()}), and a peer that waits for the 101 before it sends
 * anything (every WebSocket client) would wait for ever.
 */
final class ServletWritePump implements WriteListener {

    /** Who drives the pump now. Transitions only by CAS. */
    enum State {
        /** Nothing to send: the channel's consumer signal starts the loop. */
        IDLE,
        /** One thread is inside the write loop. */
        WRITING,
        /** Inside the loop, and a callback or signal came meanwhile: the loop must go round once more. */
        WRITING_RECHECK,
        /** {@code isReady()} said no: the container calls {@link #onWritePossible()} next. */
        AWAITING_SOCKET,
        /** Output finished or failed. Terminal. */
        DONE
    }

    private final ServletOutputStream out;
    private final UpgradedConnection connection;
    private final RingByteChannel output;
    // the container's first onWritePossible() starts the pump
    private final LoopGate<State> gate = new LoopGate<>(State.AWAITING_SOCKET, State.WRITING, State.WRITING_RECHECK, State.DONE);
    // touched only by the thread in WRITING
    private int inFlight;
    private boolean flushIssued;
    /** The first pass flushes the empty stream, so that a container that holds the response head back sends it. */
    private boolean headFlushPending = true;

    /** Whether every write hands the container an array of exactly the bytes to write (see {@link #ignoresWriteRange}). */
    private final boolean exactArrays;

    ServletWritePump(ServletOutputStream out, UpgradedConnection connection) {
        this(out, connection, ignoresWriteRange(out));
    }

    ServletWritePump(ServletOutputStream out, UpgradedConnection connection, boolean exactArrays) {
        this.out = out;
        this.connection = connection;
        this.output = connection.output();
        this.exactArrays = exactArrays;
    }

    /**
     * Whether {@code out} writes the whole array whatever offset and length it is given: Undertow's upgraded stream
     * ({@code UpgradeServletOutputStream.write(byte[], int, int)} wraps the whole array, 2.3.x), which would send the
     * rest of the channel's buffer too. Such a stream gets a copy of exactly the bytes to write.
     */
    static boolean ignoresWriteRange(ServletOutputStream out) {
        return out.getClass().getName().equals("io.undertow.servlet.spec.UpgradeServletOutputStream");
    }

    /**
     * Consumer signal of the output channel: bytes after an idle spell, a flush request, or the end. The loop runs
     * on the engine executor, not on the signalling thread: the application goes on writing meanwhile, and the loop
     * then hands the container everything written so far in one write and one flush (an echo of a burst of small
     * frames costs one socket write, not one per frame).
     */
    void onChannelSignal() {
        if (gate.enter(State.IDLE, null)) {
            try {
                connection.engine().execute(this::writeLoop);
            } catch (RejectedExecutionException shuttingDown) {
                writeLoop(); // the executor is stopping: write here rather than leave the bytes behind
            }
        }
    }

    @Override
    public void onWritePossible() {
        drive(State.AWAITING_SOCKET);
    }

    /** Runs the loop if the pump is in {@code resumable}; if a loop is running, makes it go round once more. */
    private void drive(State resumable) {
        if (gate.enter(resumable, null)) {
            writeLoop();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                if (output.isClosedForWrite() && output.closedCause() != null) {
                    gate.finish(); // aborted: the connection is being torn down
                    return;
                }
                if (!out.isReady()) {
                    if (gate.park(State.AWAITING_SOCKET)) {
                        return;
                    }
                    continue;
                }
                if (headFlushPending) {
                    headFlushPending = false;
                    out.flush(); // commits the 101 where the container waits for a flush (isReady() was the last call)
                    continue;
                }
                if (inFlight > 0) {
                    output.consume(inFlight);
                    inFlight = 0;
                }
                if (flushIssued) {
                    flushIssued = false;
                    output.markFlushed();
                }
                ByteBuffer bytes = output.readableSlice();
                if (bytes.hasRemaining()) {
                    inFlight = bytes.remaining();
                    if (exactArrays) {
                        byte[] exact = new byte[inFlight];
                        bytes.duplicate().get(exact);
                        out.write(exact, 0, inFlight);
                    } else {
                        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), inFlight);
                    }
                    continue;
                }
                if (output.hasUnflushed()) {
                    out.flush(); // isReady() was the last call on the stream
                    flushIssued = true;
                    continue;
                }
                if (output.isDrainedAndClosed()) {
                    gate.finish();
                    connection.outputDrained();
                    return;
                }
                output.releaseIfEmpty(); // nothing in flight: an idle connection holds no buffer
                // a signal that came after readableSlice() saw nothing turned WRITING into WRITING_RECHECK
                if (gate.park(State.IDLE)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            onError(e);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (gate.finish()) {
            connection.transportFailed(t);
        }
    }

    @Override
    public String toString() {
        return "ServletWritePump{" + gate + ", inFlight=" + inFlight + '}';
    }
}
