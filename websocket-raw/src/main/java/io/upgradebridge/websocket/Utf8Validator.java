package io.upgradebridge.websocket;

import java.nio.ByteBuffer;

/**
 * Checks text as UTF-8 (RFC 3629) as it arrives, piece by piece, without copying it: the check RFC 6455 section 8.1
 * asks of every endpoint ("fail the WebSocket connection", close code 1007, on text that is not valid UTF-8).
 *
 * <h2>Who calls it</h2>
 * A RAW session already checks the text it receives by default ({@link WebSocketUpgrade.Options#checkUtf8()}): as the
 * payload bytes arrive, inside a frame that is still arriving, so an invalid byte fails the connection with 1007 at
 * once, before the rest of its frame or message comes. A handler that turned that off (because it treats text as
 * bytes on purpose, or checks it later) calls {@link #check(Frame)} on every frame it receives, in order; a layer that
 * decompresses messages (permessage-deflate) feeds the inflated bytes to {@link #accept(ByteBuffer)} and asks
 * {@link #isComplete()} at the end of each message, as the WebSockets feature does.
 *
 * <h2>What it rejects</h2>
 * The first byte that cannot continue valid UTF-8: overlong forms, surrogates (U+D800 to U+DFFF), code points above
 * U+10FFFF, stray continuation bytes, bytes C0, C1, F5 to FF; and, at the end of a text ({@link #isComplete()}), a
 * character left unfinished. A character may be split between pieces (and so between frames) anywhere.
 *
 * <p>A small finite automaton: a few bytes of state, ASCII checked eight bytes at a time. Not thread-safe: one
 * validator per direction of a session, used by one thread at a time.
 */
public final class Utf8Validator {

    /** At a character boundary: the next byte starts a character. */
    private static final int BOUNDARY = 0;
    /** One continuation byte 80..BF is due. */
    private static final int ONE_MORE = 1;
    /** Two continuation bytes are due, the first in 80..BF. */
    private static final int TWO_MORE = 2;
    /** Three continuation bytes are due, the first in 80..BF. */
    private static final int THREE_MORE = 3;
    /** After E0: A0..BF then one more (excludes overlong 3-byte forms). */
    private static final int AFTER_E0 = 4;
    /** After ED: 80..9F then one more (excludes surrogates). */
    private static final int AFTER_ED = 5;
    /** After F0: 90..BF then two more (excludes overlong 4-byte forms). */
    private static final int AFTER_F0 = 6;
    /** After F4: 80..8F then two more (excludes code points above U+10FFFF). */
    private static final int AFTER_F4 = 7;
    /** A byte was rejected; stays so until {@link #reset()}. */
    private static final int REJECTED = 8;

    private static final long HIGH_BITS = 0x8080808080808080L;

    private int state = BOUNDARY;
    /** For {@link #check(Frame)}: whether the data message in progress is text (its continuations are checked). */
    private boolean inText;

    /** A validator at the start of a text. */
    public Utf8Validator() {
    }

    /**
     * Checks the remaining bytes of {@code bytes}; its position and limit are not moved.
     *
     * @return whether every byte so far can be part of valid UTF-8; {@code false} from the first invalid byte on
     */
    public boolean accept(ByteBuffer bytes) {
        return accept(bytes, bytes.position(), bytes.remaining());
    }

    /**
     * Checks {@code length} bytes of {@code bytes} from the absolute {@code index}; its position and limit are not
     * moved.
     *
     * @return whether every byte so far can be part of valid UTF-8; {@code false} from the first invalid byte on
     * @throws IndexOutOfBoundsException when the range is not inside the buffer's limit
     */
    public boolean accept(ByteBuffer bytes, int index, int length) {
        if (index < 0 || length < 0 || index > bytes.limit() - length) {
            throw new IndexOutOfBoundsException("bytes " + index + " to " + ((long) index + length) + " of a buffer of " + bytes.limit());
        }
        int s = state;
        int i = index;
        int end = index + length;
        while (i < end && s != REJECTED) {
            if (s == BOUNDARY) {
                // ASCII comes eight bytes at a time: no byte with its high bit set, nothing to track
                while (i <= end - 8 && (bytes.getLong(i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == end) {
                    break;
                }
            }
            s = next(s, bytes.get(i) & 0xFF);
            i++;
        }
        state = s;
        return s != REJECTED;
    }

    /** Whether no byte was rejected and no character is left unfinished: the end of a valid text. */
    public boolean isComplete() {
        return state == BOUNDARY;
    }

    /** Whether a byte was rejected. */
    public boolean isRejected() {
        return state == REJECTED;
    }

    /** Starts over, for the next text. */
    public void reset() {
        state = BOUNDARY;
        inText = false;
    }

    /**
     * Checks one received frame, for a RAW handler that turned the session's own check off: call it on every frame, in
     * the order they come. A TEXT frame starts a text message, its CONTINUATION frames go on with it (a character may
     * be split between them), its {@code fin} frame ends it; BINARY messages and control frames are not checked (a
     * CLOSE frame's reason is checked by the session). The payload is read where it is, not copied; the frame's
     * position is not moved.
     *
     * @return {@code frame}, for chaining
     * @throws WebSocketProtocolException 1007 (invalid frame payload data) at the first frame that holds a byte that
     *     is not valid UTF-8, or that ends a text message inside a character; answer it by closing with its
     *     {@link WebSocketProtocolException#closeReason()}
     * @throws IllegalArgumentException for a compressed frame (RSV1 set on the first frame of a message): check its
     *     inflated bytes with {@link #accept(ByteBuffer)} instead
     */
    public Frame check(Frame frame) throws WebSocketProtocolException {
        switch (frame.type()) {
            case TEXT:
                if (frame.rsv1()) {
                    throw new IllegalArgumentException("a compressed frame cannot be checked as UTF-8 before it is inflated: "
                        + frame + "; check the inflated bytes with accept(ByteBuffer)");
                }
                state = BOUNDARY;
                inText = true;
                break;
            case BINARY:
                inText = false;
                return frame;
            case CONTINUATION:
                if (!inText) {
                    return frame;
                }
                break;
            default:
                return frame; // control frames are not part of a message
        }
        if (!accept(frame.data())) {
            inText = false;
            state = BOUNDARY;
            throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT, "text message is not valid UTF-8");
        }
        if (frame.fin()) {
            inText = false;
            if (state != BOUNDARY) {
                state = BOUNDARY;
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                    "text message ends in the middle of a UTF-8 character");
            }
        }
        return frame;
    }

    private static int next(int s, int b) {
        switch (s) {
            case BOUNDARY:
                if (b < 0x80) {
                    return BOUNDARY;
                } else if (b < 0xC2) {
                    return REJECTED; // 80..BF: continuation without a lead; C0, C1: overlong 2-byte forms
                } else if (b < 0xE0) {
                    return ONE_MORE;
                } else if (b == 0xE0) {
                    return AFTER_E0;
                } else if (b == 0xED) {
                    return AFTER_ED;
                } else if (b < 0xF0) {
                    return TWO_MORE;
                } else if (b == 0xF0) {
                    return AFTER_F0;
                } else if (b < 0xF4) {
                    return THREE_MORE;
                } else if (b == 0xF4) {
                    return AFTER_F4;
                }
                return REJECTED; // F5..FF: beyond U+10FFFF or never valid
            case ONE_MORE:
                return isContinuation(b) ? BOUNDARY : REJECTED;
            case TWO_MORE:
                return isContinuation(b) ? ONE_MORE : REJECTED;
            case THREE_MORE:
                return isContinuation(b) ? TWO_MORE : REJECTED;
            case AFTER_E0:
                return b >= 0xA0 && b <= 0xBF ? ONE_MORE : REJECTED;
            case AFTER_ED:
                return b >= 0x80 && b <= 0x9F ? ONE_MORE : REJECTED;
            case AFTER_F0:
                return b >= 0x90 && b <= 0xBF ? TWO_MORE : REJECTED;
            case AFTER_F4:
                return b >= 0x80 && b <= 0x8F ? TWO_MORE : REJECTED;
            default:
                return REJECTED;
        }
    }

    private static boolean isContinuation(int b) {
        return b >= 0x80 && b <= 0xBF;
    }

    @Override
    public String toString() {
        return "Utf8Validator[" + (state == BOUNDARY ? "boundary" : state == REJECTED ? "rejected" : "inside a character")
            + (inText ? ", in a text message" : "") + ']';
    }
}
