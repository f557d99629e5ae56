package io.upgradebridge.websockets.internal;

import static io.upgradebridge.websockets.internal.DeflateTestSupport.ascii;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.bytes;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.hex;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.noise;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

class MessageInflaterTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    private static byte[] inflate(MessageInflater inflater, byte[] payload) throws WebSocketProtocolException {
        return bytes(inflater.inflate(ByteBuffer.wrap(payload), true, NO_LIMIT));
    }

    /** A message as an independent raw Deflater sends it: sync flush, tail removed. */
    private static byte[] plainDeflate(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024];
        for (int rounds = 0; rounds < 100_000; rounds++) {
            int n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.write(chunk, 0, n);
            if (n < chunk.length) {
                byte[] all = out.toByteArray();
                assertArrayEquals(hex("00 00 ff ff"), Arrays.copyOfRange(all, all.length - 4, all.length));
                return Arrays.copyOf(all, all.length - 4);
            }
        }
        throw new AssertionError("plain deflate did not finish");
    }

    @Test
    void inflatesTheRfc7692Examples() throws WebSocketProtocolException {
        try (MessageInflater inflater = new MessageInflater(false)) {
            // 7.2.3.1 a message compressed with one DEFLATE block
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f2 48 cd c9 c9 07 00")));
            // 7.2.3.2 the same message again, referring back into the shared window
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f2 00 11 00 00")));
            // 7.2.3.3 a stored (uncompressed) block
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("00 05 00 fa ff 48 65 6c 6c 6f 00")));
            // 7.2.3.5 two DEFLATE blocks in one message
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")));
            // 7.2.3.6 the empty message
            assertArrayEquals(new byte[0], inflate(inflater, hex("00")));
        }
    }

    @Test
    void inflatesTheRfcExampleSentInTwoFrames() throws WebSocketProtocolException {
        try (MessageInflater inflater = new MessageInflater(false)) {
            byte[] first = bytes(inflater.inflate(ByteBuffer.wrap(hex("f2 48 cd")), false, NO_LIMIT));
            byte[] second = bytes(inflater.inflate(ByteBuffer.wrap(hex("c9 c9 07 00")), true, NO_LIMIT));
            assertEquals("Hello", new String(DeflateTestSupport.concat(first, second), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aBlockWithBfinalEndsTheMessageAndTheNextStartsAfresh() throws WebSocketProtocolException {
        try (MessageInflater inflater = new MessageInflater(false)) {
            // 7.2.3.4: "Hello" in a block with BFINAL set, followed by a byte that is not part of the stream
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f3 48 cd c9 c9 07 00 00")));
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f2 48 cd c9 c9 07 00")));
        }
    }

    @Test
    void withoutContextTakeoverTheWindowIsDroppedAfterEveryMessage() throws WebSocketProtocolException {
        try (MessageInflater inflater = new MessageInflater(true)) {
            assertArrayEquals(ascii("Hello"), inflate(inflater, hex("f2 48 cd c9 c9 07 00")));
            // The RFC's second message refers to the first one's window, which must be gone now.
            WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
                    () -> inflate(inflater, hex("f2 00 11 00 00")));
            assertEquals(CloseReason.Codes.NOT_CONSISTENT.code(), e.closeReason().code());
        }
    }

    @Test
    void readsMessagesFromAnIndependentDeflater() throws WebSocketProtocolException {
        Random random = new Random(17);
        for (boolean contextTakeover : new boolean[] {true, false}) {
            Deflater plain = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            try (MessageInflater inflater = new MessageInflater(!contextTakeover)) {
                for (int message = 0; message < 30; message++) {
                    byte[] data = message % 7 == 3 ? noise(random, 2000) : words(random, random.nextInt(20_000));
                    byte[] payload = plainDeflate(plain, data);
                    assertArrayEquals(data, inflate(inflater, payload), "message " + message);
                    if (!contextTakeover) {
                        plain.reset();
                    }
                }
            } finally {
                plain.end();
            }
        }
    }

    @Test
    void aMessageOfExactlyTheLimitPassesOneByteMoreIs1009() throws WebSocketProtocolException {
        byte[] data = words(new Random(2), 1000);
        Deflater plain = new Deflater(6, true);
        byte[] payload = plainDeflate(plain, data);
        plain.end();
        try (MessageInflater inflater = new MessageInflater(true)) {
            assertArrayEquals(data, bytes(inflater.inflate(ByteBuffer.wrap(payload), true, 1000)));
            WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
                    () -> inflater.inflate(ByteBuffer.wrap(payload), true, 999));
            assertEquals(CloseReason.Codes.TOO_BIG.code(), e.closeReason().code());
            assertTrue(e.closeReason().message().contains("999"), e.closeReason().message());
        }
    }

    @Test
    void stopsInflatingABombAtTheLimit() {
        // 64 MiB of zeros compress to about 64 KiB; the limit is 256 KiB, 1/256 of the whole.
        Deflater plain = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 64; i++) {
            plain.setInput(zeros);
            while (!plain.needsInput()) {
                compressed.write(chunk, 0, plain.deflate(chunk, 0, chunk.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        do {
            n = plain.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            compressed.write(chunk, 0, n);
        } while (n == chunk.length);
        plain.end();
        byte[] bomb = compressed.toByteArray();
        ByteBuffer payload = ByteBuffer.wrap(bomb, 0, bomb.length - 4);
        int limit = 256 * 1024;

        try (MessageInflater inflater = new MessageInflater(false)) {
            WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
                    () -> inflater.inflate(payload, true, limit));
            assertEquals(CloseReason.Codes.TOO_BIG.code(), e.closeReason().code());
            // Stopped early: the limit is 1/256 of the whole, so only a small part of the input was read.
            int consumed = payload.position();
            assertTrue(consumed < bomb.length / 16, "read " + consumed + " of " + bomb.length + " compressed bytes");
        }
    }

    @Test
    void aBombSpreadOverFramesIsStoppedByTheShrinkingLimit() throws WebSocketProtocolException {
        byte[] data = new byte[200_000];
        Deflater plain = new Deflater(6, true);
        byte[] payload = plainDeflate(plain, data);
        plain.end();
        long remaining = 100_000;
        try (MessageInflater inflater = new MessageInflater(false)) {
            int frames = 0;
            WebSocketProtocolException tooBig = null;
            for (int offset = 0; offset < payload.length && tooBig == null; offset += 16, frames++) {
                ByteBuffer frame = ByteBuffer.wrap(payload, offset, Math.min(16, payload.length - offset));
                try {
                    remaining -= inflater.inflate(frame, offset + 16 >= payload.length, remaining).remaining();
                } catch (WebSocketProtocolException e) {
                    tooBig = e;
                }
            }
            assertTrue(tooBig != null, "200000 bytes passed a 100000 byte limit in " + frames + " frames");
            assertEquals(CloseReason.Codes.TOO_BIG.code(), tooBig.closeReason().code());
        }
    }

    @Test
    void garbageIs1007() {
        try (MessageInflater inflater = new MessageInflater(false)) {
            // ff: BFINAL set with the reserved block type 11
            WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
                    () -> inflate(inflater, hex("ff ff ff ff 00 01 02")));
            assertEquals(CloseReason.Codes.NOT_CONSISTENT.code(), e.closeReason().code());
            assertTrue(e.getCause() instanceof java.util.zip.DataFormatException, String.valueOf(e.getCause()));
            // a stored block whose LEN and NLEN disagree
            WebSocketProtocolException stored = assertThrows(WebSocketProtocolException.class,
                    () -> inflate(inflater, hex("00 05 00 05 00 48 65 6c 6c 6f")));
            assertEquals(CloseReason.Codes.NOT_CONSISTENT.code(), stored.closeReason().code());
        }
    }

    @Test
    void aFrameWithoutDataGivesNothing() throws WebSocketProtocolException {
        try (MessageInflater inflater = new MessageInflater(false)) {
            assertEquals(0, inflater.inflate(ByteBuffer.allocate(0), false, 10).remaining());
            assertArrayEquals(ascii("Hello"), bytes(inflater.inflate(ByteBuffer.wrap(hex("f2 48 cd c9 c9 07 00")), true, 5)));
            assertEquals(0, inflater.inflate(ByteBuffer.wrap(hex("00")), true, 0).remaining());
        }
    }

    @Test
    void consumesDirectInputAndReturnsAFlippedBufferOfItsOwn() throws WebSocketProtocolException {
        ByteBuffer direct = ByteBuffer.allocateDirect(16).put(hex("f2 48 cd c9 c9 07 00")).flip();
        try (MessageInflater inflater = new MessageInflater(false)) {
            ByteBuffer out = inflater.inflate(direct, true, 100);
            assertFalse(direct.hasRemaining(), "the payload is consumed");
            assertEquals(0, out.position());
            assertArrayEquals(ascii("Hello"), bytes(out));
        }
    }

    @Test
    void createsTheNativeDecompressorOnlyWhenItInflatesAndFreesItOnClose() throws WebSocketProtocolException {
        MessageInflater inflater = new MessageInflater(false);
        assertFalse(inflater.holdsNativeInflater());
        inflate(inflater, hex("00"));
        assertTrue(inflater.holdsNativeInflater());
        inflater.close();
        assertFalse(inflater.holdsNativeInflater());
        inflater.close();
        assertThrows(IllegalStateException.class, () -> inflate(inflater, hex("00")));
        assertThrows(IllegalArgumentException.class, () -> new MessageInflater(false).inflate(ByteBuffer.allocate(0), true, -1));
    }
}
