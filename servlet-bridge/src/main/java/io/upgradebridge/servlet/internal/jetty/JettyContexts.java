package io.upgradebridge.servlet.internal.jetty;

import jakarta.servlet.ServletContext;
import org.eclipse.jetty.server.handler.ContextHandler;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds Jetty's core {@link ContextHandler} behind a servlet context, for whichever servlet environment (ee10, ee11,
 * ...) the webapp runs in: each has a {@code ServletContextHandler} with a static
 * {@code getServletContextHandler(ServletContext)}, looked up through the context's own class loader (which sees the
 * server's classes even when Jetty hides them from the webapp).
 */
final class JettyContexts {

    private static final Pattern ENVIRONMENT = Pattern.compile("^(org\\.eclipse\\.jetty\\.ee\\d+)\\.");

    private JettyContexts() {
    }

    static ContextHandler find(ServletContext context) throws ReflectiveOperationException {
        Class<?> type = context.getClass();
        Matcher environment = ENVIRONMENT.matcher(type.getName());
        if (!environment.find()) {
            throw new ClassNotFoundException("the servlet context " + type.getName() + " is not a Jetty ee servlet context");
        }
        Class<?> handlerType = Class.forName(environment.group(1) + ".servlet.ServletContextHandler", false, type.getClassLoader());
        Object handler = handlerType.getMethod("getServletContextHandler", ServletContext.class).invoke(null, context);
        if (!(handler instanceof ContextHandler)) {
            throw new IllegalStateException("Jetty returned " + handler + " instead of the context handler of " + type.getName());
        }
        return (ContextHandler) handler;
    }
}
