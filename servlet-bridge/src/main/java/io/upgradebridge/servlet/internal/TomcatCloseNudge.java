package io.upgradebridge.servlet.internal;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Makes Tomcat close an upgraded socket now when the close comes from a thread that is not the
 * container's. Tomcat only marks the streams closed then and closes the socket on the next socket
 * event, which for an idle peer never comes. The nudge asks Tomcat's socket wrapper for a write event
 * (the same call Tomcat makes itself); the event sees both streams closed and closes the socket.
 *
 * <p>Works through reflection on Tomcat's {@code UpgradeServletOutputStream}; on any other container,
 * or if Tomcat changes, it does nothing (and says so once in the log).
 */
final class TomcatCloseNudge {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final String STREAM_CLASS = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";
    private static volatile boolean warned;

    private TomcatCloseNudge() {
    }

    /** Whether {@code out} is Tomcat's upgraded output stream. */
    static boolean applies(Object out) {
        return out != null && out.getClass().getName().equals(STREAM_CLASS);
    }

    /** Asks Tomcat to process a write event on the socket behind {@code out}. */
    static void nudge(Object out) {
        try {
            Field field = out.getClass().getDeclaredField("socketWrapper");
            field.setAccessible(true);
            Object wrapper = field.get(out);
            if (wrapper == null) {
                return;
            }
            ClassLoader loader = wrapper.getClass().getClassLoader();
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<? extends Enum> eventType = (Class<? extends Enum>) Class.forName("org.apache.tomcat.util.net.SocketEvent", false, loader);
            @SuppressWarnings("unchecked")
            Object openWrite = Enum.valueOf(eventType, "OPEN_WRITE");
            Method process = findProcessSocket(wrapper.getClass(), eventType);
            process.invoke(wrapper, openWrite, Boolean.TRUE);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "could not ask Tomcat to close an upgraded socket now; it will close on the peer's next packet", e);
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
