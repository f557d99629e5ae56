package io.upgradebridge.servlet.internal.jetty;

import io.upgradebridge.servlet.internal.UpgradeStarter;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.TunnelSupport;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * The Jetty path: Jetty 12.1's {@code HttpServletRequest.upgrade()} never delivers the bytes a client
 * sends after the 101, so the bridge takes the connection over the way Jetty's own WebSocket does. It
 * puts a {@link JettyUpgradeConnection} into the request attribute {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE};
 * when the 101 response completes, Jetty's HTTP/1.1 connection hands its endpoint (and any bytes it
 * read past the request) to it.
 *
 * <p>Over HTTP/2 a WebSocket comes as an extended CONNECT (RFC 8441): the request's {@link TunnelSupport} offers the
 * stream as an endpoint, and the same connection takes it over once the {@code 200} is sent, as Jetty's own
 * WebSocket does.
 *
 * <p>Loaded by name only when running on Jetty; a webapp must be allowed to see
 * {@code org.eclipse.jetty.server.} and {@code org.eclipse.jetty.io.} (see the README).
 */
public final class JettyUpgradeStarter implements UpgradeStarter {

    /** The context handler and the bean it holds while the filter lives; set once by {@link #joinGracefulStop}. */
    private volatile ContextHandler gracefulHolder;
    private volatile JettyGracefulStop graceful;

    /** Public no-arg constructor: the filter loads this class by name. */
    public JettyUpgradeStarter() {
        // fail now, not on the first upgrade, when Jetty hides its classes from this webapp
        Request.class.getName();
        EndPoint.class.getName();
        org.eclipse.jetty.util.Callback.class.getName();
        org.eclipse.jetty.util.component.Graceful.class.getName();
    }

    @Override
    public void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception {
        Request core = JettyCoreRequests.find(request);
        TunnelSupport tunnel = tunnel(core);
        // over HTTP/2 the stream is the endpoint: Jetty hands it over once the 200 is sent, as on HTTP/1.1 after the 101
        EndPoint endPoint = tunnel != null ? tunnel.getEndPoint() : core.getConnectionMetaData().getConnection().getEndPoint();
        JettyUpgradeConnection upgraded = new JettyUpgradeConnection(endPoint, core.getComponents().getExecutor(), connection,
            tunnel != null);
        core.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, upgraded);
    }

    /**
     * An HTTP/2 extended CONNECT (RFC 8441): Jetty's HTTP/2 advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}, and such
     * a request's core request offers its stream as a tunnel with the {@code :protocol} it asked for.
     */
    @Override
    public String extendedConnectProtocol(HttpServletRequest request) throws Exception {
        TunnelSupport tunnel = tunnel(JettyCoreRequests.find(request));
        return tunnel != null ? tunnel.getProtocol() : null;
    }

    /** The request's tunnel when it is an extended CONNECT ({@code :protocol} set), else {@code null}. */
    private static TunnelSupport tunnel(Request core) {
        if (!"CONNECT".equals(core.getMethod())) {
            return null;
        }
        TunnelSupport tunnel = core.getTunnelSupport();
        return tunnel != null && tunnel.getProtocol() != null ? tunnel : null;
    }

    @Override
    public String joinGracefulStop(ServletContext context, Runnable stopping) throws ReflectiveOperationException {
        ContextHandler handler = JettyContexts.find(context);
        JettyGracefulStop bean = new JettyGracefulStop(stopping, context.getContextPath());
        handler.addBean(bean); // a plain bean (no life cycle): Server.stop() finds it among the Graceful components
        graceful = bean;
        gracefulHolder = handler;
        return "Jetty's graceful stop closes them first (a Graceful bean of the context)";
    }

    @Override
    public void leaveGracefulStop() {
        ContextHandler handler = gracefulHolder;
        JettyGracefulStop bean = graceful;
        if (handler != null && bean != null) {
            handler.removeBean(bean);
            gracefulHolder = null;
            graceful = null;
        }
    }

    @Override
    public String describe() {
        return "Jetty's connection API (HttpStream.UPGRADE_CONNECTION_ATTRIBUTE), because Jetty 12.1's "
            + "HttpServletRequest.upgrade() loses the bytes a client sends after the 101; WebSockets also over HTTP/2 "
            + "streams (RFC 8441 extended CONNECT)";
    }
}
