package io.upgradebridge.websocket;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8ValidatorTest {

    private static boolean valid(byte... bytes) {
        Utf8Validator v = new Utf8Validator();
        return v.accept(ByteBuffer.wrap(bytes)) && v.isComplete();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** The JDK's strict decoder as the reference. */
    private static boolean jdkValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void acceptsEveryScalarValueAtEveryLength() {
        for (int cp : new int[] {0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF}) {
            byte[] encoded = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            assertTrue(valid(encoded), "U+" + Integer.toHexString(cp));
        }
        assertTrue(valid("Grüße, κόσμε, 日本語, 🙂".getBytes(StandardCharsets.UTF_8)));
        assertTrue(valid());
    }

    @Test
    void rejectsOverlongForms() {
        assertFalse(valid(bytes(0xC0, 0xAF)), "overlong '/' in 2 bytes");
        assertFalse(valid(bytes(0xC1, 0xBF)));
        assertFalse(valid(bytes(0xE0, 0x80, 0xAF)), "overlong '/' in 3 bytes");
        assertFalse(valid(bytes(0xE0, 0x9F, 0xBF)), "overlong U+07FF in 3 bytes");
        assertFalse(valid(bytes(0xF0, 0x80, 0x80, 0xAF)), "overlong '/' in 4 bytes");
        assertFalse(valid(bytes(0xF0, 0x8F, 0xBF, 0xBF)), "overlong U+FFFF in 4 bytes");
        assertFalse(valid(bytes(0xF8, 0x88, 0x80, 0x80, 0x80)), "5-byte form");
    }

    @Test
    void rejectsSurrogates() {
        for (int cp = 0xD800; cp <= 0xDFFF; cp += 0x7F) {
            assertFalse(valid(bytes(0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F))), Integer.toHexString(cp));
        }
        assertFalse(valid(bytes(0xED, 0xA0, 0x80)), "U+D800");
        assertFalse(valid(bytes(0xED, 0xBF, 0xBF)), "U+DFFF");
        assertTrue(valid(bytes(0xED, 0x9F, 0xBF)), "U+D7FF is fine");
        assertFalse(valid(bytes(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)), "a CESU-8 surrogate pair");
    }

    @Test
    void rejectsCodePointsAboveTheUnicodeRange() {
        assertFalse(valid(bytes(0xF4, 0x90, 0x80, 0x80)), "U+110000");
        assertFalse(valid(bytes(0xF5, 0x80, 0x80, 0x80)));
        assertFalse(valid(bytes(0xFF)));
        assertFalse(valid(bytes(0xFE)));
        assertTrue(valid(bytes(0xF4, 0x8F, 0xBF, 0xBF)), "U+10FFFF is fine");
    }

    @Test
    void rejectsStrayAndMissingContinuationBytes() {
        assertFalse(valid(bytes(0x80)));
        assertFalse(valid(bytes(0x41, 0xBF)));
        assertFalse(valid(bytes(0xC3, 0x41)), "a lead byte followed by ASCII");
        assertFalse(valid(bytes(0xE2, 0x82, 0x41)));
        assertFalse(valid(bytes(0xF0, 0x9F, 0x98, 0x41)));
    }

    @Test
    void aTruncatedSequenceIsNotComplete() {
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.accept(ByteBuffer.wrap(bytes(0x41, 0xF0, 0x9F, 0x98))), "nothing invalid yet");
        assertFalse(v.isComplete(), "but the character is not finished");
        assertFalse(v.isRejected());
    }

    @Test
    void failsAtTheFirstInvalidByteAndStaysFailed() {
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.accept(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8))));
        assertFalse(v.accept(ByteBuffer.wrap(bytes(0xC0))), "rejected before the message ends");
        assertFalse(v.accept(ByteBuffer.wrap("fine".getBytes(StandardCharsets.UTF_8))), "stays rejected");
        v.reset();
        assertTrue(v.accept(ByteBuffer.wrap("fine".getBytes(StandardCharsets.UTF_8))) && v.isComplete());
    }

    @Test
    void aCharacterSplitAtEveryOffsetAcrossPiecesIsStillChecked() {
        byte[] text = "aé€🙂z".getBytes(StandardCharsets.UTF_8);
        for (int a = 0; a <= text.length; a++) {
            for (int b = a; b <= text.length; b++) {
                Utf8Validator v = new Utf8Validator();
                assertTrue(v.accept(ByteBuffer.wrap(text, 0, a)));
                assertTrue(v.accept(ByteBuffer.wrap(text, a, b - a)));
                assertTrue(v.accept(ByteBuffer.wrap(text, b, text.length - b)));
                assertTrue(v.isComplete(), "split at " + a + "," + b);
                Utf8Validator cut = new Utf8Validator();
                cut.accept(ByteBuffer.wrap(text, 0, a));
                boolean boundary = a == 0 || a == 1 || a == 3 || a == 6 || a == 10 || a == 11;
                assertEquals(boundary, cut.isComplete(), "complete after " + a + " bytes");
            }
        }
        byte[] bad = bytes(0x61, 0xF0, 0x9F, 0x41); // 4-byte lead, one continuation, then ASCII
        for (int a = 0; a <= bad.length; a++) {
            Utf8Validator v = new Utf8Validator();
            boolean first = v.accept(ByteBuffer.wrap(bad, 0, a));
            boolean second = v.accept(ByteBuffer.wrap(bad, a, bad.length - a));
            assertTrue(first == (a < 4), "the first piece is rejected only when it holds the bad byte, split " + a);
            assertFalse(second, "split " + a);
        }
    }

    @Test
    void respectsTheBufferPositionAndLimitWithoutMovingThem() {
        ByteBuffer buffer = ByteBuffer.wrap(bytes(0xFF, 0x41, 0x42, 0xFF));
        buffer.position(1).limit(3);
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.accept(buffer));
        assertEquals(1, buffer.position());
    }

    @Test
    void agreesWithTheJdkOnEveryTwoAndThreeByteSequenceAndOnRandomBytes() {
        for (int b1 = 0x80; b1 <= 0xFF; b1++) {
            for (int b2 = 0; b2 <= 0xFF; b2++) {
                byte[] two = bytes(b1, b2);
                assertEquals(jdkValid(two), valid(two), Integer.toHexString(b1) + " " + Integer.toHexString(b2));
                if (b1 >= 0xE0 && b1 <= 0xF4) {
                    byte[] three = bytes(b1, b2, 0x80);
                    assertEquals(jdkValid(three), valid(three), Integer.toHexString(b1) + " " + Integer.toHexString(b2) + " 80");
                    byte[] four = bytes(b1, b2, 0x80, 0x80);
                    assertEquals(jdkValid(four), valid(four), Integer.toHexString(b1) + " " + Integer.toHexString(b2) + " 80 80");
                }
            }
        }
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[1 + random.nextInt(8)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) (0x7F + random.nextInt(0x81));
            }
            assertEquals(jdkValid(b), valid(b), java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void longAsciiRunsAreCheckedEightAtATimeYetEveryBadByteIsFound() {
        byte[] ascii = ConformanceText.ascii(100);
        assertTrue(valid(ascii));
        for (int bad = 0; bad < ascii.length; bad++) {
            for (int offset : new int[] {0, 3}) {
                byte[] copy = new byte[offset + ascii.length];
                System.arraycopy(ascii, 0, copy, offset, ascii.length);
                copy[offset + bad] = (byte) 0xFF;
                Utf8Validator v = new Utf8Validator();
                assertFalse(v.accept(ByteBuffer.wrap(copy), offset, ascii.length), "0xFF at " + bad);
                byte[] accented = copy.clone();
                accented[offset + bad] = (byte) 0xC3; // a lead byte inside the run: the next ASCII byte is invalid
                boolean last = bad == ascii.length - 1;
                Utf8Validator w = new Utf8Validator();
                assertEquals(last, w.accept(ByteBuffer.wrap(accented), offset, ascii.length), "C3 at " + bad);
                assertFalse(w.isComplete());
            }
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(ascii, 0, 64).flip();
        assertTrue(new Utf8Validator().accept(direct));
        direct.put(40, (byte) 0x80);
        assertFalse(new Utf8Validator().accept(direct));
    }

    @Test
    void theRangeMustBeInsideTheBuffer() {
        ByteBuffer buffer = ByteBuffer.allocate(8).limit(4);
        Utf8Validator v = new Utf8Validator();
        assertThrows(IndexOutOfBoundsException.class, () -> v.accept(buffer, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> v.accept(buffer, -1, 1));
        assertTrue(v.accept(buffer, 4, 0));
    }

    @Test
    void checkFollowsTextMessagesAcrossFramesAndSkipsBinaryAndControlFrames() throws Exception {
        Utf8Validator v = new Utf8Validator();
        Frame start = new Frame(FrameType.TEXT, false, false, false, false, ByteBuffer.wrap(bytes('a', 0xE2, 0x82)));
        assertSame(start, v.check(start));
        assertEquals(0, start.data().position(), "the payload is read in place");
        v.check(Frame.ping(ByteBuffer.wrap(bytes(0xFF)))); // a control frame between fragments is not text
        v.check(Frame.continuation(ByteBuffer.wrap(bytes(0xAC, 'b')), true)); // the euro sign, split across frames
        v.check(Frame.binary(bytes(0xFF, 0xC0), true));
        v.check(new Frame(FrameType.BINARY, false, false, false, false, ByteBuffer.wrap(bytes(0xFF))));
        v.check(Frame.continuation(ByteBuffer.wrap(bytes(0xC0, 0x80)), true)); // a binary message's continuation
        WebSocketProtocolException bad = assertThrows(WebSocketProtocolException.class,
            () -> v.check(new Frame(FrameType.TEXT, false, false, false, false, ByteBuffer.wrap(bytes('o', 'k', 0xC0)))));
        assertEquals(1007, bad.closeReason().code());
        v.check(Frame.text("a new message starts afresh"));
        WebSocketProtocolException cut = assertThrows(WebSocketProtocolException.class,
            () -> v.check(new Frame(FrameType.TEXT, true, false, false, false, ByteBuffer.wrap(bytes('a', 0xF0, 0x9F)))));
        assertEquals(1007, cut.closeReason().code());
        assertTrue(cut.getMessage().contains("ends in the middle"), cut.getMessage());
        v.check(Frame.text("fine again"));
        assertThrows(IllegalArgumentException.class,
            () -> v.check(new Frame(FrameType.TEXT, true, true, false, false, ByteBuffer.wrap(bytes(0x4A, 0x04, 0)))));
    }

    /** Printable ASCII, for the runs above. */
    private static final class ConformanceText {
        static byte[] ascii(int size) {
            byte[] text = new byte[size];
            for (int i = 0; i < size; i++) {
                text[i] = (byte) ('a' + i % 26);
            }
            return text;
        }
    }
}
