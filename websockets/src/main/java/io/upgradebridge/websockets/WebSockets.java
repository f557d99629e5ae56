package io.upgradebridge.websockets;

import jakarta.servlet.ServletContext;

import java.util.function.UnaryOperator;

/**
 * The WebSockets feature of one web application: its settings and its {@code webSocket(path, ...)} routes,
 * served through {@link io.upgradebridge.servlet.ProtocolUpgradeFilter}.
 */
public final class WebSockets {

    private WebSockets() {
    }

    /** Installs the feature with the default settings (or returns the installed one). */
    public static WebSockets install(ServletContext context) {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** Installs the feature with {@code settings}. */
    public static WebSockets install(ServletContext context, WebSocketSettings settings) {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** The installed feature of {@code context}. */
    public static WebSockets of(ServletContext context) {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** The application's settings. */
    public WebSocketSettings settings() {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** A route without subprotocol. */
    public WebSockets webSocket(String path, WebSocketHandler handler) {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** A route for a subprotocol. */
    public WebSockets webSocket(String path, String protocol, WebSocketHandler handler) {
        throw new UnsupportedOperationException("routing: in progress");
    }

    /** A route with its own settings. */
    public WebSockets webSocket(String path, String protocol, UnaryOperator<WebSocketSettings> override,
                                WebSocketHandler handler) {
        throw new UnsupportedOperationException("routing: in progress");
    }
}
