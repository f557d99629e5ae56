package io.upgradebridge.servlet.internal.tomcat;

import io.upgradebridge.servlet.internal.CleanSubmission;
import io.upgradebridge.servlet.internal.PrivateMembers;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

/**
 * What the standard upgrade path (servlet streams) needs of Tomcat, through reflection, so that it links against
 * nothing of Tomcat's (the standard path runs on every container): asks Tomcat to process a socket event for an
 * upgraded connection, on one of its own threads, the same call Tomcat makes itself, and reaches the socket under the
 * streams for a lingering close. The socket events are needed twice:
 * <ul>
 *   <li>a close from a thread that is not the container's only marks the streams closed, and Tomcat
 *   closes the socket on the next socket event, which for an idle peer never comes: a write event
 *   makes it close now;</li>
 *   <li>a pump that paused because the application's buffer was full must resume on Tomcat's thread
 *   (reading from another thread races with Tomcat's own read-ahead), and bytes Tomcat already read
 *   ahead raise no socket event: a read event resumes it.</li>
 * </ul>
 * Works through reflection on Tomcat's {@code UpgradeServletInputStream}/{@code UpgradeServletOutputStream};
 * on any other container it does nothing, and if Tomcat changes it says so once in the log.
 */
public final class TomcatSocketEvents {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final String PACKAGE = "org.apache.coyote.http11.upgrade.";
    private static volatile boolean warned;
    /** The call for the socket-wrapper class last seen (one per connector kind; NIO in practice). */
    private static volatile EventCall lastEventCall;

    private TomcatSocketEvents() {
    }

    /** Whether {@code stream} is one of Tomcat's upgraded streams. */
    public static boolean applies(Object stream) {
        return stream != null && stream.getClass().getName().startsWith(PACKAGE + "UpgradeServlet");
    }

    /** A read event: Tomcat calls the read listener on its thread if bytes are there. */
    public static void dispatchRead(Object stream) {
        dispatch(stream, "OPEN_READ");
    }

    /** A write event: Tomcat calls the write listener, and closes the socket if both streams are closed. */
    public static void dispatchWrite(Object stream) {
        dispatch(stream, "OPEN_WRITE");
    }

    /**
     * Half-closes the plain socket (not TLS) under one of Tomcat's upgraded streams, for a lingering close.
     *
     * @return whether it could
     */
    public static boolean shutdownOutput(Object stream) {
        try {
            Object wrapper = socketWrapper(stream);
            if (wrapper == null) {
                return false;
            }
            Object channel = PrivateMembers.method(wrapper.getClass(), "getSocket").invoke(wrapper);
            if (channel == null || channel.getClass().getSimpleName().startsWith("Secure")) {
                return false; // TLS: no FIN without TLS's own close; the lingering close works without it
            }
            Object io = PrivateMembers.method(channel.getClass(), "getIOChannel").invoke(channel);
            if (io instanceof java.nio.channels.SocketChannel plain) {
                plain.shutdownOutput();
                return true;
            }
            if (io instanceof java.nio.channels.AsynchronousSocketChannel async) {
                async.shutdownOutput();
                return true;
            }
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException | LinkageError e) {
            // no half-close: the close that follows still works
        }
        return false;
    }

    /**
     * Sets the read timeout of the socket under one of Tomcat's upgraded streams: Tomcat's poller ends the connection
     * after that much silence (an {@code ERROR} event).
     *
     * @return whether it could
     */
    public static boolean setReadTimeout(Object stream, long millis) {
        try {
            Object wrapper = socketWrapper(stream);
            if (wrapper == null) {
                return false;
            }
            PrivateMembers.method(wrapper.getClass(), "setReadTimeout", long.class).invoke(wrapper, millis);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Object socketWrapper(Object stream) throws ReflectiveOperationException {
        if (!applies(stream)) {
            return null;
        }
        return PrivateMembers.field(stream, "socketWrapper");
    }


    private static void dispatch(Object stream, String event) {
        try {
            Object wrapper = PrivateMembers.field(stream, "socketWrapper");
            if (wrapper == null) {
                return;
            }
            EventCall call = eventCall(wrapper.getClass());
            Object socketEvent = event.equals("OPEN_READ") ? call.openRead : call.openWrite;
            // Tomcat may start a worker thread for this dispatch, and a new thread inherits this thread's
            // context class loader: with the webapp's loader there, Tomcat later reports its own worker
            // as a thread the webapp leaked. Dispatch with Tomcat's loader instead, and without the webapp's
            // classes on the stack, whose protection domains the new thread would keep too (CleanSubmission).
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(wrapper.getClass().getClassLoader());
            try {
                call.processSocket.run(wrapper, socketEvent, Boolean.TRUE);
            } finally {
                current.setContextClassLoader(previous);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "could not ask Tomcat for a socket event on an upgraded connection; closes from other "
                    + "threads and resumed reads may wait for the peer's next packet", e);
            }
        }
    }

    /**
     * The {@link EventCall} for Tomcat's socket-wrapper class, made once per class: a plain field of the bridge's, not a
     * {@code ClassValue} on Tomcat's class, which would keep the bridge's (and so the application's) loader from Tomcat's.
     */
    private static EventCall eventCall(Class<?> wrapperClass) throws ReflectiveOperationException {
        EventCall known = lastEventCall;
        if (known != null && known.wrapperClass == wrapperClass) {
            return known;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<? extends Enum> eventType = (Class<? extends Enum>) Class.forName("org.apache.tomcat.util.net.SocketEvent",
            false, wrapperClass.getClassLoader());
        Method processSocket = PrivateMembers.method(wrapperClass, "processSocket", eventType, boolean.class);
        @SuppressWarnings("unchecked")
        EventCall made = new EventCall(wrapperClass, CleanSubmission.of(MethodHandles.lookup().unreflect(processSocket)),
            Enum.valueOf(eventType, "OPEN_READ"), Enum.valueOf(eventType, "OPEN_WRITE"));
        lastEventCall = made;
        return made;
    }

    /** Tomcat's {@code processSocket(event, dispatch)} for one socket-wrapper class, and the two events it is sent. */
    private static final class EventCall {
        final Class<?> wrapperClass;
        final CleanSubmission processSocket;
        final Object openRead;
        final Object openWrite;

        EventCall(Class<?> wrapperClass, CleanSubmission processSocket, Object openRead, Object openWrite) {
            this.wrapperClass = wrapperClass;
            this.processSocket = processSocket;
            this.openRead = openRead;
            this.openWrite = openWrite;
        }
    }
}
