package io.upgradebridge.websocket.internal;

import static io.upgradebridge.websocket.internal.CodecTestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class MaskingTest {

    private static final int[] KEYS = {0x37FA213D, 0x80000001, 0xFFFFFFFF, 0x01020304, 0x00FF00FF};

    /** The RFC's definition, one byte at a time: byte i ^= key byte ((phase + i) % 4). */
    private static byte[] naive(byte[] data, int maskKey, int phase) {
        byte[] key = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        byte[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= key[(phase + i) % 4];
        }
        return out;
    }

    @Test
    void matchesTheByteLoopForEveryLengthPhaseOffsetAndBufferKind() {
        int checked = 0;
        for (int key : KEYS) {
            for (int length = 0; length <= 40; length++) {
                for (int phase = 0; phase < 4; phase++) {
                    byte[] data = pattern(length);
                    byte[] expected = naive(data, key, phase);
                    for (int offset = 0; offset < 8; offset++) {
                        for (int kind = 0; kind < 4; kind++) {
                            ByteBuffer buffer = (kind < 2 ? ByteBuffer.allocate(offset + length + 8)
                                    : ByteBuffer.allocateDirect(offset + length + 8))
                                    .order(kind % 2 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                            buffer.put(offset, data);
                            buffer.put(offset + length, new byte[] {7, 7, 7, 7, 7, 7, 7, 7});
                            buffer.position(3);
                            Masking.apply(buffer, offset, length, key, phase);
                            byte[] actual = new byte[length];
                            buffer.get(offset, actual);
                            String where = "key=" + Integer.toHexString(key) + " length=" + length
                                    + " phase=" + phase + " offset=" + offset + " kind=" + kind;
                            assertArrayEquals(expected, actual, where);
                            for (int i = 0; i < offset; i++) {
                                assertEquals(0, buffer.get(i), "byte before the region changed: " + where);
                            }
                            for (int i = 0; i < 8; i++) {
                                assertEquals(7, buffer.get(offset + length + i), "byte after the region changed: " + where);
                            }
                            assertEquals(3, buffer.position(), where);
                            assertEquals(buffer.capacity(), buffer.limit(), where);
                            checked++;
                        }
                    }
                }
            }
        }
        assertEquals(KEYS.length * 41 * 4 * 8 * 4, checked);
    }

    @Test
    void maskingTwiceRestoresTheData() {
        byte[] data = pattern(1000);
        ByteBuffer buffer = ByteBuffer.wrap(data.clone());
        Masking.apply(buffer, 0, 1000, 0x12345678, 0);
        Masking.apply(buffer, 0, 1000, 0x12345678, 0);
        assertArrayEquals(data, buffer.array());
    }

    @Test
    void aPayloadMaskedInPiecesEqualsMaskedAtOnce() {
        byte[] data = pattern(100);
        byte[] expected = naive(data, 0x37FA213D, 0);
        for (int cut1 = 0; cut1 <= 100; cut1 += 7) {
            for (int cut2 = cut1; cut2 <= 100; cut2 += 5) {
                ByteBuffer buffer = ByteBuffer.wrap(data.clone());
                Masking.apply(buffer, 0, cut1, 0x37FA213D, 0);
                Masking.apply(buffer, cut1, cut2 - cut1, 0x37FA213D, cut1 & 3);
                Masking.apply(buffer, cut2, 100 - cut2, 0x37FA213D, cut2 & 3);
                assertArrayEquals(expected, buffer.array(), "cuts " + cut1 + ", " + cut2);
            }
        }
    }
}
