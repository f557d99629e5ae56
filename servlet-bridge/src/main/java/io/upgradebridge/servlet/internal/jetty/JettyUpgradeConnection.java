package io.upgradebridge.servlet.internal.jetty;

import io.upgradebridge.servlet.internal.InputPump;
import io.upgradebridge.servlet.internal.OutputPump;
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
 * A Jetty {@link Connection} that owns an upgraded endpoint (a TCP connection, or an HTTP/2 stream for an extended
 * CONNECT) and moves bytes between it and the connection's channels: its {@link InputPump} fills straight into the
 * input's free space, its {@link OutputPump} writes straight from the output's bytes, asynchronously. Every callback
 * is non-blocking, so Jetty may run it on its selector thread.
 */
final class JettyUpgradeConnection extends AbstractConnection implements Connection.UpgradeTo, UpgradeTransport {

    private final UpgradedConnection connection;
    private final boolean overStream;
    private final Reads reads;
    private final Writes writes;
    /** Set once a lingering close began: Jetty's idle timeout then closes the connection. */
    private volatile boolean lingering;
    /** Set once by CAS through {@link #CLOSED}, by {@link #close()} or {@link #abort}: the first one wins. */
    private volatile boolean closed;

    /**
     * Whether the read loop is inside the endpoint's {@code fill()}, and whether the endpoint is closed: the endpoint
     * is never closed during a fill. Jetty 12.1.8's HTTP/2 stream endpoint is not safe for that: its {@code fill()}
     * keeps the data frame it reads in a field and releases it once it is used up, and its {@code close()} takes that
     * field and releases what it finds, so a close from another thread between the two releases the frame twice. That
     * over-releases the HTTP/2 connection's network buffer ("already released"), and the connection, with every other
     * stream on it, stops. A close that comes during a fill is left to the fill's end, on the read loop's thread.
     */
    private volatile EndPointUse use = EndPointUse.IDLE;
    /** What the close that {@link EndPointUse#CLOSE_AFTER_FILL} left to the fill was given ({@code null}: a normal close). */
    private Throwable closeCause;

    /** What the endpoint is used for now (see {@link #use}). */
    private enum EndPointUse {
        /** Neither filled nor closed. */
        IDLE,
        /** The read loop is inside the endpoint's fill. */
        FILLING,
        /** A close came during the fill: the fill's end closes the endpoint. */
        CLOSE_AFTER_FILL,
        /** Closed (or being closed). Terminal: no more fills. */
        CLOSED
    }

    private static final VarHandle CLOSED;
    private static final VarHandle USE;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(JettyUpgradeConnection.class, "closed", boolean.class);
            USE = MethodHandles.lookup().findVarHandle(JettyUpgradeConnection.class, "use", EndPointUse.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** @param overStream whether the endpoint is an HTTP/2 stream (an extended CONNECT) rather than a TCP connection */
    JettyUpgradeConnection(EndPoint endPoint, Executor executor, UpgradedConnection connection, boolean overStream) {
        super(endPoint, executor);
        this.overStream = overStream;
        this.connection = connection;
        this.reads = new Reads(connection);
        this.writes = new Writes(connection);
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer).flip();
        reads.leftover = copy;
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
        reads.attach();
        writes.attach();
        if (reads.wake(InputPump.Park.AWAITING_DATA)) {
            reads.pump();
        }
    }

    @Override
    public void onFillable() {
        if (reads.wake(InputPump.Park.AWAITING_DATA)) {
            reads.pump();
        }
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        reads.failed(cause);
    }

    /**
     * An upgraded connection lives until the upgrade ends it: Jetty's idle timeout does not close it (and is turned
     * off in {@link #onOpen()}), except the bound of a lingering close ({@link #closeWhenSilent}).
     */
    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return lingering;
    }

    /** Fills from the endpoint (after the bytes Jetty's HTTP parser read past the request); the fill interest wakes it. */
    private final class Reads extends InputPump implements Callback {
        /** Bytes Jetty's HTTP parser read past the request; touched by the loop only. */
        ByteBuffer leftover;
        /** Over a stream: whether the fill interest was registered before the last fill of this run of the loop. */
        private boolean armed;

        Reads(UpgradedConnection connection) {
            super(connection);
        }

        @Override
        protected void entered() {
            armed = false;
        }

        @Override
        protected int fill(ByteBuffer room) throws IOException {
            ByteBuffer left = leftover;
            if (left == null) {
                if (!USE.compareAndSet(JettyUpgradeConnection.this, EndPointUse.IDLE, EndPointUse.FILLING)) {
                    return -1; // closed: what Jetty's closed endpoints answer
                }
                try {
                    room.limit(0); // Jetty fills after the limit ("flush mode")
                    return getEndPoint().fill(room);
                } finally {
                    if (!USE.compareAndSet(JettyUpgradeConnection.this, EndPointUse.FILLING, EndPointUse.IDLE)) {
                        use = EndPointUse.CLOSED; // race: a close came during the fill and left the endpoint to us
                        closeEndPointNow(closeCause);
                    }
                }
            }
            int n = Math.min(room.remaining(), left.remaining());
            ByteBuffer part = left.slice();
            part.limit(n);
            room.put(part);
            left.position(left.position() + n);
            if (!left.hasRemaining()) {
                leftover = null;
            }
            return n;
        }

        @Override
        protected boolean awaitData() {
            if (!overStream) {
                if (!park(Park.AWAITING_DATA)) {
                    return false;
                }
                fillInterested(this);
                return true;
            }
            // Jetty's HTTP/2 stream endpoint loses a data notification that comes between a fill() of 0 and the fill
            // interest (it uses up a demand made earlier), and then waits for data that already came: register first,
            // fill once more, and park only after a fill of 0 that followed the registration. An interest that fires
            // while the loop runs makes it go round once more (the gate's recheck), and then it registers again.
            if (!armed) {
                armed = true;
                getEndPoint().tryFillInterested(this); // false: still registered, not fired yet
                return false;
            }
            armed = false;
            return park(Park.AWAITING_DATA);
        }

        /** Jetty's fill interest fired (non-blocking: Jetty may run it on its selector thread); {@code failed} is the pump's. */
        @Override
        public void succeeded() {
            onFillable();
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    /** Asynchronous endpoint writes; the write callback resumes the loop (on the writing stack when it completed at once). */
    private final class Writes extends OutputPump implements Callback {
        /** The bytes of the write under way; touched by the loop and the write callback, which never overlap. */
        private int inFlight;

        Writes(UpgradedConnection connection) {
            super(connection, Park.IDLE);
        }

        @Override
        protected boolean write(ByteBuffer bytes) {
            inFlight = bytes.remaining();
            pending();
            getEndPoint().write(this, bytes);
            return !awaitCompletion();
        }

        @Override
        protected boolean flush() {
            return true; // an endpoint write completes once the bytes are in the socket
        }

        /** The write completed ({@code failed} is the pump's: the connection is dead). */
        @Override
        public void succeeded() {
            output.consume(inFlight);
            inFlight = 0;
            output.markFlushed(); // an endpoint write completes once the bytes are in the socket
            if (completed()) {
                pump();
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        @Override
        public String toString() {
            return super.toString() + ", inFlight=" + inFlight;
        }
    }

    // ------------------------------------------------------------------ closing

    /** Ends the output after the bytes already sent (FIN, or {@code END_STREAM} on a stream) and closes the endpoint. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            getEndPoint().shutdownOutput();
            closeEndPoint(null); // over a stream: marks it closed; onClose takes it out of Jetty's HTTP/2 session
        }
    }

    /** Closes the endpoint now, or, when the read loop is inside a fill, has the fill's end close it (see {@link #use}). */
    private void closeEndPoint(Throwable cause) {
        closeCause = cause; // published by the CAS below; only the close that won CLOSED gets here
        while (true) {
            EndPointUse now = use;
            if (now == EndPointUse.IDLE && USE.compareAndSet(this, EndPointUse.IDLE, EndPointUse.CLOSED)) {
                closeEndPointNow(cause);
                return;
            }
            if (now == EndPointUse.FILLING
                && USE.compareAndSet(this, EndPointUse.FILLING, EndPointUse.CLOSE_AFTER_FILL)) {
                return; // race: the fill ends after this and closes the endpoint on the read loop's thread
            }
            if (now == EndPointUse.CLOSE_AFTER_FILL || now == EndPointUse.CLOSED) {
                return;
            }
        }
    }

    private void closeEndPointNow(Throwable cause) {
        if (cause == null) {
            getEndPoint().close();
        } else {
            getEndPoint().close(cause);
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

    /**
     * An HTTP/2 stream: closing its endpoint while the peer still sends resets the stream under the peer (it may miss
     * the close frame it was sent) and leaves the stream in Jetty's HTTP/2 session, which then never goes idle.
     */
    @Override
    public boolean mustDrainBeforeClose() {
        return overStream;
    }

    /** Closes at once, dropping what is not sent; an HTTP/2 stream is reset, so that Jetty lets go of it. */
    @Override
    public void abort(Throwable cause) {
        if (CLOSED.compareAndSet(this, false, true)) {
            EndPoint endPoint = getEndPoint();
            if (overStream) {
                Callback pending = endPoint.cancelWrite(cause); // RST_STREAM
                if (pending != null) {
                    pending.failed(cause);
                }
            }
            closeEndPoint(cause);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        if (overStream) {
            // Jetty closed the stream (HTTP2StreamEndPoint.close) but may keep it in its HTTP/2 session for good, which
            // then never reaches zero streams and holds a graceful stop until its timeout: see JettyTunnelStreams
            JettyTunnelStreams.release(getEndPoint().getTransport());
        }
        connection.transportClosed(cause);
        if (!overStream) {
            // Jetty's selector keeps the last key it handled (in its used-up key iterator) until it selects again; the
            // key keeps the endpoint, the endpoint this connection, and its class the web application's class loader:
            // an undeployed application would stay in memory while that selector is idle. The endpoint is closed and
            // Jetty is done with this connection (it tolerates none: "can happen during upgrade").
            getEndPoint().setConnection(null);
        }
    }

    @Override
    public String describe() {
        return overStream ? "Jetty HTTP/2 stream (extended CONNECT)" : "Jetty connection";
    }

    @Override
    public String toConnectionString() {
        return "JettyUpgradeConnection{" + describe() + ", " + reads + ", " + writes + ", leftover=" + reads.leftover
            + ", open=" + getEndPoint().isOpen() + '}';
    }
}
