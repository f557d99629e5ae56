package io.upgradebridge.benchmarks.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The native Jetty WebSocket API echo: text back as text; binary back piece by piece as Jetty delivers it,
 * releasing each received piece once its echo is written (the callback is passed on). Jetty demands the next
 * frame itself after each event (auto-demanding).
 */
public final class JettyApiEchoEndpoint implements Session.Listener.AutoDemanding {

    private Session session;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String text) {
        session.sendText(text, Callback.NOOP);
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer part, boolean last, Callback callback) {
        session.sendPartialBinary(part, last, callback);
    }
}
