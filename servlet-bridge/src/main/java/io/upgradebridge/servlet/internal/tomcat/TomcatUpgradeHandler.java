package io.upgradebridge.servlet.internal.tomcat;

import io.upgradebridge.servlet.internal.CleanSubmission;
import io.upgradebridge.servlet.internal.InputPump;
import io.upgradebridge.servlet.internal.OutputPump;
import io.upgradebridge.servlet.internal.UpgradeTransport;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import jakarta.servlet.http.WebConnection;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Tomcat path: an upgrade handler on Tomcat's internal I/O layer, the one Tomcat's own WebSocket
 * uses. Tomcat calls {@link #upgradeDispatch} on one of its threads for every socket event, one event
 * at a time per connection; the handler's {@link InputPump} reads the socket straight into the input's free space
 * (no servlet stream, no copy through a read listener's array) until it would block, and its {@link OutputPump}
 * writes the output's bytes with non-blocking writes.
 *
 * <p>Reads happen only inside {@code upgradeDispatch(OPEN_READ)}. When the input is full the
 * handler answers {@code SUSPENDED} (Tomcat stops watching the socket for reads) and asks Tomcat for a
 * read event once the application made room. Closing also goes through a Tomcat event
 * ({@code DISCONNECT}), so the socket is closed on Tomcat's thread, Tomcat releases its processor and
 * calls {@link #destroy()}, also when the peer is silent.
 */
public final class TomcatUpgradeHandler implements InternalHttpUpgradeHandler, UpgradeTransport {

    /** {@code SocketWrapperBase.processSocket(SocketEvent, boolean)}. */
    private static final MethodHandle PROCESS_SOCKET = processSocket();
    /** {@code processSocket(event, true)} on a socket, handed to Tomcat cleanly (see {@link CleanSubmission}). */
    private static final CleanSubmission PROCESS_SOCKET_CLEANLY = CleanSubmission.of(PROCESS_SOCKET);

    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile SocketWrapperBase<?> socket;
    private volatile UpgradedConnection connection;
    private volatile Reads reads;
    private volatile Writes writes;
    private volatile boolean destroyed;

    /** Public no-arg constructor: Tomcat instantiates this class in {@code HttpServletRequest.upgrade()}. */
    public TomcatUpgradeHandler() {
    }

    /** Called by the starter right after {@code upgrade()} returned, before Tomcat calls {@link #init}. */
    void attach(UpgradedConnection pending) {
        this.connection = pending;
    }

    @Override
    public void setSocketWrapper(SocketWrapperBase<?> wrapper) {
        this.socket = wrapper;
    }

    @Override
    public void init(WebConnection webConnection) {
        UpgradedConnection c = connection;
        if (c == null) {
            // Tomcat calls init() after the request's filter chain returned, and the starter attaches inside it
            throw new IllegalStateException("the upgrade handler was initialised before the bridge attached its connection");
        }
        c.open(this);
    }

    @Override
    public void startPumps() {
        UpgradedConnection c = connection;
        Reads r = new Reads(c);
        Writes w = new Writes(c);
        r.attach();
        w.attach();
        reads = r;
        writes = w;
        // the first read runs in the OPEN_READ event Tomcat dispatches right after init()
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent event) {
        switch (event) {
            case OPEN_READ:
                Reads r = reads;
                return closing.get() || r == null ? SocketState.CLOSED : r.onReadEvent();
            case OPEN_WRITE:
                Writes w = writes;
                if (w != null) {
                    w.onWritable();
                }
                return closing.get() ? SocketState.CLOSED : SocketState.UPGRADED;
            case TIMEOUT:
                return closing.get() ? SocketState.CLOSED : SocketState.UPGRADED; // no timeouts: the upgrade decides
            case STOP:
                failed(new IOException("Tomcat is stopping the connector"));
                return SocketState.CLOSED;
            default: // DISCONNECT, ERROR, CONNECT_FAIL
                SocketWrapperBase<?> s = socket;
                IOException error = s != null ? s.getError() : null;
                failed(error != null ? error : new IOException("Tomcat reported " + event + " on the connection"));
                return SocketState.CLOSED;
        }
    }

    /** Reads the socket in Tomcat's read events; resumes after a pause through a read event Tomcat is asked for. */
    private final class Reads extends InputPump {

        Reads(UpgradedConnection connection) {
            super(connection);
        }

        @Override
        protected int fill(ByteBuffer room) throws IOException {
            try {
                return socket.read(false, room);
            } catch (EOFException end) {
                return -1; // Tomcat reports the peer's FIN as an EOFException
            }
        }

        /** Reads must run on Tomcat's thread, under its per-socket lock: ask for a read event. */
        @Override
        protected void resume() {
            if (move(Park.PAUSED, Park.RESUMING)) {
                dispatch(SocketEvent.OPEN_READ);
            }
        }

        SocketState onReadEvent() {
            if (!wake(Park.AWAITING_DATA, Park.RESUMING)) {
                return SocketState.SUSPENDED; // a paused or finished input: Tomcat must not watch the socket for reads
            }
            switch (pump()) {
                case AWAITING_DATA:
                    return SocketState.UPGRADED; // Tomcat watches the socket for the next bytes
                case FAILED:
                    return SocketState.CLOSED;
                default:
                    return SocketState.SUSPENDED;
            }
        }
    }

    /** Non-blocking writes: Tomcat takes every byte (into the socket or its own buffers), its write event resumes. */
    private final class Writes extends OutputPump {

        Writes(UpgradedConnection connection) {
            super(connection, Park.IDLE);
        }

        /** Tomcat holds no bytes the socket did not take, or now sent them. */
        @Override
        protected boolean ready() throws IOException {
            SocketWrapperBase<?> s = socket;
            return s.canWrite() || !s.flush(false);
        }

        @Override
        protected void awaitSocket() {
            socket.registerWriteInterest(); // OPEN_WRITE resumes the loop
        }

        @Override
        protected boolean write(ByteBuffer bytes) throws IOException {
            int n = bytes.remaining();
            socket.write(false, bytes);
            output.consume(n);
            return true;
        }

        @Override
        protected boolean flush() throws IOException {
            return !socket.flush(false); // false: Tomcat still holds bytes, and ready() waits for them
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Lingering close: a FIN on the plain socket (Tomcat's NIO and NIO2 connectors), after the write loop flushed
     * every byte. Over TLS the output stays open: shutting the TCP output without TLS's own close would look like a
     * truncation to the peer, and the lingering close works without the FIN too.
     */
    @Override
    public boolean shutdownOutput() {
        SocketWrapperBase<?> s = socket;
        if (s == null || closing.get()) {
            return false;
        }
        try {
            Object channel = s.getSocket();
            if (channel instanceof org.apache.tomcat.util.net.SecureNioChannel
                || channel instanceof org.apache.tomcat.util.net.SecureNio2Channel) {
                return false;
            }
            if (channel instanceof org.apache.tomcat.util.net.NioChannel nio) {
                nio.getIOChannel().shutdownOutput();
                return true;
            }
            if (channel instanceof org.apache.tomcat.util.net.Nio2Channel nio2) {
                nio2.getIOChannel().shutdownOutput();
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // the socket is already gone: the close that follows finds out
        }
        return false;
    }

    /** Tomcat's read timeout: its poller dispatches an {@code ERROR} event after that much silence, and the close follows. */
    @Override
    public boolean closeWhenSilent(long millis) {
        SocketWrapperBase<?> s = socket;
        if (s == null) {
            return false;
        }
        s.setReadTimeout(millis);
        return true;
    }

    /** Every byte was sent (the write loop flushed Tomcat's buffers before it reported the output drained). */
    @Override
    public void close() {
        closeOnTomcatThread();
    }

    @Override
    public void abort(Throwable cause) {
        endPumps();
        closeOnTomcatThread();
    }

    /**
     * Asks Tomcat to close the connection in a {@code DISCONNECT} event: on its thread, under its per-socket lock,
     * so no read or write event of this connection runs at the same time, and Tomcat releases its processor and
     * calls {@link #destroy()}.
     */
    private void closeOnTomcatThread() {
        if (!closing.compareAndSet(false, true) || destroyed) {
            return;
        }
        dispatch(SocketEvent.DISCONNECT);
    }

    /**
     * Has Tomcat run {@code event} for this connection on one of its threads. Tomcat's queue is unbounded; it
     * refuses (and logs) only while its connector stops, and the stopping connector closes every socket itself.
     */
    private void dispatch(SocketEvent event) {
        SocketWrapperBase<?> s = socket;
        if (s == null) {
            return;
        }
        try {
            // a worker thread Tomcat may start for this must not keep the application (CleanSubmission)
            PROCESS_SOCKET_CLEANLY.run(s, event, true);
        } catch (RuntimeException | LinkageError e) {
            s.processSocket(event, true); // not submitted: processSocket catches what it throws itself
        }
    }

    private static MethodHandle processSocket() {
        try {
            return MethodHandles.lookup().findVirtual(SocketWrapperBase.class, "processSocket",
                MethodType.methodType(void.class, SocketEvent.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Tomcat's SocketWrapperBase has no processSocket(SocketEvent, boolean)", e);
        }
    }

    private void failed(Throwable cause) {
        endPumps();
        UpgradedConnection c = connection;
        if (c != null) {
            c.transportFailed(cause);
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        endPumps();
        UpgradedConnection c = connection;
        if (c != null) {
            c.transportClosed(null);
        }
    }

    private void endPumps() {
        Reads r = reads;
        Writes w = writes;
        if (r != null) {
            r.stop();
        }
        if (w != null) {
            w.stop();
        }
    }

    @Override
    public void timeoutAsync(long now) {
        // upgraded connections have no timeouts (Tomcat sets none either): the upgrade decides
    }

    @Override
    public void setSslSupport(SSLSupport sslSupport) {
        // not needed: TLS is Tomcat's business below the socket wrapper
    }

    @Override
    public void pause() {
        // the connector pauses before it stops; STOP or destroy() follows
    }

    @Override
    public String describe() {
        return "Tomcat connection";
    }

    @Override
    public String toString() {
        return "TomcatUpgradeHandler{" + reads + ", " + writes + ", closing=" + closing.get() + ", destroyed=" + destroyed + '}';
    }
}
