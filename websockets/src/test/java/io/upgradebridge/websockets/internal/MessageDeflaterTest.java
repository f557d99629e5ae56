package io.upgradebridge.websockets.internal;

import static io.upgradebridge.websockets.internal.DeflateTestSupport.ascii;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.bytes;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.concat;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.hex;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.noise;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.junit.jupiter.api.Test;

class MessageDeflaterTest {

    private static final byte[] TAIL = hex("00 00 ff ff");

    /** What a plain raw {@link Inflater} makes of payloads, each with the tail appended, in one stream. */
    private static byte[] plainInflate(Inflater inflater, byte[] payloadWithoutTail) throws DataFormatException {
        inflater.setInput(concat(payloadWithoutTail, TAIL));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        for (int rounds = 0; rounds < 100_000; rounds++) {
            int n = inflater.inflate(chunk);
            out.write(chunk, 0, n);
            if (n == 0 && inflater.needsInput()) {
                return out.toByteArray();
            }
        }
        throw new AssertionError("plain inflate did not finish");
    }

    @Test
    void compressesHelloAsRfc7692Section7231() {
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, false)) {
            assertArrayEquals(hex("f2 48 cd c9 c9 07 00"), bytes(deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true)));
            // Section 7.2.3.2: the second "Hello" refers back to the first through the shared window.
            assertArrayEquals(hex("f2 00 11 00 00"), bytes(deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true)));
        }
    }

    @Test
    void withoutContextTakeoverEveryMessageCompressesAlone() {
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, true)) {
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(hex("f2 48 cd c9 c9 07 00"), bytes(deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true)));
            }
        }
    }

    @Test
    void anEmptyMessageIsTheSingleByte00() {
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, false)) {
            assertArrayEquals(hex("00"), bytes(deflater.deflate(ByteBuffer.allocate(0), true)), "first message");
            deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true);
            // After a flush zlib writes nothing for no input; the 00 must still come.
            assertArrayEquals(hex("00"), bytes(deflater.deflate(ByteBuffer.allocate(0), true)), "after a message");
            assertArrayEquals(hex("00"), bytes(deflater.deflate(ByteBuffer.allocate(0), true)), "twice in a row");
        }
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, true)) {
            deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true);
            assertArrayEquals(hex("00"), bytes(deflater.deflate(ByteBuffer.allocate(0), true)), "after a reset");
        }
    }

    @Test
    void anEmptyLastFrameAfterDataFramesStillEndsTheMessageValidly() throws DataFormatException {
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, false)) {
            Inflater plain = new Inflater(true);
            try {
                byte[] first = bytes(deflater.deflate(ByteBuffer.wrap(ascii("Hel")), false));
                byte[] second = bytes(deflater.deflate(ByteBuffer.wrap(ascii("lo")), false));
                byte[] last = bytes(deflater.deflate(ByteBuffer.allocate(0), true));
                assertArrayEquals(hex("00"), last);
                assertArrayEquals(ascii("Hello"), plainInflate(plain, concat(first, second, last)));
                // The stream is still in step: the next message refers back into the window.
                byte[] next = bytes(deflater.deflate(ByteBuffer.wrap(ascii("Hello")), true));
                assertArrayEquals(ascii("Hello"), plainInflate(plain, next));
            } finally {
                plain.end();
            }
        }
    }

    @Test
    void aPlainInflaterReadsManyMessagesAtEveryLevel() throws DataFormatException {
        Random random = new Random(7);
        for (int level = -1; level <= 9; level++) {
            for (boolean noContextTakeover : new boolean[] {false, true}) {
                Inflater plain = new Inflater(true);
                try (MessageDeflater deflater = new MessageDeflater(level, noContextTakeover)) {
                    for (int message = 0; message < 20; message++) {
                        byte[] data = message % 5 == 4 ? noise(random, 3000) : words(random, random.nextInt(5000));
                        byte[] payload = bytes(deflater.deflate(ByteBuffer.wrap(data), true));
                        assertArrayEquals(data, plainInflate(plain, payload), "level " + level + " message " + message);
                        if (noContextTakeover) {
                            plain.reset();
                        }
                    }
                } finally {
                    plain.end();
                }
            }
        }
    }

    @Test
    void compressesRepetitiveDataToLessThanItsSize() {
        byte[] data = words(new Random(3), 100_000);
        try (MessageDeflater deflater = new MessageDeflater(Deflater.BEST_COMPRESSION, false)) {
            int compressed = deflater.deflate(ByteBuffer.wrap(data), true).remaining();
            assertTrue(compressed < data.length / 3, "compressed to " + compressed);
        }
    }

    @Test
    void incompressibleDataGrowsTheOutputAsNeeded() throws DataFormatException {
        byte[] data = noise(new Random(5), 300_000);
        Inflater plain = new Inflater(true);
        try (MessageDeflater deflater = new MessageDeflater(0, false)) {
            byte[] payload = bytes(deflater.deflate(ByteBuffer.wrap(data), true));
            assertTrue(payload.length > data.length, "stored blocks add headers: " + payload.length);
            assertArrayEquals(data, plainInflate(plain, payload));
        } finally {
            plain.end();
        }
    }

    @Test
    void consumesDirectAndReadOnlyInput() throws DataFormatException {
        byte[] data = words(new Random(11), 2000);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length + 10).put(data).flip();
        ByteBuffer readOnly = ByteBuffer.wrap(data).asReadOnlyBuffer();
        Inflater plain = new Inflater(true);
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            for (ByteBuffer input : new ByteBuffer[] {direct, readOnly}) {
                byte[] payload = bytes(deflater.deflate(input, true));
                assertFalse(input.hasRemaining(), "the input is consumed");
                assertArrayEquals(data, plainInflate(plain, payload));
            }
        } finally {
            plain.end();
        }
    }

    @Test
    void createsTheNativeCompressorOnlyWhenItCompressesAndFreesItOnClose() {
        MessageDeflater deflater = new MessageDeflater(6, false);
        assertFalse(deflater.holdsNativeDeflater());
        deflater.deflate(ByteBuffer.wrap(ascii("x")), true);
        assertTrue(deflater.holdsNativeDeflater());
        deflater.close();
        assertFalse(deflater.holdsNativeDeflater());
        deflater.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> deflater.deflate(ByteBuffer.wrap(ascii("x")), true));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        new MessageDeflater(6, false).close(); // never used: nothing to free, no failure
    }

    @Test
    void nonFinalFramesCarryTheirDataAtOnce() throws DataFormatException {
        Inflater plain = new Inflater(true);
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            byte[] first = bytes(deflater.deflate(ByteBuffer.wrap(ascii("streamed ")), false));
            // The frame alone (sync-flushed, tail kept) already inflates to its data.
            plain.setInput(first);
            byte[] out = new byte[100];
            int n = plain.inflate(out);
            assertEquals("streamed ", new String(out, 0, n, StandardCharsets.US_ASCII));
            byte[] last = bytes(deflater.deflate(ByteBuffer.wrap(ascii("piece")), true));
            assertArrayEquals(ascii("piece"), plainInflate(plain, last));
        } finally {
            plain.end();
        }
    }
}
