package io.upgradebridge.servlet.internal.undertow;

import io.upgradebridge.servlet.internal.PrivateMembers;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * Asks Undertow to call an upgraded stream's read listener again, on its I/O thread. Undertow's
 * {@code UpgradeServletInputStream} keeps its state (ready, finished, the buffer it has read ahead) in plain fields
 * that its I/O thread changes in every read event, and a {@code read()} that empties that buffer reads the channel
 * again: reading from another thread races with the I/O thread (bytes lost or read twice, a missed wake-up), so on
 * Undertow the read pump reads only inside {@code onDataAvailable}. A pump that paused with bytes still read ahead gets
 * no new read event (Undertow suspended reads): waking the channel's reads makes the I/O thread run the read listener,
 * which calls {@code onDataAvailable} again. Also the two closes the servlet API has no words for, on the same I/O
 * thread: an abort ({@link #closeNow}) and a half-close for a lingering close ({@link #shutdownOutput}). Works through
 * reflection on the streams' and the connection's {@code channel} and {@code ioExecutor}; on any other container it
 * does nothing, and if Undertow changes it says so once in the log.
 */
public final class UndertowReadEvents {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final String STREAM = "io.undertow.servlet.spec.UpgradeServletInputStream";
    private static volatile boolean warned;

    private UndertowReadEvents() {
    }

    /** Whether {@code stream} is Undertow's upgraded input stream. */
    public static boolean applies(Object stream) {
        return stream != null && stream.getClass().getName().equals(STREAM);
    }

    /** Makes Undertow's I/O thread run the stream's read listener, which calls {@code onDataAvailable} if bytes are there. */
    public static void dispatchRead(Object stream) {
        try {
            Object channel = PrivateMembers.field(stream, "channel");
            Executor io = (Executor) PrivateMembers.field(stream, "ioExecutor");
            Class<?> readChannel = Class.forName("org.xnio.channels.SuspendableReadChannel", false, channel.getClass().getClassLoader());
            Method wakeupReads = readChannel.getMethod("wakeupReads");
            io.execute(() -> {
                try {
                    wakeupReads.invoke(channel);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    warn(e);
                }
            });
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
        }
    }

    /**
     * Closes an Undertow upgraded connection at once, for an abort. Undertow's {@code WebConnection.close()} first
     * writes what its output stream still holds and flushes, blocking, until the peer has read it: on Undertow's I/O
     * thread (where an error callback aborts a connection) with a peer that does not read, that thread waits for itself
     * and every connection it serves hangs (seen on JDK 25 after the stalled-reader scenario). Closing the underlying
     * XNIO connection ({@code channel}, a {@link java.io.Closeable}) cuts it without writing.
     *
     * <p>What the output stream still holds is dropped first (an empty {@code buffer}): Undertow 2.3's write listener
     * goes on writing a buffer that has bytes left after a write failed and it closed the channel, and then spins on
     * that I/O thread for ever ({@code ClosedChannelException} after {@code ClosedChannelException}: a peer that reset
     * while an echo was pending stalled every connection of that thread), and the connection's close listener
     * ({@code WebConnection.close()}) would write it again and log the failure as an error. Both happen on the
     * connection's I/O thread, where the stream's fields are changed: here if called on it, else as a task of it.
     *
     * @return whether {@code webConnection} was Undertow's and is closed now (or as the I/O thread's next task)
     */
    public static boolean closeNow(Object webConnection) {
        if (!isUndertows(webConnection)) {
            return false;
        }
        try {
            java.io.Closeable channel = (java.io.Closeable) PrivateMembers.field(webConnection, "channel");
            Object out = PrivateMembers.field(webConnection, "outputStream");
            Runnable cut = () -> {
                try {
                    dropPendingOutput(out);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    warn(e);
                }
                try {
                    channel.close();
                } catch (java.io.IOException | RuntimeException e) {
                    // closed already
                }
            };
            onIoThread(webConnection, channel, cut);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
            return false;
        }
    }

    /**
     * Half-closes an Undertow upgraded connection for a lingering close: a FIN after the bytes already written, while
     * the peer's bytes still arrive. On Undertow that is what the upgraded output stream's {@code close()} does once a
     * write listener is set ({@code shutdownWrites()}, then a flush that the I/O thread completes); XNIO shuts the
     * socket's output only and keeps reading. Not over TLS (the TLS connection would send its close first).
     *
     * @return whether {@code webConnection} was Undertow's, on a plain socket, and its output is being shut
     */
    public static boolean shutdownOutput(Object webConnection) {
        if (!isUndertows(webConnection)) {
            return false;
        }
        try {
            Object channel = PrivateMembers.field(webConnection, "channel");
            if (channel.getClass().getName().contains("Ssl")) {
                return false;
            }
            jakarta.servlet.ServletOutputStream out = (jakarta.servlet.ServletOutputStream) PrivateMembers.field(webConnection, "outputStream");
            onIoThread(webConnection, channel, () -> {
                try {
                    out.close();
                } catch (java.io.IOException | RuntimeException e) {
                    // the connection is going anyway: the close that follows still works
                }
            });
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
            return false;
        }
    }

    private static boolean isUndertows(Object webConnection) {
        return webConnection != null && webConnection.getClass().getName().equals("io.undertow.servlet.spec.WebConnectionImpl");
    }

    /** Runs {@code task} now if this is the connection's I/O thread, else as a task of its I/O executor. */
    private static void onIoThread(Object webConnection, Object channel, Runnable task) throws ReflectiveOperationException {
        Class<?> connection = Class.forName("org.xnio.Connection", false, channel.getClass().getClassLoader());
        Object ioThread = connection.getMethod("getIoThread").invoke(channel);
        if (ioThread == Thread.currentThread()) {
            task.run();
        } else {
            ((Executor) PrivateMembers.field(webConnection, "ioExecutor")).execute(task);
        }
    }

    /** Replaces what Undertow's upgraded output stream still has to write with nothing (I/O thread only). */
    private static void dropPendingOutput(Object out) throws ReflectiveOperationException {
        Field buffer = PrivateMembers.fieldOf(out, "buffer");
        if (buffer.get(out) != null) {
            buffer.set(out, java.nio.ByteBuffer.allocate(0));
        }
    }


    private static void warn(Throwable e) {
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "could not reach Undertow's upgraded connection: a paused connection may wait for the "
                + "peer's next packet, an abort may wait for the peer to read, a close does not linger", e);
        }
    }
}
