package io.upgradebridge.servlet.internal.jetty;

import io.upgradebridge.servlet.internal.UpgradeStarter;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;

/**
 * The Jetty path: Jetty 12.1's {@code HttpServletRequest.upgrade()} never delivers the bytes a client
 * sends after the 101, so the bridge takes the connection over the way Jetty's own WebSocket does. It
 * puts a {@link JettyUpgradeConnection} into the request attribute {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE};
 * when the 101 response completes, Jetty's HTTP/1.1 connection hands its endpoint (and any bytes it
 * read past the request) to it.
 *
 * <p>Loaded by name only when running on Jetty; a webapp must be allowed to see
 * {@code org.eclipse.jetty.server.} and {@code org.eclipse.jetty.io.} (see the README).
 */
public final class JettyUpgradeStarter implements UpgradeStarter {

    /** Public no-arg constructor: the filter loads this class by name. */
    public JettyUpgradeStarter() {
        // fail now, not on the first upgrade, when Jetty hides its classes from this webapp
        Request.class.getName();
        EndPoint.class.getName();
        org.eclipse.jetty.util.Callback.class.getName();
    }

    @Override
    public void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception {
        Request core = JettyCoreRequests.find(request);
        EndPoint endPoint = core.getConnectionMetaData().getConnection().getEndPoint();
        JettyUpgradeConnection upgraded = new JettyUpgradeConnection(endPoint, core.getComponents().getExecutor(), connection);
        core.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, upgraded);
    }

    @Override
    public String describe() {
        return "Jetty's connection API (HttpStream.UPGRADE_CONNECTION_ATTRIBUTE), because Jetty 12.1's "
            + "HttpServletRequest.upgrade() loses the bytes a client sends after the 101";
    }
}
