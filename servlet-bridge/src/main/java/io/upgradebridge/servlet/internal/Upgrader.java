package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.servlet.ApplicationCall;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;

/**
 * Performs the upgrade a call answered with, once the filter chain returned: checks that this request can be upgraded
 * (HTTP/1.1, or an HTTP/2 extended CONNECT the upgrade speaks; a container that can hand the connection over; an
 * application that is not stopping), sends the status and headers, and hands the connection to an
 * {@link UpgradedConnection} through the chosen {@link UpgradeStarter}. A request that cannot be upgraded gets an
 * error status with a one-line reason.
 */
public final class Upgrader {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");

    private final TransportChoice transport;
    private final ExecutorChoice executors;
    private final int bufferSize;
    private final LiveUpgrades live;

    public Upgrader(TransportChoice transport, ExecutorChoice executors, int bufferSize, LiveUpgrades live) {
        this.transport = transport;
        this.executors = executors;
        this.bufferSize = bufferSize;
        this.live = live;
    }

    /** Upgrades the connection of {@code request} with {@code upgrade}, or answers why it cannot. */
    public void perform(ApplicationCall call, HttpServletRequest request, HttpServletResponse response,
                        OutgoingContent.ProtocolUpgrade upgrade) throws IOException {
        if (response.isCommitted()) {
            LOG.log(Level.WARNING, "cannot upgrade " + call + ": the response was already committed before the servlet returned");
            return;
        }
        String connectProtocol = call.connectProtocol();
        if (connectProtocol != null) {
            if (!connectProtocol.equalsIgnoreCase(upgrade.connectProtocol())) {
                refuse(response, HttpServletResponse.SC_BAD_REQUEST, "this upgrade (" + upgrade.getClass().getSimpleName()
                    + ") does not run over an HTTP/2 extended CONNECT for :protocol " + connectProtocol
                    + "; it needs HTTP/1.1", null);
                return;
            }
        } else if (!"HTTP/1.1".equals(call.protocol())) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "a protocol upgrade needs HTTP/1.1 (a WebSocket may also come "
                + "as an HTTP/2 extended CONNECT); this request came over " + call.protocol(), null);
            return;
        }
        UpgradeStarter starter = transport.starter();
        if (starter == null) {
            refuse(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the server cannot upgrade connections: "
                + transport.problem(), null);
            return;
        }
        if (live.isShutDown()) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the server is stopping and upgrades no more connections", null);
            return;
        }
        if (connectProtocol != null) {
            response.setStatus(HttpServletResponse.SC_OK); // RFC 8441: a 2xx opens the tunnel
            ResponseHeaders.write(response, upgrade.connectResponseHeaders());
        } else {
            response.setStatus(upgrade.status() != null ? upgrade.status().value() : 101);
            ResponseHeaders.write(response, upgrade.headers());
        }
        UpgradedConnection connection = new UpgradedConnection(upgrade, executors.engine(), executors.user(), bufferSize, live,
            () -> call.method() + " " + call.uri() + " " + call.protocol()
                + (call.connectProtocol() != null ? " :protocol " + call.connectProtocol() : "") + " from " + call.remoteAddress());
        try {
            starter.start(request, response, connection);
        } catch (Exception | LinkageError e) {
            refuse(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
                "the container refused the HTTP upgrade (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static void refuse(HttpServletResponse response, int status, String reason, Throwable cause) throws IOException {
        LOG.log(Level.WARNING, "HTTP upgrade refused with " + status + ": " + reason, cause);
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("Connection", "close");
        PrintWriter body = response.getWriter();
        body.println(reason);
        body.flush();
    }
}
