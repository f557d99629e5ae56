package io.upgradebridge.servlet.internal;

import io.upgradebridge.servlet.internal.grizzly.GrizzlyStreamCalls;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@link OutputPump} over an upgraded {@link ServletOutputStream}. {@code isReady()} is called right before every
 * write and flush; bytes handed to the container are released only at the next {@code isReady() == true} (a container
 * may keep using the array until then), and a flush counts as done then too. The container's first
 * {@code onWritePossible()} starts the pump, which first flushes the empty stream once: some containers send the
 * response head (the 101) only with the first flush of the upgraded stream (GlassFish and Payara: Grizzly suspends the
 * response in {@code upgrade()}), and a peer that waits for the 101 before it sends anything (every WebSocket client)
 * would wait for ever.
 */
final class ServletWritePump extends OutputPump implements WriteListener {

    private final ServletOutputStream out;
    /** Whether every write hands the container an array of exactly the bytes to write (see {@link #ignoresWriteRange}). */
    private final boolean exactArrays;
    // touched only by the thread that runs the loop
    private int inFlight;
    private boolean flushIssued;
    /** The first pass flushes the empty stream, so that a container that holds the response head back sends it. */
    private boolean headFlushPending = true;

    /** GlassFish's and Payara's stream: {@code isReady()} goes through {@link GrizzlyStreamCalls}. */
    private final boolean onGrizzly;

    ServletWritePump(ServletOutputStream out, UpgradedConnection connection, boolean onGrizzly) {
        this(out, connection, ignoresWriteRange(out), onGrizzly);
    }

    ServletWritePump(ServletOutputStream out, UpgradedConnection connection, boolean exactArrays, boolean onGrizzly) {
        super(connection, Park.AWAITING_SOCKET);
        this.out = out;
        this.exactArrays = exactArrays;
        this.onGrizzly = onGrizzly;
    }

    /**
     * Whether {@code out} writes the whole array whatever offset and length it is given: Undertow's upgraded stream
     * ({@code UpgradeServletOutputStream.write(byte[], int, int)} wraps the whole array, 2.3.x), which would send the
     * rest of the channel's buffer too. Such a stream gets a copy of exactly the bytes to write.
     */
    static boolean ignoresWriteRange(ServletOutputStream out) {
        return out.getClass().getName().equals("io.undertow.servlet.spec.UpgradeServletOutputStream");
    }

    @Override
    protected boolean ready() throws IOException {
        if (!isReady()) {
            return false; // the container calls onWritePossible() once it can take more
        }
        if (headFlushPending) {
            headFlushPending = false;
            out.flush(); // commits the 101 where the container waits for a flush (isReady() was the last call)
            if (!isReady()) {
                return false;
            }
        }
        if (inFlight > 0) {
            output.consume(inFlight);
            inFlight = 0;
        }
        if (flushIssued) {
            flushIssued = false;
            output.markFlushed();
        }
        return true;
    }

    private boolean isReady() {
        return onGrizzly ? GrizzlyStreamCalls.isReady(out) : out.isReady();
    }

    @Override
    protected boolean write(ByteBuffer bytes) throws IOException {
        inFlight = bytes.remaining();
        if (exactArrays) {
            byte[] exact = new byte[inFlight];
            bytes.duplicate().get(exact);
            out.write(exact, 0, inFlight);
        } else {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), inFlight);
        }
        return true;
    }

    @Override
    protected boolean flush() throws IOException {
        out.flush(); // isReady() was the last call on the stream
        flushIssued = true;
        return false; // done once isReady() says so
    }

    @Override
    public void onWritePossible() {
        onWritable();
    }

    @Override
    public void onError(Throwable t) {
        failed(t);
    }

    @Override
    public String toString() {
        return "ServletWritePump{" + gateState() + ", inFlight=" + inFlight + '}';
    }
}
