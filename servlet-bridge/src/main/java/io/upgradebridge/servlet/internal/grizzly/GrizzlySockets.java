package io.upgradebridge.servlet.internal.grizzly;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * The half-close the servlet API has no words for, on GlassFish's and Payara's upgraded connections (their web
 * container over Grizzly): {@code WebConnection.close()} there resumes the suspended response and lets Grizzly finish
 * the exchange, and closing the upgraded output stream closes both directions. For a lingering close the bridge shuts
 * the output of the socket itself: GlassFish's {@code WebConnectionImpl} keeps its request, whose Grizzly request knows
 * the Grizzly connection and so the {@link SocketChannel}. Only when Grizzly's asynchronous write queue holds nothing
 * (a FIN would cut what it still has to write) and not over TLS (Grizzly's TLS filter would not send its close first).
 * Through reflection; on any other container it does nothing, and if GlassFish or Grizzly change it says so once in
 * the log.
 */
public final class GrizzlySockets {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final String WEB_CONNECTION = "org.apache.catalina.connector.WebConnectionImpl";
    private static volatile boolean warned;

    private GrizzlySockets() {
    }

    /**
     * Half-closes the plain socket under one of GlassFish's upgraded connections, for a lingering close.
     *
     * @return whether it could
     */
    public static boolean shutdownOutput(Object webConnection) {
        if (webConnection == null || !webConnection.getClass().getName().equals(WEB_CONNECTION)) {
            return false;
        }
        try {
            Object request = field(webConnection, "request");
            if (request == null || Boolean.TRUE.equals(call(request, "isSecure"))) {
                return false;
            }
            Object connection = call(call(call(request, "getCoyoteRequest"), "getContext"), "getConnection");
            Object pending = call(call(connection, "getAsyncWriteQueue"), "spaceInBytes");
            if (!Integer.valueOf(0).equals(pending)) {
                return false; // bytes still queued: no FIN before them (the lingering close works without it)
            }
            if (call(connection, "getChannel") instanceof SocketChannel socket) {
                socket.shutdownOutput();
                return true;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
        } catch (java.io.IOException e) {
            // closed meanwhile: the close that follows still works
        }
        return false;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(target);
            } catch (NoSuchFieldException ignored) {
                // look further up
            }
        }
        throw new NoSuchFieldException(name + " on " + target.getClass().getName());
    }

    private static Object call(Object target, String name) throws ReflectiveOperationException {
        if (target == null) {
            throw new NoSuchMethodException(name + " on null");
        }
        Method method = target.getClass().getMethod(name);
        method.setAccessible(true); // public method of a class that need not be
        return method.invoke(target);
    }

    private static void warn(Throwable e) {
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "could not reach the Grizzly connection under an upgraded connection: closes do not "
                + "half-close it first", e);
        }
    }
}
