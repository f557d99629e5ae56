/**
 * {@code WebSocketUpgrade} and the RAW RFC 6455 session ({@code io.upgradebridge.websocket}): the handler sees every
 * frame and answers pings and closes itself.
 *
 * <p>Only that package is the API; {@code io.upgradebridge.websocket.internal} (the frame codec, the session, its
 * inbox and frame reader) is shared with the WebSockets feature only. Web applications use the jar on the class path,
 * where this descriptor is ignored and everything works the same.
 */
@SuppressWarnings("module") // qualified exports name modules built after this one
module io.upgradebridge.websocket {
    requires transitive io.upgradebridge.servlet;

    exports io.upgradebridge.websocket;

    exports io.upgradebridge.websocket.internal to io.upgradebridge.websockets;
}
