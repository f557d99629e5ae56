package io.upgradebridge.sample;

import io.upgradebridge.websockets.WebSockets;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Declares the WebSockets feature's routes of the web.xml WAR when the application starts: {@code /ws/echo}
 * ({@link EchoHandler}, with its own settings) and {@code /ws/chat} ({@link ChatRoom}, subprotocol {@code chat}).
 * Declared in {@code WEB-INF/web.xml}; the annotations WAR declares the same routes with {@code @WebSocketEndpoint}.
 * The application's settings are the defaults with what {@link SampleSettings} chooses (ping period, origin check).
 */
public class SampleWebSockets implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        WebSockets.install(event.getServletContext(), SampleSettings.of(event.getServletContext()).webSocketSettings())
            .webSocket("/ws/echo", null, new EchoHandler.Settings(), new EchoHandler())
            .webSocket("/ws/chat", ChatRoom.PROTOCOL, new ChatRoom());
    }
}
