package io.upgradebridge.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@link OutputPump} over an upgraded {@link ServletOutputStream}. {@code isReady()} is called right before every
 * write and flush; bytes handed to the container are released only at the next {@code isReady() == true} (a container
 * may keep using the array until then), and a flush counts as done then too. The container's first
 * {@code onWritePossible()} starts the pump.
 */
final class ServletWritePump extends OutputPump implements WriteListener {

    private final ServletOutputStream out;
    // touched only by the thread that runs the loop
    private int inFlight;
    private boolean flushIssued;

    ServletWritePump(ServletOutputStream out, UpgradedConnection connection) {
        super(connection, Park.AWAITING_SOCKET);
        this.out = out;
    }

    @Override
    protected boolean ready() {
        if (!out.isReady()) {
            return false; // the container calls onWritePossible() once it can take more
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

    @Override
    protected boolean write(ByteBuffer bytes) throws IOException {
        inFlight = bytes.remaining();
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), inFlight);
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
