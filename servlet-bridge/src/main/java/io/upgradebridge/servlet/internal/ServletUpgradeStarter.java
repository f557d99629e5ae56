package io.upgradebridge.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The standard path: {@code HttpServletRequest.upgrade(ServletUpgradeHandler.class)}. */
public final class ServletUpgradeStarter implements UpgradeStarter {

    private final String containerName;

    public ServletUpgradeStarter(String containerName) {
        this.containerName = containerName;
    }

    @Override
    public void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception {
        ServletUpgradeHandler handler = request.upgrade(ServletUpgradeHandler.class);
        handler.clearOnDestroy(RequestHandlerReference.of(request));
        handler.attach(connection, containerName);
    }

    @Override
    public String describe() {
        return "the standard HttpServletRequest.upgrade() path";
    }
}
