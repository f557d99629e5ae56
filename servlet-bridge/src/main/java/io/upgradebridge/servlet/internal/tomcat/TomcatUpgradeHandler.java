package io.upgradebridge.servlet.internal.tomcat;

import io.upgradebridge.io.internal.RingByteChannel;
import io.upgradebridge.servlet.internal.LoopGate;
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
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Tomcat path: an upgrade handler on Tomcat's internal I/O layer, the one Tomcat's own WebSocket
 * uses. Tomcat calls {@link #upgradeDispatch} on one of its threads for every socket event, one event
 * at a time per connection; the handler reads the socket straight into the input channel's free space
 * (no servlet stream, no copy through a read listener's array) until it would block, and writes the
 * output channel's bytes with non-blocking writes.
 *
 * <p>Reads happen only inside {@code upgradeDispatch(OPEN_READ)}. When the input channel is full the
 * handler answers {@code SUSPENDED} (Tomcat stops watching the socket for reads) and asks Tomcat for a
 * read event once the application made room. Closing also goes through a Tomcat event
 * ({@code DISCONNECT}), so the socket is closed on Tomcat's thread, Tomcat releases its processor and
 * calls {@link #destroy()}, also when the peer is silent.
 */
public final class TomcatUpgradeHandler implements InternalHttpUpgradeHandler, UpgradeTransport {

    /** Read side. Transitions only by CAS (through {@link LoopGate}). */
    enum ReadState {
        /** Tomcat watches the socket (or is about to dispatch the first event): the next OPEN_READ reads. */
        AWAITING_DATA,
        /** One Tomcat thread is inside the read loop. */
        READING,
        /** Inside the loop, and room was made meanwhile: the loop must go round once more. */
        READING_RECHECK,
        /** The input channel is full; Tomcat does not watch the socket. The producer signal resumes. */
        PAUSED,
        /** Room was made after a pause: a read event was asked for and will run the loop. */
        RESUMING,
        /** Input ended, failed or was cancelled. Terminal. */
        DONE
    }

    /** Write side. Transitions only by CAS (through {@link LoopGate}). */
    enum WriteState {
        /** Nothing to send: the output channel's consumer signal starts the loop. */
        IDLE,
        /** One thread is inside the write loop. */
        WRITING,
        /** Inside the loop, and a signal came meanwhile: the loop must go round once more. */
        WRITING_RECHECK,
        /** Tomcat's buffers are full: its write event resumes the loop. */
        AWAITING_SOCKET,
        /** Output finished or failed. Terminal. */
        DONE
    }

    private final LoopGate<ReadState> reads =
        new LoopGate<>(ReadState.AWAITING_DATA, ReadState.READING, ReadState.READING_RECHECK, ReadState.DONE);
    private final LoopGate<WriteState> writes =
        new LoopGate<>(WriteState.IDLE, WriteState.WRITING, WriteState.WRITING_RECHECK, WriteState.DONE);
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile SocketWrapperBase<?> socket;
    private volatile UpgradedConnection connection;
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
        c.input().attachTransport(this::onInputSignal, null);
        c.output().attachTransport(null, this::onOutputSignal);
        // the first read runs in the OPEN_READ event Tomcat dispatches right after init()
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent event) {
        switch (event) {
            case OPEN_READ:
                return closing.get() ? SocketState.CLOSED : onReadEvent();
            case OPEN_WRITE:
                if (writes.enter(WriteState.AWAITING_SOCKET, null)) {
                    writeLoop();
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

    // ------------------------------------------------------------------ read side

    private SocketState onReadEvent() {
        if (reads.enter(ReadState.AWAITING_DATA, ReadState.RESUMING)) {
            return readLoop();
        }
        // a paused or finished input: Tomcat must not watch the socket for reads
        return SocketState.SUSPENDED;
    }

    /** Producer signal of the input channel: room again, or the reader cancelled. */
    private void onInputSignal() {
        UpgradedConnection c = connection;
        RingByteChannel input = c.input();
        Throwable cancelled = input.isClosedForWrite() ? input.closedCause() : null;
        if (cancelled != null) {
            if (reads.finish()) {
                c.transportFailed(cancelled); // the application cancelled its input (or the connection is being aborted)
            }
            return;
        }
        if (reads.wake(ReadState.PAUSED, ReadState.RESUMING)) {
            // reads must run on Tomcat's thread, under its per-socket lock: ask for a read event
            dispatch(SocketEvent.OPEN_READ);
        }
    }

    private SocketState readLoop() {
        UpgradedConnection c = connection;
        RingByteChannel input = c.input();
        SocketWrapperBase<?> s = socket;
        try {
            while (true) {
                if (input.isClosedForWrite()) {
                    if (reads.finish() && input.closedCause() != null) {
                        c.transportFailed(input.closedCause());
                    }
                    return SocketState.SUSPENDED;
                }
                ByteBuffer room = input.writableSlice();
                if (!room.hasRemaining()) {
                    // room made after writableSlice() came back empty turned READING into READING_RECHECK
                    if (reads.park(ReadState.PAUSED)) {
                        return SocketState.SUSPENDED;
                    }
                    continue;
                }
                int n;
                try {
                    n = s.read(false, room);
                } catch (EOFException end) {
                    n = -1; // Tomcat reports the peer's FIN as an EOFException
                }
                if (n > 0) {
                    input.commit(n);
                } else if (n == 0) {
                    input.releaseIfEmpty(); // an idle connection holds no buffer
                    if (reads.park(ReadState.AWAITING_DATA)) {
                        return SocketState.UPGRADED; // Tomcat watches the socket for the next bytes
                    }
                } else {
                    input.releaseIfEmpty();
                    if (reads.finish()) {
                        c.inputEnded(); // the peer's FIN: the output may still be sent
                    }
                    return SocketState.SUSPENDED;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (reads.finish()) {
                c.transportFailed(e);
            }
            return SocketState.CLOSED;
        }
    }

    // ------------------------------------------------------------------ write side

    /**
     * Consumer signal of the output channel: bytes after an idle spell, a flush request, or the end. The loop runs
     * on the engine executor, not on the signalling thread: the application goes on writing meanwhile, and the loop
     * then writes everything written so far at once.
     */
    private void onOutputSignal() {
        if (writes.enter(WriteState.IDLE, null)) {
            try {
                connection.engine().execute(this::writeLoop);
            } catch (RejectedExecutionException shuttingDown) {
                writeLoop(); // the executor is stopping: write here rather than leave the bytes behind
            }
        }
    }

    private void writeLoop() {
        UpgradedConnection c = connection;
        RingByteChannel output = c.output();
        SocketWrapperBase<?> s = socket;
        try {
            while (true) {
                if (output.isClosedForWrite() && output.closedCause() != null) {
                    writes.finish(); // aborted: the connection is being torn down
                    return;
                }
                ByteBuffer bytes = output.readableSlice();
                if (bytes.hasRemaining() && s.canWrite()) {
                    int n = bytes.remaining();
                    s.write(false, bytes); // Tomcat takes all of it: into the socket, or into its own buffers
                    output.consume(n);
                    continue;
                }
                if (s.flush(false)) {
                    // Tomcat still holds bytes the socket did not take
                    if (writes.park(WriteState.AWAITING_SOCKET)) {
                        s.registerWriteInterest(); // OPEN_WRITE resumes the loop
                        return;
                    }
                    continue;
                }
                if (bytes.hasRemaining()) {
                    continue; // Tomcat's buffers are empty again
                }
                if (output.hasUnflushed()) {
                    output.markFlushed(); // every byte consumed so far is in the socket
                }
                if (output.isDrainedAndClosed()) {
                    writes.finish();
                    c.outputDrained();
                    return;
                }
                output.releaseIfEmpty(); // nothing in flight: an idle connection holds no buffer
                // a signal that came after readableSlice() saw nothing turned WRITING into WRITING_RECHECK
                if (writes.park(WriteState.IDLE)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (writes.finish()) {
                c.transportFailed(e);
            }
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
        if (s != null) {
            s.processSocket(event, true);
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
        reads.finish();
        writes.finish();
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
        return "TomcatUpgradeHandler{read=" + reads + ", write=" + writes + ", closing=" + closing.get() + ", destroyed=" + destroyed + '}';
    }
}
