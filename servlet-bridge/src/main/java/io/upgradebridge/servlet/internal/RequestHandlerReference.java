package io.upgradebridge.servlet.internal;

import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;

/**
 * Where the container's request object keeps the upgrade handler after the upgrade: GlassFish and Payara
 * ({@code org.apache.catalina.connector.Request.httpUpgradeHandler}) never clear that field when the request is
 * recycled, and Grizzly keeps recycled requests in its worker threads for the next request. The last handler of each
 * worker thread, and with its class the whole web application, so stays reachable after undeploy. The handler clears
 * the field when the container destroys it (only if it still holds that handler). Found through reflection on the
 * request behind the facade (a {@code request} field) and its wrappers; a container without such a field (Tomcat,
 * Jetty, Undertow) gets nothing done, and a failure is logged once.
 */
final class RequestHandlerReference {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static volatile boolean warned;

    private final Object request;
    private final Field field;

    private RequestHandlerReference(Object request, Field field) {
        this.request = request;
        this.field = field;
    }

    /** The container request's handler field behind {@code request}, or {@code null} when it has none. */
    static RequestHandlerReference of(Object request) {
        try {
            Object unwrapped = request;
            while (unwrapped instanceof ServletRequestWrapper wrapper) {
                unwrapped = wrapper.getRequest();
            }
            Object inner = unwrapped;
            Field facade = findField(unwrapped.getClass(), "request", null);
            if (facade != null) {
                inner = facade.get(unwrapped);
            }
            Field handler = inner == null ? null : findField(inner.getClass(), "httpUpgradeHandler", HttpUpgradeHandler.class);
            return handler == null ? null : new RequestHandlerReference(inner, handler);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            warn(e);
            return null;
        }
    }

    /** Clears the field if it still holds {@code handler} (a recycled request may hold another upgrade's by now). */
    void clear(HttpUpgradeHandler handler) {
        try {
            synchronized (request) {
                if (field.get(request) == handler) {
                    field.set(request, null);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
        }
    }

    private static Field findField(Class<?> type, String name, Class<?> fieldType) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getName().equals(name) && (fieldType == null || field.getType() == fieldType)) {
                    try {
                        field.setAccessible(true);
                        return field;
                    } catch (RuntimeException e) {
                        warn(e);
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static void warn(Throwable e) {
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "could not clear the container request's reference to an ended upgrade; on GlassFish and "
                + "Payara an undeployed application may stay reachable until its worker threads serve other upgrades", e);
        }
    }
}
