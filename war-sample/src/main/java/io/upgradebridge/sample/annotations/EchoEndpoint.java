package io.upgradebridge.sample.annotations;

import io.upgradebridge.sample.EchoHandler;
import io.upgradebridge.websockets.WebSocketEndpoint;

/** {@code /ws/echo} of the annotations WAR: {@link EchoHandler} with its settings, found by its annotation. */
@WebSocketEndpoint(value = "/ws/echo", settings = EchoHandler.Settings.class)
public class EchoEndpoint extends EchoHandler {
}
