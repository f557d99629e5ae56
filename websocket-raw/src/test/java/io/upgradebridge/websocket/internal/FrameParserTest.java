package io.upgradebridge.websocket.internal;

import static io.upgradebridge.websocket.internal.CodecTestSupport.bytes;
import static io.upgradebridge.websocket.internal.CodecTestSupport.concat;
import static io.upgradebridge.websocket.internal.CodecTestSupport.copies;
import static io.upgradebridge.websocket.internal.CodecTestSupport.fixedMaskKeys;
import static io.upgradebridge.websocket.internal.CodecTestSupport.hex;
import static io.upgradebridge.websocket.internal.CodecTestSupport.parseAll;
import static io.upgradebridge.websocket.internal.CodecTestSupport.parseByteByByte;
import static io.upgradebridge.websocket.internal.CodecTestSupport.parseInPieces;
import static io.upgradebridge.websocket.internal.CodecTestSupport.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameParserTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;
    private static final byte[] MASK = hex("37 fa 21 3d");

    private static FrameParser server() {
        return FrameParser.forServer(NO_LIMIT);
    }

    private static FrameParser client() {
        return FrameParser.forClient(NO_LIMIT);
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** The frames of {@code wire}: all at once, in two pieces at every cut, and byte by byte: all must agree. */
    private static List<Frame> parseEveryWay(boolean server, byte[] wire) throws WebSocketProtocolException {
        List<Frame> atOnce = copies(parseAll(server ? server() : client(), ByteBuffer.wrap(wire.clone())));
        for (int cut = 0; cut <= wire.length; cut++) {
            List<Frame> inTwo = parseInPieces(server ? server() : client(), wire.clone(), cut);
            assertEquals(atOnce, inTwo, "cut at " + cut);
        }
        assertEquals(atOnce, parseByteByByte(server ? server() : client(), wire.clone()), "byte by byte");
        return atOnce;
    }

    private static void assertOneFrame(Frame expected, List<Frame> frames) {
        assertEquals(List.of(expected), frames);
    }

    // ------------------------------------------------------------ RFC 6455 section 5.7

    @Test
    void rfcSingleFrameUnmaskedText() throws Exception {
        List<Frame> frames = parseEveryWay(false, hex("81 05 48 65 6c 6c 6f"));
        assertOneFrame(Frame.text("Hello"), frames);
        assertEquals("Hello", frames.get(0).textData());
    }

    @Test
    void rfcSingleFrameMaskedText() throws Exception {
        List<Frame> frames = parseEveryWay(true, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assertOneFrame(Frame.text("Hello"), frames);
    }

    @Test
    void rfcFragmentedUnmaskedText() throws Exception {
        List<Frame> frames = parseEveryWay(false, hex("01 03 48 65 6c 80 02 6c 6f"));
        assertEquals(List.of(Frame.text("Hel", false), Frame.continuation(ascii("lo"), true)), frames);
    }

    @Test
    void rfcUnmaskedPing() throws Exception {
        assertOneFrame(Frame.ping(ascii("Hello")), parseEveryWay(false, hex("89 05 48 65 6c 6c 6f")));
    }

    @Test
    void rfcMaskedPong() throws Exception {
        assertOneFrame(Frame.pong(ascii("Hello")), parseEveryWay(true, hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58")));
    }

    @Test
    void rfc256ByteUnmaskedBinary() throws Exception {
        byte[] payload = pattern(256);
        List<Frame> frames = parseEveryWay(false, concat(hex("82 7E 01 00"), payload));
        assertOneFrame(Frame.binary(payload, true), frames);
    }

    @Test
    void rfc64KiBUnmaskedBinary() throws Exception {
        byte[] payload = pattern(65536);
        byte[] wire = concat(hex("82 7F 00 00 00 00 00 01 00 00"), payload);
        Frame expected = Frame.binary(payload, true);
        assertOneFrame(expected, parseAll(client(), ByteBuffer.wrap(wire.clone())));
        assertOneFrame(expected, parseByteByByte(client(), wire));
        for (int cut : new int[] {0, 1, 2, 5, 9, 10, 11, 1000, 65545, wire.length}) {
            assertOneFrame(expected, parseInPieces(client(), wire, cut));
        }
    }

    // ------------------------------------------------------------ length boundaries

    private static byte[] maskedWire(String header, byte[] payload) {
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= MASK[i % 4];
        }
        return concat(hex(header), MASK, masked);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 127, 65535, 65536})
    void everyLengthBoundaryMasked(int length) throws Exception {
        byte[] payload = pattern(length);
        byte[] wire = maskedWire(FrameWriterTest.maskedHeader(length), payload);
        Frame expected = Frame.binary(payload, true);
        assertOneFrame(expected, parseAll(server(), ByteBuffer.wrap(wire.clone())));
        assertOneFrame(expected, parseByteByByte(server(), wire));
        int headerEnd = wire.length - length;
        for (int cut = 0; cut <= Math.min(wire.length, headerEnd + 9); cut++) {
            assertOneFrame(expected, parseInPieces(server(), wire, cut));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 127, 65535, 65536})
    void everyLengthBoundaryUnmasked(int length) throws Exception {
        byte[] payload = pattern(length);
        byte[] wire = concat(hex(FrameWriterTest.unmaskedHeader(length)), payload);
        Frame expected = Frame.binary(payload, true);
        assertOneFrame(expected, parseAll(client(), ByteBuffer.wrap(wire.clone())));
        assertOneFrame(expected, parseByteByByte(client(), wire));
    }

    @Test
    void emptyFrameCompletesWithoutFurtherInput() throws Exception {
        FrameParser parser = client();
        assertNull(parser.parse(ByteBuffer.wrap(hex("82"))));
        assertEquals(Frame.binary(new byte[0], true), parser.parse(ByteBuffer.wrap(hex("00"))));
        assertEquals(FrameParser.State.OPCODE, parser.state());
    }

    // ------------------------------------------------------------ every split point of a frame sequence

    private static List<Frame> clientConversation() {
        return List.of(
                Frame.text("Hel", false),
                Frame.ping(ascii("are you there?")),
                Frame.continuation(ascii("lo"), true),
                Frame.binary(pattern(200), false),
                Frame.pong(null),
                Frame.continuation(ByteBuffer.wrap(pattern(3)), false),
                Frame.continuation(ByteBuffer.allocate(0), true),
                Frame.text("\u00e9t\u00e9 \ud83d\ude00", true),
                Frame.close(new CloseReason(CloseReason.Codes.GOING_AWAY, "bye")));
    }

    private static byte[] encodeMasked(List<Frame> frames, long seed) {
        FrameWriter writer = new FrameWriter(new Random(seed));
        byte[] wire = new byte[0];
        for (Frame frame : frames) {
            wire = concat(wire, bytes(writer.encode(frame)));
        }
        return wire;
    }

    @Test
    void sequenceOfMaskedFramesSplitInTwoAtEveryPoint() throws Exception {
        List<Frame> expected = clientConversation();
        byte[] wire = encodeMasked(expected, 42);
        for (int cut = 0; cut <= wire.length; cut++) {
            assertEquals(expected, parseInPieces(server(), wire, cut), "cut at " + cut);
        }
    }

    @Test
    void sequenceOfMaskedFramesSplitInThreeAtManyPoints() throws Exception {
        List<Frame> expected = clientConversation();
        byte[] wire = encodeMasked(expected, 43);
        for (int cut1 = 0; cut1 <= wire.length; cut1 += 3) {
            for (int cut2 = cut1; cut2 <= wire.length; cut2 += 7) {
                assertEquals(expected, parseInPieces(server(), wire, cut1, cut2), "cuts at " + cut1 + ", " + cut2);
            }
        }
    }

    @Test
    void sequenceOfMaskedFramesByteByByteAndAllAtOnce() throws Exception {
        List<Frame> expected = clientConversation();
        byte[] wire = encodeMasked(expected, 44);
        assertEquals(expected, parseByteByByte(server(), wire));
        assertEquals(expected, parseAll(server(), ByteBuffer.wrap(wire.clone())));
    }

    @Test
    void sequenceInReadOnlyDirectAndLittleEndianBuffers() throws Exception {
        List<Frame> expected = clientConversation();
        byte[] wire = encodeMasked(expected, 45);
        ByteBuffer readOnly = ByteBuffer.wrap(wire.clone()).asReadOnlyBuffer();
        assertEquals(expected, parseAll(server(), readOnly));
        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
        assertEquals(expected, parseAll(server(), direct));
        ByteBuffer littleEndian = ByteBuffer.wrap(wire.clone()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected, parseAll(server(), littleEndian));
    }

    // ------------------------------------------------------------ buffer ownership

    @Test
    void wholeFrameInTheBufferIsAZeroCopyView() throws Exception {
        byte[] wire = hex("82 03 01 02 03 82 01 09");
        Frame frame = client().parse(ByteBuffer.wrap(wire));
        assertArrayEquals(new byte[] {1, 2, 3}, bytes(frame.data()));
        wire[3] = 42; // the frame shares the caller's bytes
        assertEquals(42, frame.data().get(1));
        assertTrue(frame.data().isReadOnly());
    }

    @Test
    void maskedPayloadIsUnmaskedInPlaceInTheCallersBuffer() throws Exception {
        byte[] wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        ByteBuffer in = ByteBuffer.wrap(wire);
        Frame frame = server().parse(in);
        assertEquals("Hello", frame.textData());
        assertEquals(wire.length, in.position());
        assertArrayEquals(hex("81 85 37 fa 21 3d 48 65 6c 6c 6f"), wire);
    }

    @Test
    void readOnlyInputIsNeverWritten() throws Exception {
        byte[] wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        Frame frame = server().parse(ByteBuffer.wrap(wire).asReadOnlyBuffer());
        assertEquals("Hello", frame.textData());
        assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), wire);
    }

    @Test
    void frameInPiecesDoesNotShareTheInputBuffers() throws Exception {
        byte[] first = hex("82 04 01 02");
        byte[] second = hex("03 04");
        FrameParser parser = client();
        assertNull(parser.parse(ByteBuffer.wrap(first)));
        Frame frame = parser.parse(ByteBuffer.wrap(second));
        first[2] = 99;
        second[0] = 99;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, bytes(frame.data()));
    }

    @Test
    void returnsOneFrameAtATimeAndConsumesExactlyIt() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(hex("81 02 68 69 89 00 82 01"));
        FrameParser parser = client();
        assertEquals(Frame.text("hi"), parser.parse(in));
        assertEquals(4, in.position());
        assertEquals(Frame.ping(null), parser.parse(in));
        assertEquals(6, in.position());
        assertNull(parser.parse(in));
        assertEquals(8, in.position());
        assertEquals(FrameParser.State.PAYLOAD, parser.state());
    }

    // ------------------------------------------------------------ protocol errors

    private static WebSocketProtocolException assertViolation(FrameParser parser, byte[] wire, int code) {
        WebSocketProtocolException violation = assertThrows(WebSocketProtocolException.class,
                () -> parseAll(parser, ByteBuffer.wrap(wire)));
        assertEquals(code, violation.closeReason().code(), violation.getMessage());
        assertEquals(FrameParser.State.FAILED, parser.state());
        return violation;
    }

    @Test
    void unmaskedClientFrameIs1002() {
        WebSocketProtocolException violation = assertViolation(server(), hex("81 05 48 65 6c 6c 6f"), 1002);
        assertTrue(violation.getMessage().contains("not masked"), violation.getMessage());
    }

    @Test
    void maskedServerFrameIs1002() {
        assertViolation(client(), hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), 1002);
    }

    @Test
    void reservedBitsWithoutExtensionAre1002() {
        assertViolation(client(), hex("C1 00"), 1002);
        assertViolation(client(), hex("A1 00"), 1002);
        assertViolation(client(), hex("91 00"), 1002);
        assertViolation(new FrameParser(NO_LIMIT, false, FrameParser.RSV1), hex("A1 00"), 1002);
    }

    @Test
    void reservedBitsAllowedByAnExtensionPass() throws Exception {
        FrameParser parser = new FrameParser(NO_LIMIT, false, FrameParser.RSV1 | FrameParser.RSV3);
        Frame frame = parser.parse(ByteBuffer.wrap(hex("D2 01 07")));
        assertEquals(new Frame(FrameType.BINARY, true, true, false, true, ByteBuffer.wrap(new byte[] {7})), frame);
        assertTrue(frame.rsv1());
        assertFalse(frame.rsv2());
        assertTrue(frame.rsv3());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void unknownOpcodeIs1002(int opcode) {
        WebSocketProtocolException violation = assertViolation(client(), new byte[] {(byte) (0x80 | opcode), 0}, 1002);
        assertTrue(violation.getMessage().contains("opcode"), violation.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void fragmentedControlFrameIs1002(int opcode) {
        assertViolation(client(), new byte[] {(byte) opcode, 0}, 1002);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void controlFrameOver125BytesIs1002BeforeItsPayload(int opcode) {
        assertViolation(client(), new byte[] {(byte) (0x80 | opcode), 126, 0, 126}, 1002);
    }

    @Test
    void controlFrameOf125BytesPasses() throws Exception {
        byte[] payload = pattern(125);
        assertOneFrame(Frame.ping(ByteBuffer.wrap(payload)), parseAll(client(), ByteBuffer.wrap(concat(hex("89 7D"), payload))));
    }

    @Test
    void continuationWithoutStartIs1002() {
        assertViolation(client(), hex("80 00"), 1002);
        assertViolation(client(), hex("00 00"), 1002);
        // a finished message does not leave a message to continue
        assertViolation(client(), hex("01 01 41 80 01 42 80 01 43"), 1002);
    }

    @Test
    void newStartInsideFragmentedMessageIs1002() {
        assertViolation(client(), hex("01 01 41 81 01 42"), 1002);
        assertViolation(client(), hex("02 01 41 82 01 42"), 1002);
        assertViolation(client(), hex("01 01 41 89 00 02 01 42"), 1002);
    }

    @Test
    void controlFramesMayInterleaveAFragmentedMessage() throws Exception {
        List<Frame> frames = parseAll(client(), ByteBuffer.wrap(hex("01 01 41 89 00 8A 00 00 01 42 88 00 80 01 43")));
        assertEquals(List.of(Frame.text("A", false), Frame.ping(null), Frame.pong(null),
                Frame.continuation(ascii("B"), false), Frame.close(), Frame.continuation(ascii("C"), true)), frames);
    }

    @Test
    void frameOverMaxFrameSizeIs1009FromTheHeaderAlone() throws Exception {
        FrameParser parser = FrameParser.forClient(100);
        assertOneFrame(Frame.binary(pattern(100), true), parseAll(parser, ByteBuffer.wrap(concat(hex("82 64"), pattern(100)))));
        WebSocketProtocolException violation = assertViolation(parser, hex("82 65"), 1009);
        assertTrue(violation.getMessage().contains("101"), violation.getMessage());
    }

    @Test
    void maxFrameSizeCanChangeBetweenFrames() throws Exception {
        FrameParser parser = FrameParser.forClient(10);
        parser.setMaxFrameSize(200);
        assertEquals(200, parser.maxFrameSize());
        assertEquals(1, parseAll(parser, ByteBuffer.wrap(concat(hex("82 7E 00 C8"), pattern(200)))).size());
        parser.setMaxFrameSize(199);
        assertViolation(parser, hex("82 7E 00 C8"), 1009);
        assertThrows(IllegalArgumentException.class, () -> parser.setMaxFrameSize(0));
    }

    @Test
    void sixtyFourBitLengthWithMostSignificantBitSetIs1002() {
        assertViolation(client(), hex("82 7F 80 00 00 00 00 00 00 00"), 1002);
        assertViolation(FrameParser.forClient(10), hex("82 7F FF FF FF FF FF FF FF FF"), 1002);
    }

    @Test
    void closePayloadIsChecked() throws Exception {
        assertViolation(client(), hex("88 01 03"), 1002);
        assertViolation(client(), hex("88 02 03 ED"), 1002); // 1005 may not be sent
        assertViolation(client(), hex("88 02 03 EE"), 1002); // 1006
        assertViolation(client(), hex("88 02 03 E7"), 1002); // 999
        assertViolation(client(), hex("88 02 13 88"), 1002); // 5000
        assertViolation(client(), hex("88 04 03 E8 C3 28"), 1007); // invalid UTF-8 reason
        Frame close = parseAll(client(), ByteBuffer.wrap(hex("88 04 0F A0 C3 A9"))).get(0);
        assertEquals(new CloseReason(4000, "\u00e9"), close.closeReason());
    }

    @Test
    void failedParserStaysFailed() {
        FrameParser parser = server();
        WebSocketProtocolException first = assertViolation(parser, hex("81 05"), 1002);
        WebSocketProtocolException again = assertThrows(WebSocketProtocolException.class,
                () -> parser.parse(ByteBuffer.wrap(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))));
        assertSame(first, again);
        assertSame(first, assertThrows(WebSocketProtocolException.class, () -> parser.parse(ByteBuffer.allocate(0))));
        assertTrue(parser.toString().startsWith("FrameParser[FAILED 1002 PROTOCOL_ERROR"), parser.toString());
    }

    @Test
    void violationsAreFoundBeforeAnyPayloadArrives() {
        // each wire holds only a header; the violation needs no payload byte
        for (String header : new String[] {"83 80", "C2 85", "02 05", "09 80", "89 FE 00 7E", "80 85", "82 FF 80 00 00 00 00 00 00 00"}) {
            FrameParser parser = server();
            assertThrows(WebSocketProtocolException.class, () -> parseAll(parser, ByteBuffer.wrap(hex(header))), header);
        }
    }

    // ------------------------------------------------------------ memory grows only as bytes arrive

    @Test
    void hugeLengthsAllocateNothingUpFront() throws Exception {
        // 2^62 bytes with no limit: more than any Java buffer holds, so 1009 at once, nothing allocated
        FrameParser unlimited = client();
        assertViolation(unlimited, hex("82 7F 40 00 00 00 00 00 00 00"), 1009);
        assertEquals(0, unlimited.partialPayloadCapacity());
        // 2^63-1 bytes with a limit: 1009 from the header alone
        FrameParser limited = FrameParser.forServer(1 << 20);
        assertViolation(limited, hex("82 FF 7F FF FF FF FF FF FF FF"), 1009);
        assertEquals(0, limited.partialPayloadCapacity());
    }

    @Test
    void largestAcceptedFrameGrowsItsBufferOnlyAsBytesArrive() throws Exception {
        FrameParser parser = client();
        long length = FrameParser.MAX_PAYLOAD;
        byte[] header = hex("82 7F 00 00 00 00 7F FF FF F7");
        assertEquals(length, ByteBuffer.wrap(header, 2, 8).getLong());
        assertNull(parser.parse(ByteBuffer.wrap(header)));
        assertEquals(FrameParser.State.PAYLOAD, parser.state());
        assertEquals(0, parser.partialPayloadCapacity());
        assertTrue(parser.toString().contains("length=" + length + " received=0 buffered=0"), parser.toString());

        assertNull(parser.parse(ByteBuffer.wrap(pattern(10))));
        assertEquals(FrameParser.MIN_PARTIAL_CAPACITY, parser.partialPayloadCapacity());

        int received = 10;
        Random random = new Random(7);
        while (received < 300_000) {
            int piece = 1 + random.nextInt(9000);
            assertNull(parser.parse(ByteBuffer.wrap(new byte[piece])));
            received += piece;
            assertTrue(parser.partialPayloadCapacity() <= Math.max((long) FrameParser.GROWTH * received, FrameParser.MIN_PARTIAL_CAPACITY),
                    "capacity " + parser.partialPayloadCapacity() + " for " + received + " bytes received");
            assertTrue(parser.partialPayloadCapacity() >= received);
        }
        assertTrue(parser.toString().contains("received=" + received), parser.toString());
    }

    @Test
    void pieceBufferNeverExceedsTheAnnouncedLength() throws Exception {
        FrameParser parser = client();
        assertNull(parser.parse(ByteBuffer.wrap(hex("82 7E 01 00 01"))));
        assertEquals(256, parser.partialPayloadCapacity());
        Frame frame = parser.parse(ByteBuffer.wrap(new byte[255]));
        assertEquals(256, frame.length());
        assertEquals(0, parser.partialPayloadCapacity());
    }

    // ------------------------------------------------------------ toString and construction

    @Test
    void toStringShowsTheState() throws Exception {
        FrameParser parser = server();
        assertEquals("FrameParser[OPCODE, message=NONE, maxFrameSize=" + NO_LIMIT
                + ", expectMasked=true, allowedRsv=0x0]", parser.toString());
        parser.parse(ByteBuffer.wrap(hex("01")));
        assertTrue(parser.toString().startsWith("FrameParser[LENGTH_7 frame=TEXT !fin,"), parser.toString());
        parser.parse(ByteBuffer.wrap(hex("FE 01")));
        assertTrue(parser.toString().startsWith("FrameParser[LENGTH_16 frame=TEXT !fin masked,"), parser.toString());
        parser.parse(ByteBuffer.wrap(hex("00 37")));
        assertTrue(parser.toString().startsWith("FrameParser[MASK frame=TEXT !fin masked length=256,"), parser.toString());
        parser.parse(ByteBuffer.wrap(hex("fa 21 3d 00 00 00")));
        assertTrue(parser.toString().startsWith("FrameParser[PAYLOAD frame=TEXT !fin masked length=256 received=3 buffered=256,"
                + " message=TEXT"), parser.toString());
    }

    @Test
    void constructorRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new FrameParser(0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new FrameParser(10, true, 0x80));
        assertThrows(IllegalArgumentException.class, () -> new FrameParser(10, true, 0x01));
    }

    @Test
    void parsingWithFixedMaskMatchesTheWriter() throws Exception {
        FrameWriter writer = new FrameWriter(fixedMaskKeys(0x37FA213D));
        byte[] wire = bytes(writer.encode(Frame.text("Hello")));
        assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), wire);
        assertOneFrame(Frame.text("Hello"), parseEveryWay(true, wire));
    }

    @Test
    void aWholeFrameIsAViewOfTheInputAndAFrameInPiecesIsTheParsersOwnCopy() throws Exception {
        byte[] wire = bytes(FrameWriter.forClient().encode(Frame.binary(new byte[300], true)));
        FrameParser parser = server();
        ByteBuffer whole = ByteBuffer.wrap(wire.clone());
        Frame atOnce = parser.parse(whole);
        assertEquals(300, atOnce.length());
        assertTrue(parser.lastFrameSharesInput(), "a frame whole in the buffer is a view: the caller must copy it");
        ByteBuffer first = ByteBuffer.wrap(Arrays.copyOfRange(wire, 0, 100));
        assertEquals(null, parser.parse(first));
        ByteBuffer rest = ByteBuffer.wrap(Arrays.copyOfRange(wire, 100, wire.length));
        Frame inPieces = parser.parse(rest);
        assertEquals(300, inPieces.length());
        assertFalse(parser.lastFrameSharesInput(), "a frame that came in pieces is already the parser's own copy");
        Arrays.fill(rest.array(), (byte) 7); // the caller reuses its buffer: the frame does not change
        assertEquals(0, inPieces.data().get(299));
    }

    // ------------------------------------------------------------ UTF-8 as it arrives, compressed frame limit

    private static byte[] clientFrame(FrameType type, boolean fin, boolean rsv1, byte[] payload) {
        ByteBuffer wire = FrameWriter.forClient().encode(new Frame(type, fin, rsv1, false, false, ByteBuffer.wrap(payload)));
        byte[] bytes = new byte[wire.remaining()];
        wire.get(bytes);
        return bytes;
    }

    private static FrameParser checking(long maxFrameSize, int allowedRsv) {
        return new FrameParser(maxFrameSize, true, allowedRsv, true);
    }

    @Test
    void anInvalidByteFailsWith1007AsSoonAsItArrivesBeforeItsFrameIsWhole() throws Exception {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 'a');
        payload[10] = (byte) 0xFF;
        byte[] wire = clientFrame(FrameType.TEXT, true, false, payload);
        FrameParser parser = checking(NO_LIMIT, 0);
        assertTrue(parser.checksText());
        int headerAndEleven = 2 + 2 + 4 + 11; // 16-bit length, mask, then the first 11 payload bytes
        assertNull(parser.parse(ByteBuffer.wrap(wire, 0, headerAndEleven - 1)), "valid so far");
        WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
            () -> parser.parse(ByteBuffer.wrap(wire, headerAndEleven - 1, 1)));
        assertEquals(1007, e.closeReason().code());
        assertEquals(FrameParser.State.FAILED, parser.state());
        // the same when the whole frame is there at once (no copy: checked in the caller's buffer)
        WebSocketProtocolException whole = assertThrows(WebSocketProtocolException.class,
            () -> checking(NO_LIMIT, 0).parse(ByteBuffer.wrap(wire.clone())));
        assertEquals(1007, whole.closeReason().code());
        // and not at all without the check
        assertEquals(1, parseAll(server(), ByteBuffer.wrap(wire.clone())).size());
    }

    @Test
    void textIsCheckedAcrossFragmentsAndControlFramesAndEndsOnACharacterBoundary() throws Exception {
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        byte[] wire = concat(
            clientFrame(FrameType.TEXT, false, false, new byte[] {'a', euro[0]}),
            clientFrame(FrameType.PING, true, false, new byte[] {(byte) 0xFF}), // not text
            clientFrame(FrameType.CONTINUATION, false, false, new byte[] {euro[1]}),
            clientFrame(FrameType.CONTINUATION, true, false, new byte[] {euro[2], 'b'}),
            clientFrame(FrameType.BINARY, true, false, new byte[] {(byte) 0xC0, (byte) 0xAF}), // binary: not checked
            clientFrame(FrameType.BINARY, false, false, new byte[] {(byte) 0xFF}),
            clientFrame(FrameType.CONTINUATION, true, false, new byte[] {(byte) 0xFE}));
        for (int cut = 0; cut <= wire.length; cut++) {
            assertEquals(7, parseInPieces(checking(NO_LIMIT, 0), wire.clone(), cut).size(), "cut at " + cut);
        }
        assertEquals(7, parseByteByByte(checking(NO_LIMIT, 0), wire.clone()).size());
        byte[] cutShort = concat(clientFrame(FrameType.TEXT, false, false, new byte[] {'a'}),
            clientFrame(FrameType.CONTINUATION, true, false, new byte[] {(byte) 0xF0, (byte) 0x9F}));
        WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
            () -> parseAll(checking(NO_LIMIT, 0), ByteBuffer.wrap(cutShort)));
        assertEquals(1007, e.closeReason().code());
        assertTrue(e.getMessage().contains("middle of a UTF-8 character"), e.getMessage());
        byte[] badReason = clientFrame(FrameType.CLOSE, true, false, new byte[] {0x03, (byte) 0xE8, (byte) 0xC0, (byte) 0xAF});
        assertEquals(1007, assertThrows(WebSocketProtocolException.class,
            () -> parseAll(server(), ByteBuffer.wrap(badReason))).closeReason().code());
    }

    @Test
    void aCompressedMessageIsNotCheckedAsText() throws Exception {
        byte[] wire = concat(clientFrame(FrameType.TEXT, false, true, new byte[] {(byte) 0xF2, 0x48}),
            clientFrame(FrameType.CONTINUATION, true, false, new byte[] {(byte) 0xFF, 0x00}),
            clientFrame(FrameType.TEXT, true, false, "plain".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, parseAll(checking(NO_LIMIT, FrameParser.RSV1), ByteBuffer.wrap(wire)).size());
    }

    @Test
    void aCompressedFrameMayExceedTheFrameLimitByDeflatesGrowthOnly() throws Exception {
        long limit = FrameParser.compressedFrameLimit(1000);
        assertEquals(1000 + 125 + 15 + 64, limit);
        assertEquals(Long.MAX_VALUE, FrameParser.compressedFrameLimit(Long.MAX_VALUE));
        assertEquals(16 * 1024 * 1024 + 2 * 1024 * 1024 + 256 * 1024 + 64, FrameParser.compressedFrameLimit(16 << 20),
            "16 MiB random bytes deflate to 16782342 bytes with zlib's defaults: well inside");
        byte[] compressed = pattern((int) limit);
        // a compressed frame (RSV1) and a continuation of its message: up to the grown limit
        List<Frame> frames = parseAll(checking(1000, FrameParser.RSV1), ByteBuffer.wrap(concat(
            clientFrame(FrameType.BINARY, false, true, compressed), clientFrame(FrameType.CONTINUATION, true, false, compressed))));
        assertEquals(2, frames.size());
        WebSocketProtocolException over = assertThrows(WebSocketProtocolException.class, () -> parseAll(checking(1000, FrameParser.RSV1),
            ByteBuffer.wrap(clientFrame(FrameType.TEXT, true, true, pattern((int) limit + 1)))));
        assertEquals(1009, over.closeReason().code());
        assertTrue(over.getMessage().contains("compressed frame of " + (limit + 1) + " bytes, over the limit of " + limit), over.getMessage());
        // an uncompressed frame, or the continuation of an uncompressed message, keeps the limit itself
        assertEquals(1009, assertThrows(WebSocketProtocolException.class, () -> parseAll(checking(1000, FrameParser.RSV1),
            ByteBuffer.wrap(clientFrame(FrameType.BINARY, true, false, pattern(1001))))).closeReason().code());
        assertEquals(1009, assertThrows(WebSocketProtocolException.class, () -> parseAll(checking(1000, FrameParser.RSV1),
            ByteBuffer.wrap(concat(clientFrame(FrameType.BINARY, false, false, pattern(10)),
                clientFrame(FrameType.CONTINUATION, true, false, pattern(1001)))))).closeReason().code());
        assertEquals(1, parseAll(checking(1000, FrameParser.RSV1),
            ByteBuffer.wrap(clientFrame(FrameType.BINARY, true, false, pattern(1000)))).size());
    }
}
