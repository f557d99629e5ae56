package io.upgradebridge.servlet.internal.jetty;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import org.eclipse.jetty.server.Request;

import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds Jetty's core {@link Request} behind a servlet request, for whichever servlet environment
 * (ee10, ee11, ...) the webapp runs in. Each environment has a {@code ServletContextRequest} class with
 * a static {@code getServletContextRequest(ServletRequest)}; it is looked up through the request's own
 * class loader, which sees the server's classes even when Jetty hides them from the webapp.
 */
final class JettyCoreRequests {

    private static final ConcurrentHashMap<Class<?>, Method> LOOKUPS = new ConcurrentHashMap<>();

    private JettyCoreRequests() {
    }

    static Request find(ServletRequest request) throws ReflectiveOperationException {
        ServletRequest innermost = request;
        while (innermost instanceof ServletRequestWrapper) {
            innermost = ((ServletRequestWrapper) innermost).getRequest();
        }
        Class<?> type = innermost.getClass();
        Method lookup = LOOKUPS.get(type);
        if (lookup == null) {
            lookup = findLookup(type);
            LOOKUPS.put(type, lookup);
        }
        Object core = lookup.invoke(null, request);
        if (!(core instanceof Request)) {
            throw new IllegalStateException("Jetty returned " + core + " instead of its core Request for " + type.getName());
        }
        return (Request) core;
    }

    private static Method findLookup(Class<?> requestType) throws ReflectiveOperationException {
        String name = requestType.getName();
        // org.eclipse.jetty.ee10.servlet.ServletApiRequest -> org.eclipse.jetty.ee10
        int servlet = name.indexOf(".servlet.");
        if (!name.startsWith("org.eclipse.jetty.ee") || servlet < 0) {
            throw new ClassNotFoundException("the request " + name + " is not a Jetty ee servlet request");
        }
        String environment = name.substring(0, servlet);
        Class<?> contextRequest = Class.forName(environment + ".servlet.ServletContextRequest", false, requestType.getClassLoader());
        return contextRequest.getMethod("getServletContextRequest", ServletRequest.class);
    }
}
