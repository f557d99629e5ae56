package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.Utf8Validator;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;

/**
 * Turns the bytes of one direction of a WebSocket connection into {@link Frame}s (RFC 6455 section 5),
 * incrementally: bytes may arrive split at any point, one at a time or many frames at once, and the
 * frames that come out are the same.
 *
 * <h2>How to call it</h2>
 * <pre>{@code
 * Frame frame;
 * while ((frame = parser.parse(buffer)) != null) {
 *     deliver(frame);
 * }
 * // buffer has no bytes left: the parser keeps any partial frame itself
 * }</pre>
 * {@link #parse(ByteBuffer)} returns the next complete frame or {@code null} when it needs more bytes.
 * It advances the buffer's position past every byte it used; when it returns {@code null} it has used
 * them all, so the caller may reuse the buffer's space (subject to the rule below) and must not feed
 * those bytes again. A frame is returned by the call that consumes its last byte (an empty frame by the
 * call that consumes its last header byte): no call with an empty buffer is ever needed to get one out.
 *
 * <h2>Who owns the bytes</h2>
 * <ul>
 *   <li><b>Zero copy.</b> When a frame's whole payload is already in the buffer, the returned frame's
 *   {@link Frame#data()} is a view of that buffer's memory: nothing is copied. The parser <b>unmasks
 *   those bytes in place</b>, so it writes into the caller's buffer between its position and the end of
 *   that frame. The caller must keep that region unchanged (no {@code compact()}, no refill, no return
 *   to a pool) for as long as the frame is in use, or call {@link Frame#copy()} first. A read-only
 *   buffer is never written to: its masked payloads are copied once, then unmasked in the copy.</li>
 *   <li><b>Frames in pieces.</b> When a payload spans several buffers, the parser copies each piece
 *   once into a buffer of its own, unmasking as it goes, and hands that buffer to the frame. That buffer
 *   grows only as bytes arrive (by four at a time, never beyond the announced length), so a header announcing a
 *   huge frame costs nothing until its bytes actually come.</li>
 * </ul>
 *
 * <h2>What it rejects</h2>
 * Every header rule is checked in one place ({@code checkHeader}), as soon as the length is known and
 * before any payload byte is accepted; a CLOSE payload is checked once complete. A violation throws a
 * {@link WebSocketProtocolException} carrying the close code to send:
 * <ul>
 *   <li>1002: reserved opcode (0x3-0x7, 0xB-0xF); a reserved bit set that no negotiated extension
 *   allows; an unmasked frame when masking is expected (server side) or a masked one when it is not
 *   (client side); a 64-bit length with its most significant bit set; a control frame that is not
 *   {@code fin} or longer than 125 bytes; a CONTINUATION with no message to continue; a TEXT or BINARY
 *   frame while a fragmented message is still open (control frames may come in between); a CLOSE
 *   payload of 1 byte or with a code that may not be sent.</li>
 *   <li>1007: a CLOSE reason that is not valid UTF-8; with {@link #checkText} on, a byte of a text
 *   message that is not valid UTF-8, found as the payload arrives (before the rest of its frame, a
 *   character may be split between frames), or a text message whose last frame ends inside a
 *   character. A compressed message (RSV1 on its first frame) is not checked: only its inflated bytes
 *   are text.</li>
 *   <li>1009: a frame longer than {@code maxFrameSize}, detected from the header alone; a frame of a
 *   compressed message (RSV1 allowed and set on the message's first frame) may be longer on the wire,
 *   up to {@link #compressedFrameLimit(long)}, so that compression never makes a frame too big that would
 *   fit uncompressed. Frames longer than {@value #MAX_PAYLOAD} bytes cannot be held in one Java buffer
 *   and are always refused so.</li>
 * </ul>
 * After a violation the parser stays in {@link State#FAILED}: every later call throws the same exception.
 * Lengths encoded with more bytes than needed are accepted.
 *
 * <p>Not thread-safe: one parser per connection direction, used by one thread at a time.
 */
public final class FrameParser {

    /** Reserved bit 1 in the first header byte, for {@code allowedRsv}. */
    public static final int RSV1 = 0x40;
    /** Reserved bit 2 in the first header byte, for {@code allowedRsv}. */
    public static final int RSV2 = 0x20;
    /** Reserved bit 3 in the first header byte, for {@code allowedRsv}. */
    public static final int RSV3 = 0x10;

    /** The largest payload a frame may have here, whatever {@code maxFrameSize} says: the largest Java array. */
    public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    /** The first buffer for a payload that arrives in pieces holds at least this much (or the whole payload). */
    static final int MIN_PARTIAL_CAPACITY = 16 * 1024;
    /** How much the piece buffer grows at a time. */
    static final int GROWTH = 4;

    private static final int ALL_RSV = RSV1 | RSV2 | RSV3;

    /** Where the parser is within the current frame. */
    public enum State {
        /** Waiting for the first header byte: fin, rsv bits, opcode. Between frames. */
        OPCODE,
        /** Waiting for the second header byte: mask bit and 7-bit length. */
        LENGTH_7,
        /** Reading the 2-byte extended length (7-bit length was 126). */
        LENGTH_16,
        /** Reading the 8-byte extended length (7-bit length was 127). */
        LENGTH_64,
        /** Reading the 4-byte masking key. */
        MASK,
        /** Reading the payload. */
        PAYLOAD,
        /** A protocol violation was found; the parser accepts nothing more. */
        FAILED
    }

    /** Which fragmented message is open, if any: a CONTINUATION is only valid while one is. */
    private enum OpenMessage {
        NONE, TEXT, BINARY
    }

    private final boolean expectMasked;
    private final int allowedRsv;
    private long maxFrameSize;
    /** Checks text payloads as they arrive; {@code null} when text is not checked. */
    private final Utf8Validator utf8;
    /** Whether the data message in progress is compressed (RSV1 on its first frame). */
    private boolean messageCompressed;
    /** Whether the data message in progress is text that is checked. */
    private boolean messageIsCheckedText;
    /** Whether the frame being read is part of a checked text message. */
    private boolean frameIsCheckedText;

    private State state = State.OPCODE;
    private OpenMessage openMessage = OpenMessage.NONE;

    // The frame being read.
    private int firstByte;
    private FrameType type;
    private boolean masked;
    private long payloadLength;
    private int maskKey;
    /** Bytes still to read in LENGTH_16, LENGTH_64 or MASK. */
    private int fieldBytesLeft;

    /** The payload of a frame arriving in pieces; null until its first piece (and after completion). */
    private ByteBuffer partialPayload;
    /** Whether the last frame returned is a view of the caller's buffer (else its payload is the parser's own copy). */
    private boolean lastSharesInput;
    /** How many payload bytes are in {@link #partialPayload}. */
    private int payloadReceived;

    private WebSocketProtocolException failure;

    /**
     * @param maxFrameSize the longest payload accepted, in bytes (1 or more); longer frames fail with 1009
     *                     before any of their payload is read. Values above {@value #MAX_PAYLOAD} act as
     *                     {@value #MAX_PAYLOAD}.
     * @param expectMasked true on the server side (every client frame must be masked), false on the
     *                     client side (no server frame may be masked)
     * @param allowedRsv   the reserved bits negotiated extensions use, an OR of {@link #RSV1},
     *                     {@link #RSV2}, {@link #RSV3}; 0 when no extension is in use
     */
    public FrameParser(long maxFrameSize, boolean expectMasked, int allowedRsv) {
        this(maxFrameSize, expectMasked, allowedRsv, false);
    }

    /**
     * @param checkText whether the payload of text messages is checked as UTF-8 as it arrives (1007 on the first
     *                  invalid byte, or at the end of a message inside a character); see the class comment
     */
    public FrameParser(long maxFrameSize, boolean expectMasked, int allowedRsv, boolean checkText) {
        if ((allowedRsv & ~ALL_RSV) != 0) {
            throw new IllegalArgumentException("allowedRsv 0x" + Integer.toHexString(allowedRsv)
                    + " has bits other than RSV1 (0x40), RSV2 (0x20), RSV3 (0x10)");
        }
        setMaxFrameSize(maxFrameSize);
        this.expectMasked = expectMasked;
        this.allowedRsv = allowedRsv;
        this.utf8 = checkText ? new Utf8Validator() : null;
    }

    /** Whether text payloads are checked as UTF-8 as they arrive. */
    public boolean checksText() {
        return utf8 != null;
    }

    /**
     * The largest frame of a compressed message accepted on the wire when {@code maxFrameSize} is the limit: deflate
     * may make data it cannot compress a little larger (stored blocks, 5 bytes per block), so a compressed frame may
     * take {@code maxFrameSize + maxFrameSize / 8 + maxFrameSize / 64 + 64} bytes, the most any DEFLATE encoder that
     * zlib's {@code deflateBound} describes needs for {@code maxFrameSize} bytes, plus room for a flush.
     */
    public static long compressedFrameLimit(long maxFrameSize) {
        long grown = maxFrameSize + (maxFrameSize >> 3) + (maxFrameSize >> 6) + 64;
        return grown < maxFrameSize ? Long.MAX_VALUE : grown; // overflow: no larger limit exists
    }

    /** A parser for what clients send to a server: masked frames, no extensions. */
    public static FrameParser forServer(long maxFrameSize) {
        return new FrameParser(maxFrameSize, true, 0);
    }

    /** A parser for what a server sends to a client: unmasked frames, no extensions. */
    public static FrameParser forClient(long maxFrameSize) {
        return new FrameParser(maxFrameSize, false, 0);
    }

    /** The longest payload accepted; applies to every frame whose length is not read yet. */
    public long maxFrameSize() {
        return maxFrameSize;
    }

    /** Changes {@link #maxFrameSize()} for frames whose length is not read yet. */
    public void setMaxFrameSize(long maxFrameSize) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be at least 1, was " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /** Where the parser is: {@link State#OPCODE} between frames, {@link State#FAILED} after a violation. */
    public State state() {
        return state;
    }

    /**
     * Reads bytes from {@code in} until one frame is complete and returns it, or returns {@code null}
     * once {@code in} is used up without completing a frame. See the class comment for who owns the
     * bytes and when the frame's payload is a view of {@code in}.
     *
     * @throws WebSocketProtocolException when the bytes break the protocol; it carries the close code,
     *                                    and every later call throws it again
     */
    public Frame parse(ByteBuffer in) throws WebSocketProtocolException {
        if (failure != null) {
            throw failure;
        }
        try {
            return parseNext(in);
        } catch (WebSocketProtocolException violation) {
            failure = violation;
            state = State.FAILED;
            partialPayload = null;
            throw violation;
        }
    }

    private Frame parseNext(ByteBuffer in) throws WebSocketProtocolException {
        while (true) {
            switch (state) {
                case OPCODE:
                    if (!in.hasRemaining()) {
                        return null;
                    }
                    firstByte = in.get() & 0xFF;
                    state = State.LENGTH_7;
                    break;
                case LENGTH_7: {
                    if (!in.hasRemaining()) {
                        return null;
                    }
                    int secondByte = in.get() & 0xFF;
                    masked = (secondByte & 0x80) != 0;
                    int length7 = secondByte & 0x7F;
                    payloadLength = 0;
                    if (length7 == 126) {
                        state = State.LENGTH_16;
                        fieldBytesLeft = 2;
                    } else if (length7 == 127) {
                        state = State.LENGTH_64;
                        fieldBytesLeft = 8;
                    } else {
                        payloadLength = length7;
                        headerLengthComplete();
                    }
                    break;
                }
                case LENGTH_16:
                case LENGTH_64:
                    while (fieldBytesLeft > 0 && in.hasRemaining()) {
                        payloadLength = (payloadLength << 8) | (in.get() & 0xFF);
                        fieldBytesLeft--;
                    }
                    if (fieldBytesLeft > 0) {
                        return null;
                    }
                    headerLengthComplete();
                    break;
                case MASK:
                    while (fieldBytesLeft > 0 && in.hasRemaining()) {
                        maskKey = (maskKey << 8) | (in.get() & 0xFF);
                        fieldBytesLeft--;
                    }
                    if (fieldBytesLeft > 0) {
                        return null;
                    }
                    state = State.PAYLOAD;
                    break;
                case PAYLOAD:
                    return parsePayload(in);
                case FAILED:
                default:
                    throw new IllegalStateException("unreachable: " + state);
            }
        }
    }

    private void headerLengthComplete() throws WebSocketProtocolException {
        checkHeader();
        payloadReceived = 0;
        if (masked) {
            state = State.MASK;
            fieldBytesLeft = 4;
            maskKey = 0;
        } else {
            state = State.PAYLOAD;
            maskKey = 0;
        }
    }

    /** Every rule a header must follow, checked once its length is known and before any payload. */
    private void checkHeader() throws WebSocketProtocolException {
        int opcode = firstByte & 0x0F;
        FrameType frameType = FrameType.of(opcode);
        if (frameType == null) {
            throw protocolError("reserved opcode 0x" + Integer.toHexString(opcode));
        }
        int rsv = firstByte & ALL_RSV;
        if ((rsv & ~allowedRsv) != 0) {
            throw protocolError("reserved bit" + ((rsv & ~allowedRsv & RSV1) != 0 ? " RSV1" : "")
                    + ((rsv & ~allowedRsv & RSV2) != 0 ? " RSV2" : "")
                    + ((rsv & ~allowedRsv & RSV3) != 0 ? " RSV3" : "") + " set without a negotiated extension");
        }
        if (masked != expectMasked) {
            throw protocolError(expectMasked ? "client frame not masked" : "server frame masked");
        }
        if (payloadLength < 0) {
            throw protocolError("64-bit payload length has its most significant bit set");
        }
        boolean fin = (firstByte & 0x80) != 0;
        if (frameType.isControl()) {
            if (!fin) {
                throw protocolError("fragmented " + frameType + " control frame");
            }
            if (payloadLength > Frame.MAX_CONTROL_PAYLOAD) {
                throw protocolError(frameType + " control frame of " + payloadLength + " bytes, over 125");
            }
        } else if (frameType == FrameType.CONTINUATION) {
            if (openMessage == OpenMessage.NONE) {
                throw protocolError("CONTINUATION frame without a message to continue");
            }
        } else if (openMessage != OpenMessage.NONE) {
            throw protocolError(frameType + " frame while a fragmented " + openMessage
                    + " message is not finished");
        }
        boolean compressed = (allowedRsv & RSV1) != 0 && !frameType.isControl()
                && (frameType == FrameType.CONTINUATION ? messageCompressed : (firstByte & RSV1) != 0);
        long limit = Math.min(compressed ? compressedFrameLimit(maxFrameSize) : maxFrameSize, MAX_PAYLOAD);
        if (payloadLength > limit) {
            throw new WebSocketProtocolException(CloseReason.Codes.TOO_BIG,
                    (compressed ? "compressed frame of " : "frame of ") + payloadLength + " bytes, over the limit of " + limit);
        }
        // The header is acceptable: take its effect on the message state.
        type = frameType;
        if (frameType == FrameType.CONTINUATION) {
            if (fin) {
                openMessage = OpenMessage.NONE;
            }
        } else if (!frameType.isControl()) {
            messageCompressed = compressed;
            messageIsCheckedText = utf8 != null && frameType == FrameType.TEXT && !compressed && (firstByte & RSV1) == 0;
            if (messageIsCheckedText) {
                utf8.reset();
            }
            if (!fin) {
                openMessage = frameType == FrameType.TEXT ? OpenMessage.TEXT : OpenMessage.BINARY;
            }
        }
        frameIsCheckedText = !frameType.isControl() && messageIsCheckedText;
    }

    private Frame parsePayload(ByteBuffer in) throws WebSocketProtocolException {
        int length = (int) payloadLength;
        if (partialPayload == null && in.remaining() >= length) {
            // The whole payload is here: a view of the caller's buffer, no copy.
            int start = in.position();
            ByteBuffer payload;
            if (in.isReadOnly()) {
                payload = ByteBuffer.allocate(length);
                payload.put(0, in, start, length);
                unmask(payload, 0, length, 0);
                lastSharesInput = false;
            } else {
                payload = in.slice(start, length);
                unmask(in, start, length, 0);
                lastSharesInput = true;
            }
            if (frameIsCheckedText) {
                checkText(payload, 0, length);
            }
            in.position(start + length);
            return completeFrame(payload);
        }
        // The payload arrives in pieces: copy each piece once, unmasking it in the copy.
        int piece = Math.min(in.remaining(), length - payloadReceived);
        if (piece == 0) {
            return null;
        }
        ensurePartialCapacity(payloadReceived + piece);
        int start = in.position();
        partialPayload.put(payloadReceived, in, start, piece);
        unmask(partialPayload, payloadReceived, piece, payloadReceived & 3);
        if (frameIsCheckedText) {
            checkText(partialPayload, payloadReceived, piece); // fails at the first bad byte, before the frame is whole
        }
        in.position(start + piece);
        payloadReceived += piece;
        if (payloadReceived < length) {
            return null;
        }
        ByteBuffer payload = partialPayload.slice(0, length);
        partialPayload = null;
        lastSharesInput = false; // the pieces were copied into a buffer of the frame's own
        return completeFrame(payload);
    }

    private void checkText(ByteBuffer buffer, int index, int count) throws WebSocketProtocolException {
        if (!utf8.accept(buffer, index, count)) {
            throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT, "text message is not valid UTF-8");
        }
    }

    /** Unmasks {@code count} bytes at {@code index}; {@code phase} is the payload offset of the first, modulo 4. */
    private void unmask(ByteBuffer buffer, int index, int count, int phase) {
        if (masked) {
            Masking.apply(buffer, index, count, maskKey, phase);
        }
    }

    /**
     * Grows the piece buffer to hold {@code required} bytes: by four at a time, at most the announced length. A
     * buffer is never more than four times what has arrived (a peer cannot make the parser allocate much more than
     * it sent), and a large frame costs few regrowths: 16 KiB, 64 KiB, 256 KiB, 1 MiB (copies a third of the frame
     * once, where doubling copies all of it).
     */
    private void ensurePartialCapacity(int required) {
        int capacity = partialPayload == null ? 0 : partialPayload.capacity();
        if (required <= capacity) {
            return;
        }
        long target = Math.max(GROWTH * (long) capacity, MIN_PARTIAL_CAPACITY);
        int newCapacity = (int) Math.max(required, Math.min(payloadLength, target));
        ByteBuffer bigger = ByteBuffer.allocate(newCapacity);
        if (partialPayload != null) {
            bigger.put(0, partialPayload, 0, payloadReceived);
        }
        partialPayload = bigger;
    }

    private Frame completeFrame(ByteBuffer payload) throws WebSocketProtocolException {
        if (type == FrameType.CLOSE) {
            checkClosePayload(payload);
        }
        boolean fin = (firstByte & 0x80) != 0;
        if (frameIsCheckedText && fin) {
            messageIsCheckedText = false;
            if (!utf8.isComplete()) {
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                        "text message ends in the middle of a UTF-8 character");
            }
        }
        Frame frame = new Frame(type, (firstByte & 0x80) != 0, (firstByte & RSV1) != 0,
                (firstByte & RSV2) != 0, (firstByte & RSV3) != 0, payload);
        state = State.OPCODE;
        type = null;
        payloadReceived = 0;
        return frame;
    }

    private static void checkClosePayload(ByteBuffer payload) throws WebSocketProtocolException {
        int length = payload.remaining();
        if (length == 0) {
            return;
        }
        if (length == 1) {
            throw protocolError("CLOSE payload of 1 byte: a close code takes 2");
        }
        int code = payload.getShort(payload.position()) & 0xFFFF;
        if (!CloseReason.isValidOnWire(code)) {
            throw protocolError("close code " + code + " may not be sent");
        }
        Utf8Validator reason = new Utf8Validator();
        if (!reason.accept(payload, payload.position() + 2, length - 2) || !reason.isComplete()) {
            throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT, "close reason is not valid UTF-8");
        }
    }

    private static WebSocketProtocolException protocolError(String detail) {
        return new WebSocketProtocolException(CloseReason.Codes.PROTOCOL_ERROR, detail);
    }

    /**
     * Whether the frame {@link #parse} returned last is a view of the buffer it was given (whole frame in the buffer:
     * no copy), which the caller must copy before reusing that buffer; {@code false} when the frame came in pieces
     * and its payload is already the parser's own copy.
     */
    public boolean lastFrameSharesInput() {
        return lastSharesInput;
    }

    /** Capacity of the buffer holding a payload that arrives in pieces; 0 when there is none. For tests. */
    int partialPayloadCapacity() {
        return partialPayload == null ? 0 : partialPayload.capacity();
    }

    /** The state and the frame in progress, for debugging. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("FrameParser[").append(state);
        if (state == State.FAILED) {
            text.append(' ').append(failure.closeReason());
        } else if (state != State.OPCODE) {
            FrameType known = type != null ? type : FrameType.of(firstByte & 0x0F);
            text.append(" frame=").append(known != null ? known.name() : "opcode 0x" + Integer.toHexString(firstByte & 0x0F))
                    .append((firstByte & 0x80) != 0 ? " fin" : " !fin");
            if (state.compareTo(State.LENGTH_7) > 0) {
                text.append(masked ? " masked" : " unmasked");
            }
            if (state.compareTo(State.MASK) >= 0) {
                text.append(" length=").append(payloadLength);
            }
            if (state == State.PAYLOAD) {
                text.append(" received=").append(payloadReceived)
                        .append(" buffered=").append(partialPayloadCapacity());
            }
        }
        return text.append(", message=").append(openMessage)
                .append(", maxFrameSize=").append(maxFrameSize)
                .append(utf8 != null ? ", " + utf8 : "")
                .append(", expectMasked=").append(expectMasked)
                .append(", allowedRsv=0x").append(Integer.toHexString(allowedRsv))
                .append(']').toString();
    }
}
