package io.upgradebridge.websockets.internal;

import io.upgradebridge.websockets.WebSocketEndpoint;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;
import io.upgradebridge.websockets.WebSockets;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.HandlesTypes;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Finds the {@link WebSocketEndpoint} classes of a web application when it starts (the container hands them over;
 * registered in {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}), installs
 * {@link WebSockets} and adds a route for each. A class that cannot be a route fails the deployment with what to
 * fix. Without annotated classes it does nothing.
 */
@HandlesTypes(WebSocketEndpoint.class)
public final class WebSocketEndpointInitializer implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        List<Class<?>> endpoints = new ArrayList<>();
        if (classes != null) {
            for (Class<?> type : classes) {
                if (type.isAnnotationPresent(WebSocketEndpoint.class)) {
                    endpoints.add(type);
                }
            }
        }
        if (endpoints.isEmpty()) {
            return;
        }
        endpoints.sort(Comparator.comparing(Class::getName)); // the same order on every container
        WebSockets feature;
        try {
            feature = WebSockets.install(context);
        } catch (IllegalStateException e) {
            throw new ServletException("@WebSocketEndpoint routes cannot be installed: " + e.getMessage(), e);
        }
        for (Class<?> type : endpoints) {
            WebSocketEndpoint endpoint = type.getAnnotation(WebSocketEndpoint.class);
            try {
                feature.webSocket(endpoint.value(), endpoint.protocol().isEmpty() ? null : endpoint.protocol(),
                    instantiate(type, endpoint.settings(), "its settings class "), instantiate(type, type, ""));
            } catch (IllegalArgumentException e) {
                throw new ServletException("@WebSocketEndpoint on " + type.getName() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * A new instance of {@code type}, checked to be a {@link WebSocketHandler} (or, for a settings class, a
     * {@link UnaryOperator}).
     */
    @SuppressWarnings("unchecked")
    private static <T> T instantiate(Class<?> annotated, Class<?> type, String role) throws ServletException {
        boolean settings = !role.isEmpty();
        String what = "@WebSocketEndpoint on " + annotated.getName() + ": " + role + (settings ? type.getName() + " " : "");
        Class<?> required = settings ? UnaryOperator.class : WebSocketHandler.class;
        if (!required.isAssignableFrom(type)) {
            throw new ServletException(what + "must implement " + (settings
                ? "java.util.function.UnaryOperator<WebSocketSettings>" : WebSocketHandler.class.getName()));
        }
        int modifiers = type.getModifiers();
        if (type.isInterface() || Modifier.isAbstract(modifiers)) {
            throw new ServletException(what + "is abstract; make it a concrete class");
        }
        if (!Modifier.isPublic(modifiers) || (type.getEnclosingClass() != null && !Modifier.isStatic(modifiers))) {
            throw new ServletException(what + "must be a public top-level or public static nested class");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new ServletException(what + "needs a public constructor without parameters", e);
        }
        try {
            return (T) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new ServletException(what + "its constructor failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ServletException(what + "could not be created: " + e, e);
        }
    }
}
