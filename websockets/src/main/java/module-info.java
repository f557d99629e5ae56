/**
 * The WebSockets feature ({@code io.upgradebridge.websockets}): {@code WebSockets.install(context).webSocket(path, ...)}
 * routes, {@code @WebSocketEndpoint}, and the default session (pings, close handshake, timeouts, reassembly, UTF-8
 * checks, permessage-deflate).
 *
 * <p>Only that package is the API. Web applications use the jar on the class path, where this descriptor is ignored
 * and the initializer is found through {@code META-INF/services} as before.
 */
module io.upgradebridge.websockets {
    requires transitive io.upgradebridge.websocket;

    exports io.upgradebridge.websockets;

    // finds the @WebSocketEndpoint classes of an application when it starts
    provides jakarta.servlet.ServletContainerInitializer
        with io.upgradebridge.websockets.internal.WebSocketEndpointInitializer;
}
