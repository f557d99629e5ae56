package io.upgradebridge.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Hands a request's connection over to an {@link UpgradedConnection}, the container's way. The status
 * and headers are already set on the response when {@link #start} is called.
 */
public interface UpgradeStarter {

    /**
     * Performs the hand-over. The connection opens (and {@code upgrade(...)} runs) once the container
     * has sent the response head, which may be after the filter chain returned.
     *
     * @throws Exception when the container refuses; nothing was sent yet and the response can be reset
     */
    void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception;

    /**
     * The {@code :protocol} of an HTTP/2 extended CONNECT (RFC 8441) whose stream this starter can hand over, e.g.
     * {@code websocket}; {@code null} for any other request (called only for {@code CONNECT} requests). The default:
     * {@code null}, the container has no such streams (Tomcat's HTTP/2 does not offer them).
     */
    default String extendedConnectProtocol(HttpServletRequest request) throws Exception {
        return null;
    }

    /** What this starter is, for the start-up log line. */
    String describe();

    /**
     * Lets the container's own graceful stop run {@code stopping} (close every live upgrade cleanly) before it cuts
     * the connections, where the container has such a stop (Jetty's {@code Graceful} components). Called once, from
     * the filter's {@code init}; the default does nothing (Tomcat stops the application, and so the filter, before it
     * closes connections).
     *
     * @param stopping blocks until the live upgrades are closed (bounded); runs at most once per call of the stop
     * @return what joined, for the start-up log line, or {@code null} when nothing did
     * @throws Exception when the container's stop cannot be joined (the filter logs it and goes on)
     */
    default String joinGracefulStop(jakarta.servlet.ServletContext context, Runnable stopping) throws Exception {
        return null;
    }

    /** Undoes {@link #joinGracefulStop}: the filter is being destroyed. Idempotent. */
    default void leaveGracefulStop() {
    }
}
