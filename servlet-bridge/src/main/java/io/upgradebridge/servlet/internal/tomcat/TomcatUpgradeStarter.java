package io.upgradebridge.servlet.internal.tomcat;

import io.upgradebridge.servlet.internal.UpgradeStarter;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * The Tomcat path: {@code HttpServletRequest.upgrade(TomcatUpgradeHandler.class)}, where the handler is one of
 * Tomcat's internal upgrade handlers ({@link InternalHttpUpgradeHandler}), so that Tomcat hands it the socket
 * itself instead of servlet streams. Tomcat's standard servlet path works too, but reads at most 8 KiB per read
 * through its socket buffer and a read listener, and needs a socket event for every close from another thread.
 *
 * <p>Loaded by name only when running on Tomcat; Tomcat shows its own classes to every webapp.
 */
public final class TomcatUpgradeStarter implements UpgradeStarter {

    /** Public no-arg constructor: the filter loads this class by name. */
    public TomcatUpgradeStarter() {
        // fail now, not on the first upgrade, when this Tomcat lacks (or hides) its internal upgrade API
        InternalHttpUpgradeHandler.class.getName();
        SocketWrapperBase.class.getName();
    }

    @Override
    public void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception {
        TomcatUpgradeHandler handler = request.upgrade(TomcatUpgradeHandler.class);
        handler.attach(connection);
    }

    @Override
    public String describe() {
        return "Tomcat's internal upgrade API (InternalHttpUpgradeHandler: socket reads and writes without servlet streams)";
    }
}
