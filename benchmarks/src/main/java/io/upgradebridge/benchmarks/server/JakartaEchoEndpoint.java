package io.upgradebridge.benchmarks.server;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The native Jakarta WebSocket echo, for Tomcat and Jetty alike: a text message comes back whole as text; binary
 * comes back piece by piece as the container delivers it (partial messages), so a 1 MiB message needs no
 * 1 MiB message buffer (Tomcat's default is 8 KiB) and is echoed as it streams in, like the bridge's
 * frame-by-frame echo. Blocking sends on the basic remote: the usual way, as the async remote allows only one
 * outstanding message.
 */
@ServerEndpoint("/echo")
public final class JakartaEchoEndpoint {

    @OnMessage
    public void onText(String text, Session session) throws IOException {
        session.getBasicRemote().sendText(text);
    }

    @OnMessage
    public void onBinary(ByteBuffer part, boolean last, Session session) throws IOException {
        session.getBasicRemote().sendBinary(part, last);
    }
}
