package io.upgradebridge.servlet;

import io.upgradebridge.content.Headers;

/**
 * Implemented by an {@link io.upgradebridge.content.OutgoingContent.ProtocolUpgrade} that also runs over an HTTP/2
 * extended CONNECT (RFC 8441): the request is a {@code CONNECT} on a stream of an HTTP/2 connection, with the
 * pseudo-header {@code :protocol} naming the protocol ({@code websocket}), and the answer is {@code 200} instead of
 * {@code 101}; the stream's DATA frames then carry the protocol's bytes in both directions. A WebSocket does this when
 * the server's HTTP/2 advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (Jetty's does; browsers then open every
 * WebSocket to that server this way).
 *
 * <p>{@link ProtocolUpgradeFilter} performs such an upgrade over the stream when the request is an extended CONNECT
 * for {@link #connectProtocol()} ({@link ApplicationCall#connectProtocol()}) and the container can hand the stream
 * over (Jetty); any other upgrade over HTTP/2 is refused with {@code 400} and a one-line reason.
 */
public interface ExtendedConnectUpgrade {

    /** The {@code :protocol} this upgrade speaks over an extended CONNECT, e.g. {@code websocket}. */
    String connectProtocol();

    /**
     * The headers of the {@code 200} answer to an extended CONNECT: those of the protocol's handshake, without the
     * connection-specific ones ({@code Upgrade}, {@code Connection}) that HTTP/2 forbids.
     */
    Headers connectResponseHeaders();
}
