package io.upgradebridge.servlet.internal;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Asks Tomcat to process a socket event for an upgraded connection, on one of its own threads, the same
 * call Tomcat makes itself. Needed twice on Tomcat's standard upgrade path:
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
final class TomcatSocketEvents {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final String PACKAGE = "org.apache.coyote.http11.upgrade.";
    private static volatile boolean warned;

    private TomcatSocketEvents() {
    }

    /** Whether {@code stream} is one of Tomcat's upgraded streams. */
    static boolean applies(Object stream) {
        return stream != null && stream.getClass().getName().startsWith(PACKAGE + "UpgradeServlet");
    }

    /** A read event: Tomcat calls the read listener on its thread if bytes are there. */
    static void dispatchRead(Object stream) {
        dispatch(stream, "OPEN_READ");
    }

    /** A write event: Tomcat calls the write listener, and closes the socket if both streams are closed. */
    static void dispatchWrite(Object stream) {
        dispatch(stream, "OPEN_WRITE");
    }

    private static void dispatch(Object stream, String event) {
        try {
            Field field = stream.getClass().getDeclaredField("socketWrapper");
            field.setAccessible(true);
            Object wrapper = field.get(stream);
            if (wrapper == null) {
                return;
            }
            ClassLoader loader = wrapper.getClass().getClassLoader();
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<? extends Enum> eventType = (Class<? extends Enum>) Class.forName("org.apache.tomcat.util.net.SocketEvent", false, loader);
            @SuppressWarnings("unchecked")
            Object socketEvent = Enum.valueOf(eventType, event);
            Method processSocket = findProcessSocket(wrapper.getClass(), eventType);
            // Tomcat may start a worker thread for this dispatch, and a new thread inherits this thread's
            // context class loader: with the webapp's loader there, Tomcat later reports its own worker
            // as a thread the webapp leaked. Dispatch with Tomcat's loader instead.
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            try {
                processSocket.invoke(wrapper, socketEvent, Boolean.TRUE);
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

    private static Method findProcessSocket(Class<?> type, Class<?> eventType) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod("processSocket", eventType, boolean.class);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException ignored) {
                // look further up
            }
        }
        throw new NoSuchMethodException("processSocket(SocketEvent, boolean) on " + type.getName());
    }
}
