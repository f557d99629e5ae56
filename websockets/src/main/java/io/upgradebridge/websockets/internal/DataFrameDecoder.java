package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.Utf8Validator;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;

/**
 * Checks the peer's data frames in message order and turns each into the frame the handler sees: reserved
 * bits cleared, decompressed when the message is compressed (RSV1 on its first frame, permessage-deflate),
 * text checked as UTF-8 frame by frame: the inflated text of compressed messages always, uncompressed text only
 * when the RAW session below does not check it already (it does by default, as the bytes arrive). Counts the message's size over all its fragments, after
 * decompression. Every violation throws a {@link WebSocketProtocolException} with the close code to send:
 * 1002 for protocol errors, 1007 for text that is not UTF-8, 1009 for a message over the limit.
 *
 * <p>Holds no buffer: the inflater is made when the first compressed message arrives. Not thread-safe.
 */
final class DataFrameDecoder implements AutoCloseable {

    private final long maxMessageSize;
    private final DeflateAgreement deflate;
    /** Whether uncompressed text is checked here too (the RAW session below does not). */
    private final boolean checkPlainText;
    private final Utf8Validator utf8 = new Utf8Validator();
    private MessageInflater inflater;
    /** The type of the message in progress, or {@code null} between messages. */
    private FrameType messageType;
    private boolean compressed;
    private long messageSize;

    /** A decoder that checks all text, compressed or not. */
    DataFrameDecoder(long maxMessageSize, DeflateAgreement deflate) {
        this(maxMessageSize, deflate, true);
    }

    /**
     * @param deflate the permessage-deflate agreement, or {@code null} when none was negotiated
     * @param checkPlainText whether uncompressed text is checked as UTF-8 here ({@code false} when the RAW session
     *     checks it as it arrives); inflated text is always checked here
     */
    DataFrameDecoder(long maxMessageSize, DeflateAgreement deflate, boolean checkPlainText) {
        this.maxMessageSize = maxMessageSize;
        this.deflate = deflate;
        this.checkPlainText = checkPlainText;
    }

    /**
     * The checked, decompressed form of a TEXT, BINARY or CONTINUATION frame.
     *
     * @throws WebSocketProtocolException when the frame breaks the protocol or a limit
     * @throws IllegalArgumentException for a control frame (those are the session's business)
     */
    Frame decode(Frame frame) throws WebSocketProtocolException {
        FrameType type = frame.type();
        if (type.isControl()) {
            throw new IllegalArgumentException("decode takes data frames, not " + frame);
        }
        if (frame.rsv2() || frame.rsv3()) {
            throw protocolError("reserved bit" + (frame.rsv2() ? " RSV2" : "") + (frame.rsv3() ? " RSV3" : "")
                + " set without a negotiated extension");
        }
        if (type == FrameType.CONTINUATION) {
            if (messageType == null) {
                throw protocolError("CONTINUATION frame without a message to continue");
            }
            if (frame.rsv1()) {
                throw protocolError("RSV1 set on a CONTINUATION frame; only the first frame of a message carries it");
            }
        } else {
            if (messageType != null) {
                throw protocolError(type + " frame while a fragmented " + messageType + " message is not finished");
            }
            if (frame.rsv1() && deflate == null) {
                throw protocolError("RSV1 set but permessage-deflate was not negotiated");
            }
            messageType = type;
            compressed = frame.rsv1();
            messageSize = 0;
            utf8.reset();
        }
        ByteBuffer data = compressed ? inflater().inflate(frame.data(), frame.fin(), maxMessageSize - messageSize) : frame.data();
        messageSize += data.remaining();
        if (messageSize > maxMessageSize) {
            throw new WebSocketProtocolException(CloseReason.Codes.TOO_BIG,
                "message of more than " + maxMessageSize + " bytes, over the limit");
        }
        if (messageType == FrameType.TEXT && (compressed || checkPlainText)) {
            if (!utf8.accept(data)) {
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT, "text message is not valid UTF-8");
            }
            if (frame.fin() && !utf8.isComplete()) {
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                    "text message ends in the middle of a UTF-8 character");
            }
        }
        if (frame.fin()) {
            messageType = null;
        }
        if (!frame.rsv1() && !compressed) {
            return frame; // nothing changed: keep the frame (and its bytes) as is
        }
        return new Frame(type, frame.fin(), false, false, false, data);
    }

    /** Whether a message was started and not finished. */
    boolean inMessage() {
        return messageType != null;
    }

    private MessageInflater inflater() {
        if (inflater == null) {
            inflater = deflate.newInflater();
        }
        return inflater;
    }

    /** Frees the inflater, if one was made. */
    @Override
    public void close() {
        MessageInflater i = inflater;
        inflater = null;
        if (i != null) {
            i.close();
        }
    }

    private static WebSocketProtocolException protocolError(String detail) {
        return new WebSocketProtocolException(CloseReason.Codes.PROTOCOL_ERROR, detail);
    }

    @Override
    public String toString() {
        return "DataFrameDecoder[" + (messageType == null ? "between messages" : (compressed ? "compressed " : "") + messageType
            + " message, " + messageSize + " bytes so far") + ", " + utf8 + ']';
    }
}
