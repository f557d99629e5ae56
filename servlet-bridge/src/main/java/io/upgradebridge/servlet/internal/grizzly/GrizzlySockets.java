package io.upgradebridge.servlet.internal.grizzly;

import io.upgradebridge.servlet.internal.PrivateMembers;

import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * The half-close the servlet API has no words for, on GlassFish's and Payara's upgraded connections (their web
 * container over Grizzly): {@code WebConnection.close()} there resumes the suspended response and lets Grizzly finish
 * the exchange, and closing the upgraded output stream closes both directions. For a lingering close the bridge shuts
 * the output of the socket itself. GlassFish's {@code WebConnectionImpl} keeps its request, whose Grizzly request knows
 * the Grizzly connection and so the {@link SocketChannel}; but Grizzly recycles that request once the connection ends
 * and hands it to the next connection of the same worker: looked up at close time it may name another client's
 * connection (seen on Payara 7: a new handshake's socket shut by an old session's lingering close). So the Grizzly
 * connection is looked up once, in {@code init}, while the request is certainly this upgrade's ({@link #connectionOf}),
 * and the half-close uses that object ({@link #shutdownOutput}): only when Grizzly's asynchronous write queue holds
 * nothing (a FIN would cut what it still has to write) and not over TLS (Grizzly's TLS filter would not send its close
 * first). Through reflection; on any other container it does nothing, and if GlassFish or Grizzly change it says so
 * once in the log.
 */
public final class GrizzlySockets {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    /** The class of GlassFish's and Payara's upgraded connections. */
    static final String WEB_CONNECTION = "org.apache.catalina.connector.WebConnectionImpl";
    private static volatile boolean warned;

    private GrizzlySockets() {
    }

    /**
     * The Grizzly connection under one of GlassFish's upgraded connections, looked up while its request is this
     * upgrade's (in {@code init}).
     *
     * @return the Grizzly connection, or {@code null} elsewhere, over TLS, or when it cannot be reached
     */
    public static Object connectionOf(Object webConnection) {
        if (webConnection == null || !webConnection.getClass().getName().equals(WEB_CONNECTION)) {
            return null;
        }
        try {
            Object request = PrivateMembers.field(webConnection, "request");
            if (request == null || Boolean.TRUE.equals(call(request, "isSecure"))) {
                return null;
            }
            return call(call(call(request, "getCoyoteRequest"), "getContext"), "getConnection");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
            return null;
        }
    }

    /**
     * Whether closing {@code webConnection} still closes the upgrade of {@code handler}. GlassFish's
     * {@code WebConnectionImpl.close()} acts on its request as it is now (destroys the request's upgrade handler,
     * closes the streams, resumes the response): once Grizzly has recycled that request for another connection that
     * upgraded too, it would end that other client's upgrade. Elsewhere always true.
     */
    public static boolean closes(Object webConnection, Object handler) {
        if (webConnection == null || !webConnection.getClass().getName().equals(WEB_CONNECTION)) {
            return true;
        }
        try {
            Object request = PrivateMembers.field(webConnection, "request");
            return request != null && PrivateMembers.field(request, "httpUpgradeHandler") == handler;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
            return true;
        }
    }

    /**
     * Half-closes the plain socket of a Grizzly connection found by {@link #connectionOf}, for a lingering close.
     *
     * @return whether it could
     */
    public static boolean shutdownOutput(Object grizzlyConnection) {
        if (grizzlyConnection == null) {
            return false;
        }
        try {
            Object pending = call(call(grizzlyConnection, "getAsyncWriteQueue"), "spaceInBytes");
            if (!Integer.valueOf(0).equals(pending)) {
                return false; // bytes still queued: no FIN before them (the lingering close works without it)
            }
            if (call(grizzlyConnection, "getChannel") instanceof SocketChannel socket) {
                socket.shutdownOutput(); // this connection's own socket: closed already, it throws
                return true;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
        } catch (java.io.IOException e) {
            // closed meanwhile: the close that follows still works
        }
        return false;
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
