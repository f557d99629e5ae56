package io.upgradebridge.websockets;

import jakarta.servlet.ServletContext;

/** {@link WebSocketsApp} for tests in other packages. */
public final class WebSocketsTestAccess {

    private final WebSocketsApp app = new WebSocketsApp();

    public ServletContext context() {
        return app.context();
    }

    /** Sends a valid handshake with {@code headers} to {@code path}; the status. */
    public int handshake(String path, String... headers) throws Exception {
        return app.get(path, WebSocketsApp.handshake(headers)).status();
    }

    public void stop() {
        app.stopFilter();
    }
}
