package io.upgradebridge.websocket;

/**
 * The kind of a WebSocket frame, as the 4-bit opcode of RFC 6455 section 5.2 says.
 *
 * <p>TEXT and BINARY start a message, CONTINUATION carries the next parts of a message that was split
 * into several frames. CLOSE, PING and PONG are control frames: they are never split, carry at most
 * 125 bytes and may arrive between the frames of a split message.
 */
public enum FrameType {
    /** The next part of a message started by a TEXT or BINARY frame whose {@code fin} bit was clear. */
    CONTINUATION(0x0),
    /** The start (or the whole) of a text message; its bytes are UTF-8. */
    TEXT(0x1),
    /** The start (or the whole) of a binary message. */
    BINARY(0x2),
    /** Starts or answers the closing handshake; the payload is empty or a close code plus a reason. */
    CLOSE(0x8),
    /** Asks the peer to answer with a PONG carrying the same payload. */
    PING(0x9),
    /** Answers a PING (or, unasked, serves as a heartbeat). */
    PONG(0xA);

    private static final FrameType[] BY_OPCODE = new FrameType[16];

    static {
        for (FrameType type : values()) {
            BY_OPCODE[type.opcode] = type;
        }
    }

    private final int opcode;

    FrameType(int opcode) {
        this.opcode = opcode;
    }

    /** The opcode on the wire, 0x0 to 0xA. */
    public int opcode() {
        return opcode;
    }

    /** True for CLOSE, PING and PONG (opcodes 0x8 and up), which obey the control frame rules. */
    public boolean isControl() {
        return opcode >= 0x8;
    }

    /**
     * The type for an opcode read from the wire, or {@code null} when the opcode is not defined by
     * RFC 6455 (0x3 to 0x7 and 0xB to 0xF are reserved, anything outside 0x0 to 0xF is not an opcode).
     * A receiver answers a reserved opcode with close code 1002 (protocol error).
     */
    public static FrameType of(int opcode) {
        if (opcode < 0 || opcode >= BY_OPCODE.length) {
            return null;
        }
        return BY_OPCODE[opcode];
    }
}
