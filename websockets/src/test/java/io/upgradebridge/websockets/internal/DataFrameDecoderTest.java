package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketProtocolException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder without permessage-deflate: message order, reserved bits, size limit, UTF-8. */
class DataFrameDecoderTest {

    private final DataFrameDecoder decoder = new DataFrameDecoder(10, null);

    private static Frame frame(FrameType type, boolean fin, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new Frame(type, fin, false, false, false, ByteBuffer.wrap(b));
    }

    private int codeOf(Frame frame) {
        return assertThrows(WebSocketProtocolException.class, () -> decoder.decode(frame)).closeReason().code();
    }

    @Test
    void passesAWholeMessageThroughUnchanged() throws Exception {
        Frame text = Frame.text("héllo");
        assertSame(text, decoder.decode(text), "nothing to change: no copy");
        assertFalse(decoder.inMessage());
    }

    @Test
    void aContinuationWithoutAMessageIs1002() {
        assertEquals(1002, codeOf(Frame.continuation(ByteBuffer.allocate(1), true)));
    }

    @Test
    void aNewMessageWhileOneIsOpenIs1002() throws Exception {
        decoder.decode(Frame.text("a", false));
        assertTrue(decoder.inMessage());
        assertEquals(1002, codeOf(Frame.binary(new byte[1], true)));
    }

    @Test
    void reservedBitsAre1002() {
        assertEquals(1002, codeOf(new Frame(FrameType.TEXT, true, false, true, false, null)), "RSV2");
        assertEquals(1002, codeOf(new Frame(FrameType.BINARY, true, false, false, true, null)), "RSV3");
        assertEquals(1002, codeOf(new Frame(FrameType.TEXT, true, true, false, false, null)), "RSV1 without permessage-deflate");
    }

    @Test
    void rsv1OnAContinuationIs1002() throws Exception {
        decoder.decode(Frame.text("a", false));
        assertEquals(1002, codeOf(new Frame(FrameType.CONTINUATION, true, true, false, false, null)));
    }

    @Test
    void theSizeIsCountedOverAllFragments() throws Exception {
        decoder.decode(Frame.binary(new byte[6], false));
        decoder.decode(Frame.continuation(ByteBuffer.allocate(4), false));
        assertEquals(1009, codeOf(Frame.continuation(ByteBuffer.allocate(1), true)));
        assertEquals(1009, new DataFrameDecoderTest().codeOf(Frame.binary(new byte[11], true)));
    }

    @Test
    void exactlyTheLimitIsFine() throws Exception {
        decoder.decode(Frame.binary(new byte[6], false));
        decoder.decode(Frame.continuation(ByteBuffer.allocate(4), true));
        decoder.decode(Frame.binary(new byte[10], true));
    }

    @Test
    void invalidUtf8FailsAtTheFrameHoldingItEvenMidMessage() throws Exception {
        decoder.decode(frame(FrameType.TEXT, false, 'a'));
        assertEquals(1007, codeOf(frame(FrameType.CONTINUATION, false, 0xC0, 0x80)));
    }

    @Test
    void aCharacterSplitBetweenFramesIsFineAndATruncatedOneAtTheEndIs1007() throws Exception {
        decoder.decode(frame(FrameType.TEXT, false, 0xE2));
        decoder.decode(frame(FrameType.CONTINUATION, false, 0x82));
        decoder.decode(frame(FrameType.CONTINUATION, true, 0xAC));
        assertFalse(decoder.inMessage());
        assertEquals(1007, codeOf(frame(FrameType.TEXT, true, 'a', 0xE2, 0x82)));
    }

    @Test
    void binaryIsNotCheckedAsUtf8() throws Exception {
        decoder.decode(frame(FrameType.BINARY, true, 0xC0, 0xFF));
    }

    @Test
    void eachTextMessageIsCheckedFromItsStart() throws Exception {
        decoder.decode(frame(FrameType.BINARY, false, 0xE2));
        decoder.decode(frame(FrameType.CONTINUATION, true, 0xFF));
        decoder.decode(Frame.text("ok"));
        assertEquals("ok", StandardCharsets.UTF_8.decode(decoder.decode(Frame.text("ok")).data()).toString());
    }

    @Test
    void controlFramesAreNotItsBusiness() {
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(Frame.ping(null)));
    }
}
