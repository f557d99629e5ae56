package com.example;

import io.upgradebridge.websockets.WebSockets;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/** The WebSocket route /ws/echo: every message comes back. */
public class EchoWebSocket implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        WebSockets.install(event.getServletContext())
            .webSocket("/ws/echo", session -> session.incoming()
                .forEach(message -> session.send(message).thenApply(sent -> true)));
    }
}
