package io.upgradebridge.websockets.internal;

import java.nio.ByteBuffer;

/**
 * Checks bytes as UTF-8 (RFC 3629) as they arrive, one piece at a time: a character may be split between
 * pieces. Rejects at the first byte that cannot continue a valid sequence: overlong forms, surrogates
 * (U+D800 to U+DFFF), code points above U+10FFFF, stray continuation bytes and bytes C0, C1, F5 to FF.
 *
 * <p>A small finite automaton: the state says how many continuation bytes are still due and, right after
 * some lead bytes, the narrower range the next one must lie in. Not thread-safe; a few bytes of state.
 */
final class Utf8Validator {

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

    private int state = BOUNDARY;

    /**
     * Checks the remaining bytes of {@code bytes} (its position is not moved).
     *
     * @return whether every byte so far can be part of valid UTF-8; {@code false} from the first invalid byte on
     */
    boolean accept(ByteBuffer bytes) {
        int s = state;
        int limit = bytes.limit();
        for (int i = bytes.position(); i < limit && s != REJECTED; i++) {
            s = next(s, bytes.get(i) & 0xFF);
        }
        state = s;
        return s != REJECTED;
    }

    /** Whether no byte was rejected and no character is left unfinished: the end of a valid text. */
    boolean isComplete() {
        return state == BOUNDARY;
    }

    /** Whether a byte was rejected. */
    boolean isRejected() {
        return state == REJECTED;
    }

    /** Starts over, for the next text. */
    void reset() {
        state = BOUNDARY;
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
        return "Utf8Validator[" + (state == BOUNDARY ? "boundary" : state == REJECTED ? "rejected" : "inside a character") + ']';
    }
}
