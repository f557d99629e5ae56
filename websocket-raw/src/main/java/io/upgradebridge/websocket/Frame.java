package io.upgradebridge.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One WebSocket frame (RFC 6455 section 5): a {@link FrameType}, the {@code fin} bit that ends a message,
 * the three reserved bits extensions may use, and the payload.
 *
 * <p><b>Immutable, but the payload is shared, not copied.</b> A frame keeps a read-only view of the bytes
 * it was given (the remaining bytes of a {@link ByteBuffer}, or a whole {@code byte[]}) so that large
 * messages are never copied just to build a frame. Whoever builds a frame therefore must not change
 * those bytes afterwards; {@link #copy()} gives a frame with its own copy when that is needed. The
 * buffer's position and limit are not touched.
 *
 * <p>Control frames (CLOSE, PING, PONG) are checked when built: they must have {@code fin} set, carry
 * at most {@value #MAX_CONTROL_PAYLOAD} bytes, and a CLOSE payload is either empty or at least the
 * 2-byte code. Breaking a rule throws {@link IllegalArgumentException} saying what to change.
 * Data frames are not checked further: where they go in a message is the sender's business.
 */
public final class Frame {

    /** The largest payload of a control frame (RFC 6455 section 5.5). */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final FrameType type;
    private final boolean fin;
    private final boolean rsv1;
    private final boolean rsv2;
    private final boolean rsv3;
    /** Read-only, position 0, limit = length; never handed out itself (callers get duplicates). */
    private final ByteBuffer data;

    /**
     * A frame with every header bit spelled out, for extensions that use the reserved bits (for example
     * permessage-deflate sets {@code rsv1} on the first frame of a compressed message).
     *
     * @param type the frame type, not null
     * @param fin  true for the last (or only) frame of a message; must be true for control frames
     * @param rsv1 reserved bit 1, only meaningful with an extension that defines it
     * @param rsv2 reserved bit 2, likewise
     * @param rsv3 reserved bit 3, likewise
     * @param data the payload: its remaining bytes are shared, not copied; {@code null} means empty
     * @throws IllegalArgumentException when a control frame breaks the control frame rules
     */
    public Frame(FrameType type, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, ByteBuffer data) {
        this.type = Objects.requireNonNull(type, "type");
        this.fin = fin;
        this.rsv1 = rsv1;
        this.rsv2 = rsv2;
        this.rsv3 = rsv3;
        this.data = data == null || !data.hasRemaining() ? EMPTY
            : data.isReadOnly() ? data.slice() : data.slice().asReadOnlyBuffer(); // a read-only buffer's slice is read-only: one view, not two
        if (type.isControl()) {
            checkControlFrame(type, fin, this.data.remaining());
        }
        if (type == FrameType.CLOSE && this.data.remaining() == 1) {
            throw new IllegalArgumentException("a CLOSE payload is empty or starts with a 2-byte close code,"
                    + " but it has 1 byte; use Frame.close(CloseReason) or Frame.close()");
        }
    }

    private static void checkControlFrame(FrameType type, boolean fin, int length) {
        if (!fin) {
            throw new IllegalArgumentException("a " + type + " frame is a control frame and cannot be"
                    + " fragmented: build it with fin=true (RFC 6455 section 5.5)");
        }
        if (length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("a " + type + " payload of " + length + " bytes is too long:"
                    + " control frames carry at most " + MAX_CONTROL_PAYLOAD
                    + " bytes (RFC 6455 section 5.5); send bulk data in a BINARY or TEXT message");
        }
    }

    // ---------------------------------------------------------------- factories

    /** A whole text message in one frame: {@code text} encoded as UTF-8. */
    public static Frame text(String text) {
        return text(text, true);
    }

    /** A TEXT frame holding {@code text} as UTF-8; {@code fin=false} starts a message continued later. */
    public static Frame text(String text, boolean fin) {
        Objects.requireNonNull(text, "text");
        return new Frame(FrameType.TEXT, fin, false, false, false,
                ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A BINARY frame over the whole array, which is shared, not copied. */
    public static Frame binary(byte[] data, boolean fin) {
        Objects.requireNonNull(data, "data");
        return new Frame(FrameType.BINARY, fin, false, false, false, ByteBuffer.wrap(data));
    }

    /** A BINARY frame over the remaining bytes of {@code data}, which are shared, not copied. */
    public static Frame binary(ByteBuffer data, boolean fin) {
        Objects.requireNonNull(data, "data");
        return new Frame(FrameType.BINARY, fin, false, false, false, data);
    }

    /** The next part of a message started by a TEXT or BINARY frame with {@code fin=false}; data is shared. */
    public static Frame continuation(ByteBuffer data, boolean fin) {
        Objects.requireNonNull(data, "data");
        return new Frame(FrameType.CONTINUATION, fin, false, false, false, data);
    }

    /**
     * A PING carrying the remaining bytes of {@code data} (shared), at most 125; {@code null} means empty.
     *
     * @throws IllegalArgumentException when the payload is longer than 125 bytes
     */
    public static Frame ping(ByteBuffer data) {
        return new Frame(FrameType.PING, true, false, false, false, data);
    }

    /**
     * A PONG carrying the remaining bytes of {@code data} (shared), at most 125; {@code null} means empty.
     * An answer to a PING must carry the PING's payload.
     *
     * @throws IllegalArgumentException when the payload is longer than 125 bytes
     */
    public static Frame pong(ByteBuffer data) {
        return new Frame(FrameType.PONG, true, false, false, false, data);
    }

    /**
     * A CLOSE frame with a code and a text.
     *
     * @throws IllegalArgumentException when the code may not be sent ({@link CloseReason#isValidOnWire(int)}:
     *                                  1005, 1006 and 1015 only describe what happened locally)
     */
    public static Frame close(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (!CloseReason.isValidOnWire(reason.code())) {
            throw new IllegalArgumentException("close code " + reason + " may not be sent in a CLOSE frame"
                    + " (RFC 6455 section 7.4); use Frame.close() for a close without a code, or another code");
        }
        byte[] message = reason.messageBytes();
        ByteBuffer payload = ByteBuffer.allocate(2 + message.length);
        payload.putShort((short) reason.code()).put(message).flip();
        return new Frame(FrameType.CLOSE, true, false, false, false, payload);
    }

    /** A CLOSE frame without a code: the peer will see "no status" (1005). */
    public static Frame close() {
        return new Frame(FrameType.CLOSE, true, false, false, false, null);
    }

    // ---------------------------------------------------------------- accessors

    /** The frame type. */
    public FrameType type() {
        return type;
    }

    /** True when this frame ends its message (always true for control frames). */
    public boolean fin() {
        return fin;
    }

    /** Reserved bit 1 (0x40 in the first header byte), used by extensions such as permessage-deflate. */
    public boolean rsv1() {
        return rsv1;
    }

    /** Reserved bit 2 (0x20 in the first header byte). */
    public boolean rsv2() {
        return rsv2;
    }

    /** Reserved bit 3 (0x10 in the first header byte). */
    public boolean rsv3() {
        return rsv3;
    }

    /**
     * The payload as a new read-only view, from position 0 to {@link #length()}. Each call returns a fresh
     * view, so reading one (which moves its position) does not change the frame. No bytes are copied.
     */
    public ByteBuffer data() {
        return data.duplicate();
    }

    /** The payload length in bytes. */
    public int length() {
        return data.remaining();
    }

    /**
     * The payload of a TEXT frame decoded as UTF-8. Malformed bytes become U+FFFD: this method does not
     * check the encoding (a receiver that must close with 1007 on bad UTF-8 checks the message bytes
     * itself, across frames). For a message split into several frames, join the payloads first: a
     * character may be split between frames.
     *
     * @throws IllegalStateException when the frame is not a TEXT frame
     */
    public String textData() {
        if (type != FrameType.TEXT) {
            throw new IllegalStateException("textData() is for TEXT frames, this is a " + type
                    + " frame; read data() (and join a fragmented message before decoding it)");
        }
        return decodeUtf8(data.duplicate());
    }

    /**
     * The code and text of a CLOSE frame, or {@code null} when the payload is empty (the peer gave no
     * code: report it as {@link CloseReason.Codes#NO_STATUS}).
     *
     * @throws IllegalStateException when the frame is not a CLOSE frame, or its code is outside
     *                               1000-4999 (only possible for a frame built by hand: the parser rejects it)
     */
    public CloseReason closeReason() {
        if (type != FrameType.CLOSE) {
            throw new IllegalStateException("closeReason() is for CLOSE frames, this is a " + type + " frame");
        }
        if (!data.hasRemaining()) {
            return null;
        }
        ByteBuffer view = data.duplicate();
        int code = view.getShort() & 0xFFFF;
        if (code < 1000 || code > 4999) {
            throw new IllegalStateException("the CLOSE payload holds code " + code + ", outside 1000-4999");
        }
        return new CloseReason(code, decodeUtf8(view));
    }

    /**
     * This frame with its own heap copy of the payload: for keeping a frame after the buffer it shares
     * (for example a network read buffer the parser returned a zero-copy view of) is reused.
     */
    public Frame copy() {
        byte[] own = new byte[data.remaining()];
        data.get(data.position(), own); // absolute: the shared view's position stays where it is
        return new Frame(type, fin, rsv1, rsv2, rsv3, ByteBuffer.wrap(own));
    }

    /**
     * The bytes as UTF-8, malformed input replaced (U+FFFD), as {@code Charset.decode} does. A frame's payload is a
     * read-only view, which has no array to decode in place: one copy into a byte array and the String constructor
     * cost less than {@code Charset.decode} (a decoder, a CharBuffer and its char array per call).
     */
    private static String decodeUtf8(ByteBuffer bytes) {
        int length = bytes.remaining();
        if (length == 0) {
            return "";
        }
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), length, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[length];
        bytes.get(bytes.position(), copy); // absolute: the view's position stays
        return new String(copy, StandardCharsets.UTF_8);
    }

    /** Same type, header bits and payload bytes. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Frame)) {
            return false;
        }
        Frame that = (Frame) other;
        return type == that.type && fin == that.fin && rsv1 == that.rsv1 && rsv2 == that.rsv2
                && rsv3 == that.rsv3 && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        int hash = type.hashCode();
        hash = 31 * hash + (fin ? 1 : 0) + (rsv1 ? 2 : 0) + (rsv2 ? 4 : 0) + (rsv3 ? 8 : 0);
        return 31 * hash + data.hashCode();
    }

    /** For example {@code Frame[TEXT fin len=5]}, {@code Frame[BINARY !fin rsv1 len=4096]}, {@code Frame[CLOSE fin len=5 1000 NORMAL "bye"]}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Frame[").append(type).append(fin ? " fin" : " !fin");
        if (rsv1) {
            text.append(" rsv1");
        }
        if (rsv2) {
            text.append(" rsv2");
        }
        if (rsv3) {
            text.append(" rsv3");
        }
        text.append(" len=").append(length());
        if (type == FrameType.CLOSE && length() >= 2) {
            int code = data.getShort(0) & 0xFFFF;
            CloseReason.Codes known = CloseReason.Codes.byCode(code);
            text.append(' ').append(code);
            if (known != null) {
                text.append(' ').append(known.name());
            }
            if (length() > 2) {
                ByteBuffer message = data.duplicate();
                message.position(2);
                text.append(" \"").append(decodeUtf8(message)).append('"');
            }
        }
        return text.append(']').toString();
    }
}
