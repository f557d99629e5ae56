package io.upgradebridge.websocket.internal;

import static io.upgradebridge.websocket.internal.CodecTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Random (seeded) frame sequences written by {@link FrameWriter} and read back by {@link FrameParser}. */
class FrameRoundTripTest {

    private static final int ALL_RSV = FrameParser.RSV1 | FrameParser.RSV2 | FrameParser.RSV3;
    private static final int[] INTERESTING_LENGTHS = {0, 1, 3, 4, 5, 7, 8, 9, 125, 126, 127, 128, 65535, 65536, 65537};

    /** A valid sequence: data frames form messages, control frames come anywhere. */
    private static List<Frame> randomFrames(Random random, int count) {
        List<Frame> frames = new ArrayList<>();
        boolean messageOpen = false;
        for (int i = 0; i < count; i++) {
            boolean rsv1 = random.nextInt(8) == 0;
            boolean rsv2 = random.nextInt(8) == 0;
            boolean rsv3 = random.nextInt(8) == 0;
            if (random.nextInt(4) == 0) {
                FrameType control = new FrameType[] {FrameType.PING, FrameType.PONG, FrameType.CLOSE}[random.nextInt(3)];
                if (control == FrameType.CLOSE) {
                    String reason = "r".repeat(random.nextInt(124));
                    frames.add(random.nextBoolean() ? Frame.close() : Frame.close(new CloseReason(1000 + random.nextInt(4), reason)));
                } else {
                    frames.add(new Frame(control, true, rsv1, rsv2, rsv3, ByteBuffer.wrap(randomBytes(random, random.nextInt(126)))));
                }
                continue;
            }
            FrameType type = messageOpen ? FrameType.CONTINUATION : random.nextBoolean() ? FrameType.TEXT : FrameType.BINARY;
            boolean fin = random.nextInt(3) == 0;
            int length = random.nextInt(5) == 0
                    ? INTERESTING_LENGTHS[random.nextInt(INTERESTING_LENGTHS.length)]
                    : random.nextInt(300);
            frames.add(new Frame(type, fin, rsv1, rsv2, rsv3, ByteBuffer.wrap(randomBytes(random, length))));
            messageOpen = !fin;
        }
        return frames;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Feeds {@code wire} in random pieces, each in a fresh buffer of a random kind. */
    private static List<Frame> parseInRandomPieces(FrameParser parser, byte[] wire, Random random) throws Exception {
        List<Frame> frames = new ArrayList<>();
        int from = 0;
        while (from < wire.length) {
            int size = Math.min(wire.length - from, random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(20000));
            ByteBuffer piece = random.nextBoolean() ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
            piece.put(wire, from, size).flip();
            if (random.nextInt(4) == 0) {
                piece = piece.asReadOnlyBuffer();
            }
            frames.addAll(CodecTestSupport.parseAll(parser, piece));
            from += size;
        }
        return frames;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 6455, 20260101})
    void maskedClientFramesThroughServerParser(long seed) throws Exception {
        Random random = new Random(seed);
        List<Frame> frames = randomFrames(random, 300);
        FrameWriter writer = new FrameWriter(new Random(seed * 31));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            wire.writeBytes(bytes(writer.encode(frame)));
        }
        FrameParser parser = new FrameParser(Long.MAX_VALUE, true, ALL_RSV);
        assertEquals(frames, parseInRandomPieces(parser, wire.toByteArray(), random));
        assertEquals(FrameParser.State.OPCODE, parser.state());
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5, 6})
    void unmaskedServerFramesThroughClientParserViaGatheringBuffers(long seed) throws Exception {
        Random random = new Random(seed);
        List<Frame> frames = randomFrames(random, 300);
        FrameWriter writer = new FrameWriter();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            for (ByteBuffer buffer : writer.encodeForGatheringWrite(frame)) {
                wire.writeBytes(bytes(buffer));
            }
        }
        FrameParser parser = new FrameParser(Long.MAX_VALUE, false, ALL_RSV);
        assertEquals(frames, parseInRandomPieces(parser, wire.toByteArray(), random));
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 8})
    void batchedFramesInOneBufferParsedAtOnce(long seed) throws Exception {
        Random random = new Random(seed);
        List<Frame> frames = randomFrames(random, 200);
        FrameWriter writer = new FrameWriter(new Random(seed));
        int total = 0;
        for (Frame frame : frames) {
            total += writer.encodedSize(frame);
        }
        ByteBuffer batch = ByteBuffer.allocate(total);
        for (Frame frame : frames) {
            writer.write(frame, batch);
        }
        batch.flip();
        assertEquals(frames, CodecTestSupport.parseAll(new FrameParser(Long.MAX_VALUE, true, ALL_RSV), batch));
    }
}
