package io.upgradebridge.websockets.internal;

import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One {@code webSocket(path, protocol, override, handler)} route: an exact path within the web application, the
 * subprotocol it speaks ({@code null}: none), how it changes the application's settings, and its handler.
 */
public final class WebSocketRoute {

    private final String path;
    private final String protocol;
    private final UnaryOperator<WebSocketSettings> override;
    private final WebSocketHandler handler;
    /** The last base settings and what the override made of them. */
    private volatile Resolved resolved;

    /**
     * @throws IllegalArgumentException for a path that is not {@code /...} without wildcard, query or fragment, or
     *     a protocol that is not an HTTP token
     */
    public WebSocketRoute(String path, String protocol, UnaryOperator<WebSocketSettings> override, WebSocketHandler handler) {
        this.path = checkPath(path);
        this.protocol = checkProtocol(protocol);
        this.override = Objects.requireNonNull(override, "override");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    public String path() {
        return path;
    }

    /** The subprotocol, or {@code null}. */
    public String protocol() {
        return protocol;
    }

    public WebSocketHandler handler() {
        return handler;
    }

    /**
     * The settings of this route: {@code base} with the route's override applied.
     *
     * @throws IllegalArgumentException when the override fails or returns {@code null}
     */
    public WebSocketSettings settings(WebSocketSettings base) {
        Resolved r = resolved;
        if (r != null && r.base == base) {
            return r.effective;
        }
        WebSocketSettings effective;
        try {
            effective = override.apply(base);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the settings override of " + this + " failed: " + e.getMessage(), e);
        }
        if (effective == null) {
            throw new IllegalArgumentException("the settings override of " + this + " returned null; return the settings it was given to keep them");
        }
        resolved = new Resolved(base, effective); // race: two handshakes may both compute it; the results are equal
        return effective;
    }

    private static String checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.contains("*") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("a WebSocket route's path is an exact path within the web application, "
                + "starting with '/' and without '*', '?' or '#': '" + path + "'");
        }
        return path;
    }

    private static String checkProtocol(String protocol) {
        if (protocol == null) {
            return null;
        }
        if (protocol.isEmpty()) {
            throw new IllegalArgumentException("a subprotocol must not be empty; use null for a route without subprotocol");
        }
        for (int i = 0; i < protocol.length(); i++) {
            char c = protocol.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("a subprotocol is an HTTP token (RFC 6455 section 4.1: no spaces, "
                    + "commas or separators): '" + protocol + "'");
            }
        }
        return protocol;
    }

    @Override
    public String toString() {
        return "webSocket(" + path + (protocol != null ? ", protocol " + protocol : "") + ")";
    }

    private static final class Resolved {
        final WebSocketSettings base;
        final WebSocketSettings effective;

        Resolved(WebSocketSettings base, WebSocketSettings effective) {
            this.base = base;
            this.effective = effective;
        }
    }
}
