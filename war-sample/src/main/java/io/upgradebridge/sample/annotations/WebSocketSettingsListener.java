package io.upgradebridge.sample.annotations;

import io.upgradebridge.sample.SampleSettings;
import io.upgradebridge.websockets.WebSockets;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * The annotations WAR's choice of the WebSockets feature's settings ({@link SampleSettings}: ping period, origin
 * check) for its {@code @WebSocketEndpoint} routes, which install the feature with the defaults first; the web.xml
 * WAR chooses them in {@code SampleWebSockets}.
 */
@WebListener
public class WebSocketSettingsListener implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        WebSockets.install(event.getServletContext(), SampleSettings.of(event.getServletContext()).webSocketSettings());
    }
}
