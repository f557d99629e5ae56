package io.upgradebridge.websocket;

import java.io.IOException;
import java.util.Objects;

/**
 * The peer broke RFC 6455 (or a limit of this endpoint), and the connection must be closed with the
 * {@link #closeReason()} this exception carries: 1002 for a protocol error, 1009 for a frame that is too
 * big, 1007 for text that is not UTF-8, and so on.
 *
 * <p>It is a checked {@link IOException} on purpose: it comes out of reading bytes from the network, the
 * code that reads already handles I/O failures, and the compiler makes sure the close reason is not
 * silently dropped. The close reason's text is what goes to the peer (at most 123 bytes); the exception
 * message holds the same text with the code, for logs.
 */
public class WebSocketProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient CloseReason closeReason;

    /** A failure to be answered with {@code closeReason}; its text also becomes the exception message. */
    public WebSocketProtocolException(CloseReason closeReason) {
        super(describe(closeReason));
        this.closeReason = closeReason;
    }

    /** A failure to be answered with {@code code} and the text {@code detail}. */
    public WebSocketProtocolException(CloseReason.Codes code, String detail) {
        this(new CloseReason(code, detail));
    }

    /** As {@link #WebSocketProtocolException(CloseReason.Codes, String)}, with the failure that led to it. */
    public WebSocketProtocolException(CloseReason.Codes code, String detail, Throwable cause) {
        this(new CloseReason(code, detail));
        initCause(cause);
    }

    /** The close code and text to send to the peer before closing the connection. */
    public CloseReason closeReason() {
        return closeReason;
    }

    private static String describe(CloseReason closeReason) {
        Objects.requireNonNull(closeReason, "closeReason");
        CloseReason.Codes known = closeReason.knownCode();
        return closeReason.code() + (known == null ? "" : " " + known.name()) + ": " + closeReason.message();
    }
}
