package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websockets.PerMessageDeflate;

import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * permessage-deflate as agreed with one client (RFC 7692): which offer was taken, what the response header
 * says, and the compressor/decompressor pair that follows from it.
 *
 * <p>What the server can honour: {@link java.util.zip.Deflater} always compresses with a 32 KiB window
 * (15 bits), so an offer with {@code server_max_window_bits} below 15 is declined, and 15 is echoed.
 * {@code client_max_window_bits} (with or without a value) is accepted and not answered: the
 * {@link java.util.zip.Inflater} reads any window size. {@code server_no_context_takeover} and
 * {@code client_no_context_takeover} are answered when the client offers them or the settings ask for them.
 * An offer with an unknown or repeated parameter, or a value out of range, is declined (RFC 7692 section 5.1).
 *
 * <p>The agreement itself holds no native memory: {@link #newInflater()} and {@link #newDeflater()} return
 * objects that create their {@code Inflater}/{@code Deflater} only when the first message needs one.
 */
public final class DeflateAgreement {

    private static final System.Logger LOG = System.getLogger(DeflateAgreement.class.getName());

    static final String EXTENSION_NAME = "permessage-deflate";
    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

    /** The only window size {@link java.util.zip.Deflater} compresses with. */
    static final int DEFLATER_WINDOW_BITS = 15;

    private final boolean serverNoContextTakeover;
    private final boolean clientNoContextTakeover;
    private final boolean echoServerMaxWindowBits;
    private final int compressionLevel;
    private final int minSizeToCompress;

    private DeflateAgreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                             boolean echoServerMaxWindowBits, int compressionLevel, int minSizeToCompress) {
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.clientNoContextTakeover = clientNoContextTakeover;
        this.echoServerMaxWindowBits = echoServerMaxWindowBits;
        this.compressionLevel = compressionLevel;
        this.minSizeToCompress = minSizeToCompress;
    }

    /**
     * Takes the first {@code permessage-deflate} offer in the client's {@code Sec-WebSocket-Extensions}
     * header values that {@code settings} can honour.
     *
     * @return the agreement, or empty when the client offered nothing usable or the settings disable it
     *     (the handshake then goes on without compression; never an exception for a bad offer)
     */
    public static Optional<DeflateAgreement> negotiate(List<String> secWebSocketExtensions, PerMessageDeflate settings) {
        if (settings == null || !settings.enabled()) {
            return Optional.empty();
        }
        for (ExtensionOffer offer : ExtensionOffer.parseAll(secWebSocketExtensions)) {
            if (!offer.name().equals(EXTENSION_NAME)) {
                continue;
            }
            Optional<DeflateAgreement> accepted = accept(offer, settings);
            if (accepted.isPresent()) {
                return accepted;
            }
        }
        return Optional.empty();
    }

    /** The agreement for one {@code permessage-deflate} offer, or empty (logged at DEBUG with the reason). */
    private static Optional<DeflateAgreement> accept(ExtensionOffer offer, PerMessageDeflate settings) {
        if (!offer.wellFormed()) {
            return decline(offer, "it does not follow the Sec-WebSocket-Extensions grammar");
        }
        boolean serverNoContextTakeover = settings.serverNoContextTakeover();
        boolean clientNoContextTakeover = settings.clientNoContextTakeover();
        boolean serverMaxWindowBits = false;
        Set<String> seen = new HashSet<>();
        for (ExtensionOffer.Parameter parameter : offer.parameters()) {
            if (!seen.add(parameter.name())) {
                return decline(offer, "parameter " + parameter.name() + " appears twice");
            }
            switch (parameter.name()) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    if (parameter.value() != null) {
                        return decline(offer, SERVER_NO_CONTEXT_TAKEOVER + " must not have a value");
                    }
                    serverNoContextTakeover = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    if (parameter.value() != null) {
                        return decline(offer, CLIENT_NO_CONTEXT_TAKEOVER + " must not have a value");
                    }
                    clientNoContextTakeover = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    int bits = windowBits(parameter.value());
                    if (bits < 0) {
                        return decline(offer, SERVER_MAX_WINDOW_BITS + " must be 8 to 15: " + parameter.value());
                    }
                    if (bits < DEFLATER_WINDOW_BITS) {
                        return decline(offer, SERVER_MAX_WINDOW_BITS + "=" + bits
                                + " asks for a smaller window than java.util.zip.Deflater uses (15 bits)");
                    }
                    serverMaxWindowBits = true;
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    if (parameter.value() != null && windowBits(parameter.value()) < 0) {
                        return decline(offer, CLIENT_MAX_WINDOW_BITS + " must be 8 to 15 when it has a value: "
                                + parameter.value());
                    }
                    // Accepted without an answer: the client then uses its own window, which the Inflater reads.
                }
                default -> {
                    return decline(offer, "unknown parameter " + parameter.name());
                }
            }
        }
        return Optional.of(new DeflateAgreement(serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits,
                settings.compressionLevel(), settings.minSizeToCompress()));
    }

    private static Optional<DeflateAgreement> decline(ExtensionOffer offer, String reason) {
        LOG.log(Level.DEBUG, () -> "declined the offer \"" + offer + "\": " + reason);
        return Optional.empty();
    }

    /**
     * A window size as RFC 7692 section 7.1.2 writes it: a decimal 8 to 15 without leading zeros.
     *
     * @return the bits, or -1 when the value is absent or not such a number
     */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /**
     * The extension as the server answers it in {@code Sec-WebSocket-Extensions}, e.g.
     * {@code permessage-deflate; server_no_context_takeover; client_no_context_takeover}.
     */
    public String responseHeaderValue() {
        StringBuilder value = new StringBuilder(EXTENSION_NAME);
        if (serverNoContextTakeover) {
            value.append("; ").append(SERVER_NO_CONTEXT_TAKEOVER);
        }
        if (clientNoContextTakeover) {
            value.append("; ").append(CLIENT_NO_CONTEXT_TAKEOVER);
        }
        if (echoServerMaxWindowBits) {
            value.append("; ").append(SERVER_MAX_WINDOW_BITS).append('=').append(DEFLATER_WINDOW_BITS);
        }
        return value.toString();
    }

    /** The reserved bit a compressed message's first frame carries: RSV1 (RFC 7692 section 6). */
    public int reservedBits() {
        return WebSocketUpgrade.RSV1;
    }

    /** Whether the server compresses nothing across messages: its compressor is reset after every message. */
    public boolean serverNoContextTakeover() {
        return serverNoContextTakeover;
    }

    /** Whether the client promised not to use context across messages: the decompressor is reset after each. */
    public boolean clientNoContextTakeover() {
        return clientNoContextTakeover;
    }

    /**
     * Whether a message of {@code messageLength} bytes is worth compressing: shorter messages than
     * {@link PerMessageDeflate#minSizeToCompress()} go out uncompressed (RSV1 clear), which the extension
     * allows per message.
     */
    public boolean shouldCompress(long messageLength) {
        return messageLength >= minSizeToCompress;
    }

    /**
     * A decompressor for the client's messages. It holds no native memory until the first compressed message
     * arrives; close it when the session ends.
     */
    public MessageInflater newInflater() {
        return new MessageInflater(clientNoContextTakeover);
    }

    /**
     * A compressor for the server's messages. It holds no native memory until the first message is sent
     * compressed (an idle session never allocates one); close it when the session ends.
     */
    public MessageDeflater newDeflater() {
        return new MessageDeflater(compressionLevel, serverNoContextTakeover);
    }

    @Override
    public String toString() {
        return responseHeaderValue() + " (level " + compressionLevel + ", min size " + minSizeToCompress + ")";
    }
}
