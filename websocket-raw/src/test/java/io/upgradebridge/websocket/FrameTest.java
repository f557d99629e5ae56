package io.upgradebridge.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FrameTest {

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void textFrameEncodesUtf8() {
        Frame frame = Frame.text("\u00e9t\u00e9");
        assertEquals(FrameType.TEXT, frame.type());
        assertTrue(frame.fin());
        assertEquals(5, frame.length());
        assertArrayEquals("\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8), bytes(frame.data()));
        assertEquals("\u00e9t\u00e9", frame.textData());
        assertFalse(Frame.text("part", false).fin());
    }

    @Test
    void textDataIsOnlyForTextFrames() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Frame.binary(new byte[] {65}, true).textData());
        assertTrue(refused.getMessage().contains("BINARY"), refused.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Frame.continuation(ByteBuffer.wrap(new byte[] {65}), true).textData());
    }

    @Test
    void textDataReplacesMalformedBytes() {
        Frame frame = new Frame(FrameType.TEXT, true, false, false, false, ByteBuffer.wrap(new byte[] {65, (byte) 0xC3}));
        assertEquals("A\ufffd", frame.textData());
    }

    @Test
    void dataIsAReadOnlyViewThatSharesTheBytes() {
        byte[] array = {1, 2, 3, 4, 5};
        ByteBuffer source = ByteBuffer.wrap(array);
        source.position(1).limit(4);
        Frame frame = Frame.binary(source, false);
        assertEquals(1, source.position(), "the source position is untouched");
        assertEquals(4, source.limit());
        assertEquals(3, frame.length());
        ByteBuffer view = frame.data();
        assertTrue(view.isReadOnly());
        assertEquals(0, view.position());
        assertEquals(3, view.limit());
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 9));
        view.get(); // reading one view does not move the next
        assertEquals(0, frame.data().position());
        array[2] = 42; // shared, not copied
        assertEquals(42, frame.data().get(1));
        Frame copy = frame.copy();
        array[2] = 43;
        assertEquals(42, copy.data().get(1));
        assertEquals(43, frame.data().get(1));
    }

    @Test
    void binaryArrayIsSharedWhole() {
        byte[] array = {1, 2};
        Frame frame = Frame.binary(array, true);
        array[0] = 7;
        assertArrayEquals(new byte[] {7, 2}, bytes(frame.data()));
    }

    @Test
    void controlFramesMustBeFinal() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new Frame(FrameType.PING, false, false, false, false, null));
        assertTrue(refused.getMessage().contains("fin=true"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Frame(FrameType.CLOSE, false, false, false, false, null));
        assertThrows(IllegalArgumentException.class, () -> new Frame(FrameType.PONG, false, false, false, false, null));
    }

    @Test
    void controlPayloadsAreAtMost125Bytes() {
        assertEquals(125, Frame.ping(ByteBuffer.allocate(125)).length());
        assertEquals(125, Frame.pong(ByteBuffer.allocate(125)).length());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Frame.ping(ByteBuffer.allocate(126)));
        assertTrue(refused.getMessage().contains("126") && refused.getMessage().contains("125"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Frame.pong(ByteBuffer.allocate(126)));
        assertThrows(IllegalArgumentException.class,
                () -> new Frame(FrameType.CLOSE, true, false, false, false, ByteBuffer.allocate(126)));
        assertEquals(0, Frame.ping(null).length());
    }

    @Test
    void dataFramesMayBeAnySize() {
        assertEquals(100_000, Frame.binary(new byte[100_000], false).length());
    }

    @Test
    void closeFrameCarriesCodeAndReason() {
        Frame close = Frame.close(new CloseReason(CloseReason.Codes.NORMAL, "bye"));
        assertArrayEquals(new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, bytes(close.data()));
        assertEquals(new CloseReason(1000, "bye"), close.closeReason());
        assertNull(Frame.close().closeReason());
        assertEquals(0, Frame.close().length());
        Frame longest = Frame.close(new CloseReason(4000, "a" + "\u00e9".repeat(100)));
        assertEquals(125, longest.length());
        assertEquals("a" + "\u00e9".repeat(61), longest.closeReason().message());
    }

    @Test
    void textAndCloseReasonsDecodeAsCharsetDecodeDoes() {
        java.util.Random random = new java.util.Random(6455);
        byte[][] samples = new byte[2_000][];
        samples[0] = new byte[0];
        samples[1] = "h\u00e9llo \ud83d\ude00".getBytes(StandardCharsets.UTF_8);
        samples[2] = new byte[] {(byte) 0xC3};                                    // cut inside a character
        samples[3] = new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80};          // a surrogate
        samples[4] = new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}; // beyond U+10FFFF
        samples[5] = new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80, 'x'};     // overlong
        for (int i = 6; i < samples.length; i++) {
            samples[i] = new byte[random.nextInt(40)];
            random.nextBytes(samples[i]);
        }
        for (byte[] sample : samples) {
            String expected = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(sample)).toString();
            Frame text = new Frame(FrameType.TEXT, true, false, false, false, ByteBuffer.wrap(sample));
            assertEquals(expected, text.textData());
            assertEquals(sample.length, text.data().remaining(), "decoding leaves the payload where it was");
            if (sample.length <= 123) {
                ByteBuffer payload = ByteBuffer.allocate(2 + sample.length).putShort((short) 4000).put(sample).flip();
                assertEquals(expected, new Frame(FrameType.CLOSE, true, false, false, false, payload).closeReason().message());
            }
        }
    }

    @Test
    void closeCodesThatAreNeverSentAreRefused() {
        for (CloseReason.Codes local : new CloseReason.Codes[] {
                CloseReason.Codes.NO_STATUS, CloseReason.Codes.CLOSED_ABNORMALLY, CloseReason.Codes.TLS_HANDSHAKE_FAILED}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> Frame.close(new CloseReason(local, "")));
            assertTrue(refused.getMessage().contains(String.valueOf(local.code())), refused.getMessage());
        }
    }

    @Test
    void closePayloadOfOneByteIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new Frame(FrameType.CLOSE, true, false, false, false, ByteBuffer.allocate(1)));
    }

    @Test
    void closeReasonIsOnlyForCloseFrames() {
        assertThrows(IllegalStateException.class, () -> Frame.text("x").closeReason());
        Frame odd = new Frame(FrameType.CLOSE, true, false, false, false, ByteBuffer.wrap(new byte[] {0, 1}));
        assertThrows(IllegalStateException.class, odd::closeReason);
    }

    @Test
    void generalConstructorKeepsReservedBits() {
        Frame frame = new Frame(FrameType.BINARY, false, true, true, false, ByteBuffer.wrap(new byte[] {1}));
        assertTrue(frame.rsv1());
        assertTrue(frame.rsv2());
        assertFalse(frame.rsv3());
        assertFalse(frame.fin());
        assertEquals(new Frame(FrameType.BINARY, false, true, true, false, ByteBuffer.wrap(new byte[] {1})), frame);
        assertNotEquals(new Frame(FrameType.BINARY, false, true, false, false, ByteBuffer.wrap(new byte[] {1})), frame);
        assertEquals(frame, frame.copy());
        assertEquals(frame.hashCode(), frame.copy().hashCode());
    }

    @Test
    void toStringIsShort() {
        assertEquals("Frame[TEXT fin len=5]", Frame.text("Hello").toString());
        assertEquals("Frame[BINARY !fin rsv1 rsv3 len=2]",
                new Frame(FrameType.BINARY, false, true, false, true, ByteBuffer.allocate(2)).toString());
        assertEquals("Frame[CLOSE fin len=5 1000 NORMAL \"bye\"]",
                Frame.close(new CloseReason(1000, "bye")).toString());
        assertEquals("Frame[CLOSE fin len=2 4000]", Frame.close(new CloseReason(4000, "")).toString());
        assertEquals("Frame[PING fin len=0]", Frame.ping(null).toString());
    }
}
