package io.upgradebridge.websockets;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import io.upgradebridge.websockets.internal.RouteTable;
import io.upgradebridge.websockets.internal.SessionTimer;
import io.upgradebridge.websockets.internal.UpgradeFilterRegistration;
import io.upgradebridge.websockets.internal.WebSocketRoute;
import io.upgradebridge.websockets.internal.WebSocketRouter;
import jakarta.servlet.ServletContext;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The WebSockets feature of one web application: its settings and its {@code webSocket(path, ...)} routes,
 * served through {@link io.upgradebridge.servlet.ProtocolUpgradeFilter}.
 *
 * <p>Install it while the application starts, from {@code ServletContextListener.contextInitialized} (of a
 * listener declared in {@code web.xml} or with {@code @WebListener}) or from a
 * {@code ServletContainerInitializer}, and declare the routes:
 * <pre>{@code
 * public void contextInitialized(ServletContextEvent event) {
 *     WebSockets.install(event.getServletContext())
 *         .webSocket("/echo", session -> session.incoming().forEach(m -> session.send(m).thenApply(v -> true)))
 *         .webSocket("/chat", "chat", session -> room.join(session));
 * }
 * }</pre>
 * or annotate handler classes with {@link WebSocketEndpoint}. When the application has no
 * {@code ProtocolUpgradeFilter} (or subclass) registered, {@code install} adds one on {@code /*} (after the
 * filters the application declares), so no {@code web.xml} entry is needed.
 *
 * <p>A route's path is exact and within the application (the request URI without the context path). Several
 * routes may share a path with different subprotocols: a handshake gets the route whose subprotocol it offered
 * first in {@code Sec-WebSocket-Protocol}, else the path's route without subprotocol, else 400. A request to a
 * route that is not a valid WebSocket handshake gets the refusal of {@link io.upgradebridge.websocket.WebSocketUpgrade}
 * (405, 400 or 426 with a one-line reason). Requests to other paths go to the application as usual.
 *
 * <p>Origins: by default any {@code Origin} is accepted. When the settings list allowed origins
 * ({@link WebSocketSettings#withAllowedOrigins}), a handshake carrying any other {@code Origin} gets 403.
 *
 * <p>Sessions share one timer thread per application ({@code upgrade-bridge-websockets-timer}), started with the
 * first session and stopped when the application stops, after the filter closed the live sessions.
 */
public final class WebSockets {

    /** Servlet-context attribute holding the installed feature. */
    static final String ATTRIBUTE = WebSockets.class.getName();
    private static final Object INSTALL_LOCK = new Object();

    /** The application's settings; {@code chosen} once an {@code install(context, settings)} named them. */
    private record SettingsChoice(WebSocketSettings settings, boolean chosen) {
    }

    private final AtomicReference<SettingsChoice> settings =
        new AtomicReference<>(new SettingsChoice(WebSocketSettings.defaults(), false));
    private final RouteTable routes = new RouteTable();
    private final SessionTimer timer = new SessionTimer();
    private final WebSocketRouter router = new WebSocketRouter(routes, this::settings, timer);

    private WebSockets() {
    }

    /**
     * Installs the feature with the default settings, or returns the installed one (whatever its settings). An
     * {@code install(context, settings)} may still choose the settings afterwards.
     *
     * @throws IllegalStateException when no {@code ProtocolUpgradeFilter} is registered and the container does not
     *     allow adding one now (see the class comment for where to call it)
     */
    public static WebSockets install(ServletContext context) {
        Objects.requireNonNull(context, "context");
        synchronized (INSTALL_LOCK) { // race: an initializer and a listener of the same application
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing instanceof WebSockets) {
                return (WebSockets) existing;
            }
            if (existing != null) {
                throw new IllegalStateException("the servlet-context attribute " + ATTRIBUTE + " holds a "
                    + existing.getClass().getName() + " from another class loader; keep one copy of the websockets jar, "
                    + "in WEB-INF/lib or on the server's class path, not both");
            }
            WebSockets feature = new WebSockets();
            UpgradeFilterRegistration.ensure(context);
            ProtocolUpgradeFilter.addRouter(context, feature.router);
            context.setAttribute(ATTRIBUTE, feature);
            return feature;
        }
    }

    /**
     * Installs the feature with {@code settings}, or chooses them for the installed feature when no settings were
     * chosen yet (it was installed with {@link #install(ServletContext)}, by an annotated endpoint for example).
     *
     * @throws IllegalStateException when the feature is installed with other settings already
     */
    public static WebSockets install(ServletContext context, WebSocketSettings settings) {
        Objects.requireNonNull(settings, "settings");
        WebSockets feature = install(context);
        feature.choose(settings);
        return feature;
    }

    /**
     * The installed feature of {@code context}.
     *
     * @throws IllegalStateException when it is not installed
     */
    public static WebSockets of(ServletContext context) {
        Object existing = Objects.requireNonNull(context, "context").getAttribute(ATTRIBUTE);
        if (existing instanceof WebSockets) {
            return (WebSockets) existing;
        }
        throw new IllegalStateException("WebSockets is not installed in this application: call WebSockets.install(context) "
            + "from a ServletContextListener or ServletContainerInitializer, or annotate a handler with @WebSocketEndpoint");
    }

    private void choose(WebSocketSettings chosen) {
        while (true) {
            SettingsChoice now = settings.get();
            if (now.chosen()) {
                if (now.settings().equals(chosen)) {
                    return;
                }
                throw new IllegalStateException("WebSockets is installed in this application with other settings already ("
                    + now.settings() + "); install it once with the settings you want, and give routes their own with "
                    + "webSocket(path, protocol, override, handler)");
            }
            if (settings.compareAndSet(now, new SettingsChoice(chosen, true))) { // race: two installs choosing at once
                return;
            }
        }
    }

    /** The application's settings. */
    public WebSocketSettings settings() {
        return settings.get().settings();
    }

    /**
     * A route without subprotocol.
     *
     * @throws IllegalArgumentException for a bad path, or when the path has a route without subprotocol already
     */
    public WebSockets webSocket(String path, WebSocketHandler handler) {
        return webSocket(path, null, UnaryOperator.identity(), handler);
    }

    /**
     * A route for a subprotocol ({@code null}: for clients that offer none of the path's subprotocols).
     *
     * @throws IllegalArgumentException for a bad path or protocol, or when the path has a route for it already
     */
    public WebSockets webSocket(String path, String protocol, WebSocketHandler handler) {
        return webSocket(path, protocol, UnaryOperator.identity(), handler);
    }

    /**
     * A route with its own settings: {@code override} gets the application's settings and returns the route's,
     * e.g. {@code s -> s.withMaxMessageSize(16 << 20)}.
     *
     * @throws IllegalArgumentException for a bad path or protocol, an override that fails on the application's
     *     settings, or when the path has a route for the protocol already
     */
    public WebSockets webSocket(String path, String protocol, UnaryOperator<WebSocketSettings> override,
                                WebSocketHandler handler) {
        WebSocketRoute route = new WebSocketRoute(path, protocol, override, handler);
        route.settings(settings()); // an override that cannot work fails here, not at the first handshake
        routes.add(route);
        return this;
    }

    @Override
    public String toString() {
        return "WebSockets{" + settings() + ", " + routes + '}';
    }
}
