package io.upgradebridge.websocket.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The XOR masking of RFC 6455 section 5.3, done in place, 8 bytes at a time.
 *
 * <p>Payload byte {@code i} is XORed with mask byte {@code i % 4}, where mask byte 0 is the first of the
 * 4 key bytes on the wire (the most significant byte of the {@code int} key). Masking and unmasking are
 * the same operation. A region that starts in the middle of a payload (a frame that arrived in pieces)
 * passes its {@code phase}: the payload offset of its first byte, modulo 4.
 */
public final class Masking {

    private static final ByteOrder NATIVE_ORDER = ByteOrder.nativeOrder();
    /** The longs of a byte array in the machine's byte order. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, NATIVE_ORDER);

    private Masking() {
    }

    /**
     * XORs {@code length} bytes of {@code buffer} starting at absolute index {@code index} with the mask
     * key, starting at mask byte {@code phase}. Position, limit and byte order of {@code buffer} are left
     * as they are; the region must lie below the limit (absolute access checks it).
     *
     * @param buffer  a writable buffer, heap or direct, of any byte order
     * @param index   absolute index of the first byte
     * @param length  number of bytes
     * @param maskKey the 4 key bytes, first wire byte most significant
     * @param phase   which key byte applies to the first byte: 0 to 3 (the payload offset modulo 4)
     */
    public static void apply(ByteBuffer buffer, int index, int length, int maskKey, int phase) {
        if (length == 0 || maskKey == 0) {
            return;
        }
        // The key as it applies from the first byte on: key byte `phase` first.
        int rotated = Integer.rotateLeft(maskKey, 8 * (phase & 3));
        long wide = (rotated & 0xFFFF_FFFFL) << 32 | (rotated & 0xFFFF_FFFFL);
        // Longs are read and written in the machine's own byte order (no byte swapping per long); the XOR
        // pattern must follow memory order, which the big-endian `wide` does only on a big-endian machine.
        if (NATIVE_ORDER == ByteOrder.LITTLE_ENDIAN) {
            wide = Long.reverseBytes(wide);
        }
        int end = index + length;
        Objects.checkFromIndexSize(index, length, buffer.limit());
        int cursor;
        if (buffer.hasArray()) {
            cursor = applyToArray(buffer.array(), buffer.arrayOffset() + index, length, wide) - buffer.arrayOffset();
        } else {
            ByteBuffer nativeView = buffer.duplicate().order(NATIVE_ORDER);
            cursor = index;
            // A long covers 8 bytes = 2 whole keys, so the phase is the same at the start of every long.
            for (int lastLong = end - 8; cursor <= lastLong; cursor += 8) {
                nativeView.putLong(cursor, nativeView.getLong(cursor) ^ wide);
            }
        }
        // Tail: fewer than 8 bytes, still in phase because whole longs were consumed.
        for (int shift = 24; cursor < end; cursor++, shift = (shift + 24) & 31) {
            buffer.put(cursor, (byte) (buffer.get(cursor) ^ (rotated >>> shift)));
        }
    }

    /** XORs the whole longs of {@code array[from, from + length)}; returns the array index after the last one. */
    private static int applyToArray(byte[] array, int from, int length, long wide) {
        int cursor = from;
        for (int lastLong = from + length - 8; cursor <= lastLong; cursor += 8) {
            LONGS.set(array, cursor, (long) LONGS.get(array, cursor) ^ wide);
        }
        return cursor;
    }
}
