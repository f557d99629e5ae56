package io.upgradebridge.websocket.internal;

import static io.upgradebridge.websocket.internal.CodecTestSupport.bytes;
import static io.upgradebridge.websocket.internal.CodecTestSupport.concat;
import static io.upgradebridge.websocket.internal.CodecTestSupport.fixedMaskKeys;
import static io.upgradebridge.websocket.internal.CodecTestSupport.hex;
import static io.upgradebridge.websocket.internal.CodecTestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

    private static final int RFC_MASK = 0x37FA213D;

    private final FrameWriter server = new FrameWriter();

    private static ByteBuffer hello() {
        return ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII));
    }

    // ------------------------------------------------------------ RFC 6455 section 5.7, byte for byte

    @Test
    void rfcSingleFrameUnmaskedText() {
        assertArrayEquals(hex("81 05 48 65 6c 6c 6f"), bytes(server.encode(Frame.text("Hello"))));
    }

    @Test
    void rfcSingleFrameMaskedText() {
        FrameWriter client = new FrameWriter(fixedMaskKeys(RFC_MASK));
        assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), bytes(client.encode(Frame.text("Hello"))));
    }

    @Test
    void rfcFragmentedUnmaskedText() {
        assertArrayEquals(hex("01 03 48 65 6c"), bytes(server.encode(Frame.text("Hel", false))));
        assertArrayEquals(hex("80 02 6c 6f"), bytes(server.encode(
                Frame.continuation(ByteBuffer.wrap("lo".getBytes(StandardCharsets.US_ASCII)), true))));
    }

    @Test
    void rfcUnmaskedPingAndMaskedPong() {
        assertArrayEquals(hex("89 05 48 65 6c 6c 6f"), bytes(server.encode(Frame.ping(hello()))));
        FrameWriter client = new FrameWriter(fixedMaskKeys(RFC_MASK));
        assertArrayEquals(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), bytes(client.encode(Frame.pong(hello()))));
    }

    @Test
    void rfc256ByteBinaryHeader() {
        byte[] payload = pattern(256);
        byte[] encoded = bytes(server.encode(Frame.binary(payload, true)));
        assertArrayEquals(concat(hex("82 7E 01 00"), payload), encoded);
    }

    @Test
    void rfc64KiBBinaryHeader() {
        byte[] payload = pattern(65536);
        byte[] encoded = bytes(server.encode(Frame.binary(payload, true)));
        assertArrayEquals(concat(hex("82 7F 00 00 00 00 00 01 00 00"), payload), encoded);
    }

    // ------------------------------------------------------------ length boundaries

    static String unmaskedHeader(int length) {
        switch (length) {
            case 0: return "82 00";
            case 125: return "82 7D";
            case 126: return "82 7E 00 7E";
            case 127: return "82 7E 00 7F";
            case 65535: return "82 7E FF FF";
            case 65536: return "82 7F 00 00 00 00 00 01 00 00";
            default: throw new IllegalArgumentException();
        }
    }

    static String maskedHeader(int length) {
        switch (length) {
            case 0: return "82 80";
            case 125: return "82 FD";
            case 126: return "82 FE 00 7E";
            case 127: return "82 FE 00 7F";
            case 65535: return "82 FE FF FF";
            case 65536: return "82 FF 00 00 00 00 00 01 00 00";
            default: throw new IllegalArgumentException();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 127, 65535, 65536})
    void unmaskedLengthBoundaries(int length) {
        byte[] payload = pattern(length);
        Frame frame = Frame.binary(payload, true);
        byte[] header = hex(unmaskedHeader(length));
        assertEquals(header.length, server.headerSize(frame));
        assertEquals(header.length + length, server.encodedSize(frame));
        assertArrayEquals(concat(header, payload), bytes(server.encode(frame)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 127, 65535, 65536})
    void maskedLengthBoundaries(int length) {
        byte[] payload = pattern(length);
        FrameWriter client = new FrameWriter(fixedMaskKeys(0x01020304));
        Frame frame = Frame.binary(payload, true);
        byte[] header = concat(hex(maskedHeader(length)), hex("01 02 03 04"));
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= (byte) (i % 4 + 1);
        }
        assertEquals(header.length, client.headerSize(frame));
        assertArrayEquals(concat(header, masked), bytes(client.encode(frame)));
    }

    @Test
    void headerSizeForEveryLengthClass() {
        assertEquals(2, FrameWriter.headerSize(0, false));
        assertEquals(2, FrameWriter.headerSize(125, false));
        assertEquals(4, FrameWriter.headerSize(126, false));
        assertEquals(4, FrameWriter.headerSize(65535, false));
        assertEquals(10, FrameWriter.headerSize(65536, false));
        assertEquals(10, FrameWriter.headerSize(Long.MAX_VALUE, false));
        assertEquals(6, FrameWriter.headerSize(0, true));
        assertEquals(8, FrameWriter.headerSize(126, true));
        assertEquals(14, FrameWriter.headerSize(65536, true));
        assertThrows(IllegalArgumentException.class, () -> FrameWriter.headerSize(-1, false));
    }

    // ------------------------------------------------------------ header bits

    @Test
    void firstByteCarriesFinRsvAndOpcode() {
        Frame frame = new Frame(FrameType.BINARY, false, true, false, true, null);
        assertArrayEquals(hex("52 00"), bytes(server.encode(frame)));
        Frame all = new Frame(FrameType.CONTINUATION, true, true, true, true, null);
        assertArrayEquals(hex("F0 00"), bytes(server.encode(all)));
        assertArrayEquals(hex("88 00"), bytes(server.encode(Frame.close())));
        assertArrayEquals(hex("88 05 03 E8 62 79 65"), bytes(server.encode(
                Frame.close(new CloseReason(CloseReason.Codes.NORMAL, "bye")))));
    }

    // ------------------------------------------------------------ batching

    @Test
    void writesSeveralFramesIntoOneBuffer() {
        Frame[] frames = {Frame.text("Hello"), Frame.ping(null), Frame.binary(pattern(300), true), Frame.close()};
        int total = 0;
        for (Frame frame : frames) {
            total += server.encodedSize(frame);
        }
        ByteBuffer batch = ByteBuffer.allocate(total);
        byte[] expected = new byte[0];
        for (Frame frame : frames) {
            server.write(frame, batch);
            expected = concat(expected, bytes(server.encode(frame)));
        }
        assertFalse(batch.hasRemaining());
        assertArrayEquals(expected, batch.array());
    }

    @Test
    void frameThatDoesNotFitWritesNothing() {
        ByteBuffer small = ByteBuffer.allocate(6);
        small.put((byte) 0x55);
        assertThrows(BufferOverflowException.class, () -> server.write(Frame.text("Hello"), small));
        assertEquals(1, small.position());
        ByteBuffer tiny = ByteBuffer.allocate(1);
        assertThrows(BufferOverflowException.class, () -> server.writeHeader(Frame.text("Hello"), tiny));
        assertEquals(0, tiny.position());
    }

    @Test
    void destinationByteOrderAndKindDoNotMatter() {
        byte[] payload = pattern(70);
        byte[] expected = bytes(new FrameWriter(fixedMaskKeys(RFC_MASK)).encode(Frame.binary(payload, true)));
        for (ByteBuffer destination : new ByteBuffer[] {
                ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN),
                ByteBuffer.allocateDirect(100),
                ByteBuffer.allocateDirect(100).order(ByteOrder.LITTLE_ENDIAN)}) {
            new FrameWriter(fixedMaskKeys(RFC_MASK)).write(Frame.binary(payload, true), destination);
            destination.flip();
            assertArrayEquals(expected, bytes(destination), destination.toString());
        }
    }

    // ------------------------------------------------------------ masking leaves the frame alone

    @Test
    void maskingDoesNotChangeTheFrame() {
        byte[] payload = pattern(40);
        Frame frame = Frame.binary(payload, true);
        FrameWriter client = new FrameWriter(fixedMaskKeys(0xDEADBEEF));
        client.encode(frame);
        client.encodeForGatheringWrite(frame);
        assertArrayEquals(pattern(40), payload);
        assertArrayEquals(pattern(40), bytes(frame.data()));
    }

    @Test
    void eachFrameGetsTheNextMaskKey() {
        FrameWriter client = new FrameWriter(fixedMaskKeys(0x11111111, 0x22222222));
        assertArrayEquals(hex("82 81 11 11 11 11 11"), bytes(client.encode(Frame.binary(new byte[1], true))));
        assertArrayEquals(hex("82 81 22 22 22 22 22"), bytes(client.encode(Frame.binary(new byte[1], true))));
    }

    // ------------------------------------------------------------ gathering writes

    @Test
    void gatheringWriteDoesNotCopyAnUnmaskedPayload() {
        byte[] payload = pattern(70000);
        Frame frame = Frame.binary(payload, true);
        ByteBuffer[] buffers = server.encodeForGatheringWrite(frame);
        assertEquals(2, buffers.length);
        assertArrayEquals(hex("82 7F 00 00 00 00 00 01 11 70"), bytes(buffers[0]));
        assertTrue(buffers[1].isReadOnly());
        assertEquals(70000, buffers[1].remaining());
        payload[12345] = 99; // the frame shares the array, so the gathered payload shows the change
        assertEquals(99, buffers[1].get(12345));
        assertArrayEquals(bytes(server.encode(frame)), concat(bytes(buffers[0]), bytes(buffers[1])));
    }

    @Test
    void headerOnlyForAnUnmaskedFrame() {
        Frame frame = Frame.binary(pattern(200), true);
        ByteBuffer header = ByteBuffer.allocate(FrameWriter.MAX_HEADER_SIZE);
        server.writeHeader(frame, header);
        header.flip();
        assertArrayEquals(hex("82 7E 00 C8"), bytes(header));
    }

    @Test
    void gatheringWriteMasksACopyWhenMasking() {
        FrameWriter client = new FrameWriter(fixedMaskKeys(RFC_MASK));
        ByteBuffer[] buffers = client.encodeForGatheringWrite(Frame.text("Hello"));
        assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), concat(bytes(buffers[0]), bytes(buffers[1])));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> client.writeHeader(Frame.text("Hello"), ByteBuffer.allocate(20)));
        assertTrue(refused.getMessage().contains("encodeForGatheringWrite"), refused.getMessage());
    }

    @Test
    void writerKnowsWhetherItMasks() {
        assertFalse(server.masking());
        assertTrue(FrameWriter.forClient().masking());
        assertEquals("FrameWriter[unmasked]", server.toString());
        assertEquals("FrameWriter[masking]", FrameWriter.forClient().toString());
    }
}
