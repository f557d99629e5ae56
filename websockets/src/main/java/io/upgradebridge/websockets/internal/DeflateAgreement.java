package io.upgradebridge.websockets.internal;

import io.upgradebridge.websockets.PerMessageDeflate;

import java.util.List;
import java.util.Optional;

/**
 * permessage-deflate as agreed with one client (RFC 7692): which offer was taken, what the response header
 * says, and the compressor/decompressor pair that follows from it.
 */
public final class DeflateAgreement {

    private DeflateAgreement() {
    }

    /**
     * Takes the first {@code permessage-deflate} offer in the client's {@code Sec-WebSocket-Extensions}
     * header values that {@code settings} can honour.
     *
     * @return the agreement, or empty when the client offered nothing usable or the settings disable it
     *     (the handshake then goes on without compression; never an exception for a bad offer)
     */
    public static Optional<DeflateAgreement> negotiate(List<String> secWebSocketExtensions, PerMessageDeflate settings) {
        throw new UnsupportedOperationException("permessage-deflate negotiation: in progress");
    }

    /** The extension as the server answers it in {@code Sec-WebSocket-Extensions}. */
    public String responseHeaderValue() {
        throw new UnsupportedOperationException("in progress");
    }

    /** A decompressor for the client's messages. */
    public MessageInflater newInflater() {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Whether a message of {@code messageLength} bytes should be sent compressed (RSV1 set), following
     * {@link PerMessageDeflate#minSizeToCompress()}.
     */
    public boolean shouldCompress(int messageLength) {
        throw new UnsupportedOperationException("in progress");
    }

    /** A compressor for the server's messages. */
    public MessageDeflater newDeflater() {
        throw new UnsupportedOperationException("in progress");
    }
}
