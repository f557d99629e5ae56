package io.upgradebridge.websocket;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Why a WebSocket connection closes: a numeric close code and a short text for humans, the payload of a
 * CLOSE frame (RFC 6455 sections 5.5.1 and 7.4).
 *
 * <p>The text may hold at most {@value #MAX_MESSAGE_BYTES} bytes once encoded as UTF-8, because a
 * control frame carries at most 125 bytes and the code takes two. A longer text is <b>cut</b> at the
 * last whole character that still fits (never in the middle of a character, never in the middle of a
 * surrogate pair), so a reason built from an exception message can always be sent. {@link #message()}
 * returns the text as kept.
 *
 * <p>The code must lie in 1000 to 4999. Codes 1005, 1006 and 1015 are accepted here because they are
 * useful to report what happened locally, but they are never sent in a frame: see
 * {@link #isValidOnWire(int)}.
 *
 * <p>Instances are immutable and compare by code and text.
 */
public final class CloseReason {

    /** The most bytes the reason text may take once encoded as UTF-8: 125 minus the 2-byte code. */
    public static final int MAX_MESSAGE_BYTES = 123;

    /** The close codes RFC 6455 and the IANA registry define, with the ones never sent marked so. */
    public enum Codes {
        /** 1000: the purpose of the connection is fulfilled. */
        NORMAL(1000),
        /** 1001: the endpoint goes away (server shutdown, browser leaving the page). */
        GOING_AWAY(1001),
        /** 1002: the peer broke the protocol. */
        PROTOCOL_ERROR(1002),
        /** 1003: the endpoint cannot accept this kind of data (for example binary when it only takes text). */
        CANNOT_ACCEPT(1003),
        /** 1005: the close frame had no code. Only reported locally, never sent. */
        NO_STATUS(1005),
        /** 1006: the connection ended without a close frame. Only reported locally, never sent. */
        CLOSED_ABNORMALLY(1006),
        /** 1007: the data does not match its type, for example a text message that is not UTF-8. */
        NOT_CONSISTENT(1007),
        /** 1008: the message breaks the endpoint's policy (a generic code when no other fits). */
        VIOLATED_POLICY(1008),
        /** 1009: the message or frame is too big to process. */
        TOO_BIG(1009),
        /** 1010: the client expected the server to negotiate an extension and it did not. */
        NO_EXTENSION(1010),
        /** 1011: the server hit an unexpected condition. */
        INTERNAL_ERROR(1011),
        /** 1012: the service is restarting. */
        SERVICE_RESTART(1012),
        /** 1013: the service is overloaded; try again later. */
        TRY_AGAIN_LATER(1013),
        /** 1015: the TLS handshake failed. Only reported locally, never sent. */
        TLS_HANDSHAKE_FAILED(1015);

        private final int code;

        Codes(int code) {
            this.code = code;
        }

        /** The numeric close code. */
        public int code() {
            return code;
        }

        /** The constant with this numeric code, or {@code null} when the code has no constant here. */
        public static Codes byCode(int code) {
            for (Codes candidate : values()) {
                if (candidate.code == code) {
                    return candidate;
                }
            }
            return null;
        }
    }

    private final int code;
    private final String message;

    /**
     * A reason with a numeric code and a text. The text is cut to {@value #MAX_MESSAGE_BYTES} UTF-8 bytes
     * (see the class comment); {@code null} counts as empty.
     *
     * @throws IllegalArgumentException when the code is outside 1000 to 4999
     */
    public CloseReason(int code, String message) {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("close code " + code
                    + " is outside 1000-4999; use a code from CloseReason.Codes or an application code 4000-4999");
        }
        this.code = code;
        this.message = truncateToUtf8Bytes(message == null ? "" : message, MAX_MESSAGE_BYTES);
    }

    /** A reason with a known code and a text (cut to {@value #MAX_MESSAGE_BYTES} UTF-8 bytes). */
    public CloseReason(Codes code, String message) {
        this(Objects.requireNonNull(code, "code").code(), message);
    }

    /** The numeric close code. */
    public int code() {
        return code;
    }

    /** The reason text as kept (possibly cut), never {@code null}, possibly empty. */
    public String message() {
        return message;
    }

    /** The {@link Codes} constant for {@link #code()}, or {@code null} for other (for example application) codes. */
    public Codes knownCode() {
        return Codes.byCode(code);
    }

    /**
     * Whether {@code code} may appear in a CLOSE frame on the wire (RFC 6455 section 7.4): 1000-1003,
     * 1007-1014 and 3000-4999 may; below 1000, 1004 (reserved), 1005, 1006, 1015 (local only) and
     * 1016-2999 (reserved for future protocol use) may not, nor anything from 5000 up. A receiver that
     * gets an invalid code answers with 1002.
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof CloseReason)) {
            return false;
        }
        CloseReason that = (CloseReason) other;
        return code == that.code && message.equals(that.message);
    }

    @Override
    public int hashCode() {
        return 31 * code + message.hashCode();
    }

    /** For example {@code 1000 NORMAL "bye"} or {@code 4001 "custom"}. */
    @Override
    public String toString() {
        Codes known = knownCode();
        return code + (known == null ? "" : " " + known.name()) + (message.isEmpty() ? "" : " \"" + message + "\"");
    }

    /**
     * The longest prefix of {@code text} whose UTF-8 encoding takes at most {@code maxBytes} bytes, cut
     * between code points. An unpaired surrogate counts as 3 bytes although the encoder writes it as one
     * '?', so the result never exceeds the limit.
     */
    static String truncateToUtf8Bytes(String text, int maxBytes) {
        // Fast path: a string of n chars encodes to at most 3n bytes (a 4-byte code point is 2 chars).
        if (text.length() * 3 <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int index = 0;
        while (index < text.length()) {
            int codePoint = text.codePointAt(index);
            int encoded = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + encoded > maxBytes) {
                return text.substring(0, index);
            }
            bytes += encoded;
            index += Character.charCount(codePoint);
        }
        return text;
    }

    /** The UTF-8 bytes of {@link #message()}, at most {@value #MAX_MESSAGE_BYTES}. */
    byte[] messageBytes() {
        return message.getBytes(StandardCharsets.UTF_8);
    }
}
