package io.upgradebridge.servlet.internal.jetty;

import io.upgradebridge.io.internal.RingByteChannel;
import io.upgradebridge.servlet.internal.UpgradeTransport;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * A Jetty {@link Connection} that owns an upgraded endpoint and moves bytes between it and the
 * bridge's channels: fills straight into the input channel's free space, writes straight from the
 * output channel's bytes. Every callback is non-blocking, so Jetty may run it on its selector thread.
 */
final class JettyUpgradeConnection extends AbstractConnection implements Connection.UpgradeTo, UpgradeTransport {

    /** Read side. Transitions only by CAS. */
    enum ReadState {
        /** Waiting for Jetty's fill interest to fire. */
        FILL_INTERESTED,
        /** One thread is inside the read loop. */
        READING,
        /** The input channel is full: its producer signal resumes the loop. */
        PAUSED,
        /** Ended. */
        DONE,
        /**
         * Over an HTTP/2 stream, after our graceful close: reading and dropping what the peer still sends until it ends
         * its side of the stream (or {@link #STREAM_DRAIN_MILLIS} pass), then closing the endpoint. Terminal.
         */
        DRAINING
    }

    /** How long a closed HTTP/2 stream waits for the peer to end its side before the endpoint is closed anyway. */
    static final long STREAM_DRAIN_MILLIS = 2_000;

    /** Write side. Transitions only by CAS. */
    enum WriteState {
        /** Nothing to send: the output channel's consumer signal starts the loop. */
        IDLE,
        /** One thread is inside the write loop. */
        WRITING,
        /** The loop issued a write and is still on the stack. */
        WRITE_PENDING,
        /** The write completed while the loop was still on the stack: the loop goes on. */
        WRITE_COMPLETED,
        /** The loop returned; the write callback resumes it. */
        WRITE_ASYNC,
        /** Ended. Terminal. */
        DONE
    }

    private final UpgradedConnection connection;
    private final boolean overStream;
    private final RingByteChannel input;
    private final RingByteChannel output;
    // fields, not atomic objects, and one callback object per side: a connection lives as long as its session
    /** Changed only through {@link #READ_STATE}. */
    private volatile ReadState readState = ReadState.READING;
    /** Changed only through {@link #WRITE_STATE}. */
    private volatile WriteState writeState = WriteState.IDLE;
    /** Changed only by CAS through {@link #CLOSED}. */
    private volatile boolean closed;
    /** Over a stream: the fill interest fired while the read loop was still reading (see {@link #readLoop()}). */
    private volatile boolean fillFired;
    /** Set once a lingering close began: Jetty's idle timeout then closes the connection. */
    private volatile boolean lingering;
    /** Jetty's fill callback and the input channel's producer signal. */
    private final ReadSide readSide = new ReadSide();
    /** Jetty's write callback and the output channel's consumer signal. */
    private final WriteSide writeSide = new WriteSide();
    private ByteBuffer leftover; // bytes Jetty's HTTP parser read past the request; touched by the reading thread only
    private int inFlight; // touched by the write loop and the write callback, which never overlap

    private static final VarHandle READ_STATE;
    private static final VarHandle WRITE_STATE;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ_STATE = lookup.findVarHandle(JettyUpgradeConnection.class, "readState", ReadState.class);
            WRITE_STATE = lookup.findVarHandle(JettyUpgradeConnection.class, "writeState", WriteState.class);
            CLOSED = lookup.findVarHandle(JettyUpgradeConnection.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** @param overStream whether the endpoint is an HTTP/2 stream (an extended CONNECT) rather than a TCP connection */
    JettyUpgradeConnection(EndPoint endPoint, Executor executor, UpgradedConnection connection, boolean overStream) {
        super(endPoint, executor);
        this.overStream = overStream;
        this.connection = connection;
        this.input = connection.input();
        this.output = connection.output();
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer).flip();
        leftover = copy;
    }

    @Override
    public void onOpen() {
        super.onOpen();
        // onIdleExpired ignores Jetty's idle timeout anyway: without one, an idle connection keeps no timer task
        getEndPoint().setIdleTimeout(0);
        connection.open(this);
    }

    @Override
    public void startPumps() {
        input.attachTransport(readSide, null);
        output.attachTransport(null, writeSide);
        readLoop();
    }

    // ------------------------------------------------------------------ read side

    @Override
    public void onFillable() {
        if (READ_STATE.compareAndSet(this, ReadState.FILL_INTERESTED, ReadState.READING)) {
            readLoop();
        } else if (readState == ReadState.DRAINING) {
            drainLoop();
        } else if (overStream) {
            fillFired = true; // the read loop still runs: it must register again before it parks
            // race: the loop may have parked between the CAS above and the flag; one of the two sees the other
            if (READ_STATE.compareAndSet(this, ReadState.FILL_INTERESTED, ReadState.READING)) {
                readLoop();
            }
        }
    }

    private void onInputSignal() {
        Throwable cancelled = input.isClosedForWrite() ? input.closedCause() : null;
        if (cancelled != null && (ReadState) READ_STATE.getAndSet(this, ReadState.DONE) != ReadState.DONE) {
            connection.transportFailed(cancelled);
            return;
        }
        if (READ_STATE.compareAndSet(this, ReadState.PAUSED, ReadState.READING)) {
            getExecutor().execute(this::readLoop); // resume off the application's thread
        }
    }

    private void readLoop() {
        boolean armed = false; // over a stream: the fill interest was registered before the last fill
        try {
            while (true) {
                if (input.isClosedForWrite()) {
                    readState = ReadState.DONE;
                    if (input.closedCause() != null) {
                        connection.transportFailed(input.closedCause());
                    } else if (closed && overStream) {
                        startDraining(); // race: close() may have found the loop still running; one of the two starts it
                    }
                    return;
                }
                ByteBuffer room = input.writableSlice();
                if (!room.hasRemaining()) {
                    if (input.isClosedForWrite() || !READ_STATE.compareAndSet(this, ReadState.READING, ReadState.PAUSED)) {
                        continue;
                    }
                    // race: the reader may have made room between writableSlice() and PAUSED; take it back
                    if (input.availableForWrite() == 0 && !input.isClosedForWrite()) {
                        return;
                    }
                    if (!READ_STATE.compareAndSet(this, ReadState.PAUSED, ReadState.READING)) {
                        return; // the signal resumed the loop on another thread
                    }
                    continue;
                }
                int n;
                if (leftover != null) {
                    n = Math.min(room.remaining(), leftover.remaining());
                    ByteBuffer part = leftover.slice();
                    part.limit(n);
                    room.put(part);
                    leftover.position(leftover.position() + n);
                    if (!leftover.hasRemaining()) {
                        leftover = null;
                    }
                } else {
                    room.limit(0); // Jetty fills after the limit ("flush mode")
                    n = getEndPoint().fill(room);
                }
                if (n > 0) {
                    input.commit(n);
                } else if (n == 0) {
                    input.releaseIfEmpty(); // an idle connection holds no buffer
                    if (overStream) {
                        // Jetty's HTTP/2 stream endpoint loses a data notification that comes between a fill() of 0
                        // and the fill interest (it uses up a demand made earlier), and then waits for data that
                        // already came: register first, fill once more, and park only after a fill of 0 that
                        // followed the registration
                        if (!armed || fillFired) {
                            fillFired = false;
                            getEndPoint().tryFillInterested(readSide); // false: still registered, not fired yet
                            armed = true;
                            continue;
                        }
                        if (READ_STATE.compareAndSet(this, ReadState.READING, ReadState.FILL_INTERESTED)
                            && fillFired && READ_STATE.compareAndSet(this, ReadState.FILL_INTERESTED, ReadState.READING)) {
                            continue; // race: the interest fired just before we parked
                        }
                        return;
                    }
                    if (READ_STATE.compareAndSet(this, ReadState.READING, ReadState.FILL_INTERESTED)) {
                        fillInterested(readSide);
                    }
                    return;
                } else {
                    if ((ReadState) READ_STATE.getAndSet(this, ReadState.DONE) != ReadState.DONE) {
                        connection.inputEnded();
                    }
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            readState = ReadState.DONE;
            connection.transportFailed(e);
        }
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        if ((ReadState) READ_STATE.getAndSet(this, ReadState.DONE) == ReadState.DRAINING) {
            getEndPoint().close(cause);
        }
        connection.transportFailed(cause);
    }

    /**
     * An upgraded connection lives until the upgrade ends it: Jetty's idle timeout does not close it (and is turned
     * off in {@link #onOpen()}), except the bound on draining a closed HTTP/2 stream ({@link #close()}).
     */
    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return lingering || (closed && overStream); // a lingering close or a closed stream's drain ends after that much silence
    }

    /** Starts {@link ReadState#DRAINING} once the read loop is done (CAS: the loop and close() may both ask). */
    private void startDraining() {
        if (READ_STATE.compareAndSet(this, ReadState.DONE, ReadState.DRAINING)) {
            drainLoop();
        }
    }

    /** Reads and drops the peer's bytes until it ends its side of the stream, then closes the endpoint. */
    private void drainLoop() {
        EndPoint endPoint = getEndPoint();
        try {
            ByteBuffer scratch = ByteBuffer.allocate(4096);
            while (true) {
                scratch.clear().limit(0); // Jetty fills after the limit ("flush mode")
                int n = endPoint.fill(scratch);
                if (n < 0) {
                    endPoint.close(); // both sides ended: Jetty lets go of the stream
                    return;
                }
                if (n == 0) {
                    // (tryFillInterested: the read loop's interest may still be registered; it fires into DRAINING too)
                    endPoint.tryFillInterested(readSide);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            endPoint.close(e);
        }
    }

    // ------------------------------------------------------------------ write side

    /**
     * Consumer signal of the output channel: bytes after an idle spell, a flush request, or the end. The loop runs
     * on the engine executor, not on the signalling thread: the application goes on writing meanwhile, and the loop
     * then writes everything written so far in one endpoint write.
     */
    private void onOutputSignal() {
        if (WRITE_STATE.compareAndSet(this, WriteState.IDLE, WriteState.WRITING)) {
            try {
                connection.engine().execute(this::writeLoop);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                writeLoop(); // the executor is stopping: write here rather than leave the bytes behind
            }
        }
    }

    private void writeLoop() {
        while (true) {
            if (output.isClosedForWrite() && output.closedCause() != null) {
                writeState = WriteState.DONE;
                return;
            }
            ByteBuffer bytes = output.readableSlice();
            if (bytes.hasRemaining()) {
                inFlight = bytes.remaining();
                writeState = WriteState.WRITE_PENDING;
                getEndPoint().write(writeSide, bytes);
                if (WRITE_STATE.compareAndSet(this, WriteState.WRITE_PENDING, WriteState.WRITE_ASYNC)) {
                    return; // the callback resumes the loop
                }
                if (!WRITE_STATE.compareAndSet(this, WriteState.WRITE_COMPLETED, WriteState.WRITING)) {
                    return; // failed meanwhile
                }
                continue; // completed on this stack: loop instead of recursing
            }
            if (output.isDrainedAndClosed()) {
                writeState = WriteState.DONE;
                connection.outputDrained();
                return;
            }
            output.releaseIfEmpty(); // nothing in flight: an idle connection holds no buffer
            if (!WRITE_STATE.compareAndSet(this, WriteState.WRITING, WriteState.IDLE)) {
                return;
            }
            // race: bytes or the close may have arrived after readableSlice() saw nothing
            if (output.availableForRead() == 0 && !output.isClosedForWrite()) {
                return;
            }
            if (!WRITE_STATE.compareAndSet(this, WriteState.IDLE, WriteState.WRITING)) {
                return; // the signal took over on another thread
            }
        }
    }

    private void onWritten() {
        output.consume(inFlight);
        inFlight = 0;
        output.markFlushed(); // an endpoint write completes once the bytes are in the socket
        if (WRITE_STATE.compareAndSet(this, WriteState.WRITE_PENDING, WriteState.WRITE_COMPLETED)) {
            return; // the loop is still on the stack and goes on
        }
        if (WRITE_STATE.compareAndSet(this, WriteState.WRITE_ASYNC, WriteState.WRITING)) {
            writeLoop();
        }
    }

    private void onWriteFailed(Throwable cause) {
        writeState = WriteState.DONE;
        connection.transportFailed(cause);
    }

    // ------------------------------------------------------------------ closing

    /**
     * Ends the output after the bytes already sent. A TCP connection then closes at once. An HTTP/2 stream ends our side
     * ({@code END_STREAM}) and goes on reading, dropping what the peer still sends, until the peer ends its side too (a
     * WebSocket peer does once it has our close frame), bounded by {@link #STREAM_DRAIN_MILLIS}: closing the stream's
     * endpoint earlier would reset the stream under a peer that is still sending (it would miss our close frame) and
     * leave the stream in Jetty's HTTP/2 session, which then never goes idle.
     */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            EndPoint endPoint = getEndPoint();
            endPoint.shutdownOutput(); // FIN (END_STREAM) after the bytes already sent
            if (!overStream) {
                endPoint.close();
                return;
            }
            endPoint.setIdleTimeout(STREAM_DRAIN_MILLIS); // the bound: onIdleExpired lets Jetty close the stream
            if (readState == ReadState.DONE) {
                startDraining(); // the read loop saw the closed input before this flag: start here
            }
        }
    }

    @Override
    public boolean shutdownOutput() {
        if (closed) {
            return false;
        }
        getEndPoint().shutdownOutput(); // FIN (END_STREAM) after the bytes already written; fills go on
        return true;
    }

    @Override
    public boolean closeWhenSilent(long millis) {
        lingering = true;
        getEndPoint().setIdleTimeout(millis);
        return true;
    }

    /** Closes at once, dropping what is not sent; an HTTP/2 stream is reset, so that Jetty lets go of it. */
    @Override
    public void abort(Throwable cause) {
        if (CLOSED.compareAndSet(this, false, true)) {
            EndPoint endPoint = getEndPoint();
            if (overStream) {
                org.eclipse.jetty.util.Callback pending = endPoint.cancelWrite(cause); // RST_STREAM
                if (pending != null) {
                    pending.failed(cause);
                }
            }
            endPoint.close(cause);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        connection.transportClosed(cause);
    }

    @Override
    public String describe() {
        return overStream ? "Jetty HTTP/2 stream (extended CONNECT)" : "Jetty connection";
    }

    @Override
    public String toConnectionString() {
        return "JettyUpgradeConnection{" + describe() + ", read=" + readState + ", write=" + writeState + ", inFlight=" + inFlight + ", leftover=" + leftover + ", open=" + getEndPoint().isOpen() + '}';
    }

    /** Jetty's fill interest (non-blocking: Jetty may run it on its selector thread) and the input's producer signal. */
    private final class ReadSide implements Callback, Runnable {
        @Override
        public void succeeded() {
            onFillable();
        }

        @Override
        public void failed(Throwable x) {
            onFillInterestedFailed(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        @Override
        public void run() {
            onInputSignal();
        }
    }

    /** Jetty's write callback (non-blocking, as above) and the output's consumer signal. */
    private final class WriteSide implements Callback, Runnable {
        @Override
        public void succeeded() {
            onWritten();
        }

        @Override
        public void failed(Throwable x) {
            onWriteFailed(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        @Override
        public void run() {
            onOutputSignal();
        }
    }
}
