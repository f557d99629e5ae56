package io.upgradebridge.servlet.internal.tomcat;

import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * Finds the executor of the connector a Tomcat connection came through: the pool of worker threads
 * ({@code http-nio-...-exec-N}) that runs its socket events. Tomcat keeps the connection's endpoint behind a protected
 * accessor, read here once by reflection.
 */
final class TomcatWorkers {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    /** {@code SocketWrapperBase.getEndpoint()}, or {@code null} where it cannot be read (a module that does not open it). */
    private static final Method GET_ENDPOINT = endpointAccessor();

    private TomcatWorkers() {
    }

    /** The connector's executor, or {@code null} when it cannot be found (the bridge then keeps its own pool). */
    static Executor of(SocketWrapperBase<?> socket) {
        if (GET_ENDPOINT == null || socket == null) {
            return null;
        }
        try {
            return ((AbstractEndpoint<?, ?>) GET_ENDPOINT.invoke(socket)).getExecutor();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "cannot find Tomcat's connector executor: " + e);
            return null;
        }
    }

    private static Method endpointAccessor() {
        try {
            Method m = SocketWrapperBase.class.getDeclaredMethod("getEndpoint");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "cannot read Tomcat's connector executor, the bridge keeps its own pool: " + e);
            return null;
        }
    }
}
