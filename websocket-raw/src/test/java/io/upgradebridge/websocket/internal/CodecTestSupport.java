package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Helpers shared by the frame codec tests. */
final class CodecTestSupport {

    private CodecTestSupport() {
    }

    /** Bytes from hex pairs separated by spaces: {@code "81 05 48"}. */
    static byte[] hex(String pairs) {
        String[] parts = pairs.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    static byte[] concat(byte[]... arrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] array : arrays) {
            out.writeBytes(array);
        }
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    /** Payload {@code 0, 1, 2, ...} modulo 251 (a prime, so the pattern does not line up with the mask). */
    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    /** A Random whose nextInt() returns the given keys in turn: deterministic mask keys. */
    static Random fixedMaskKeys(int... keys) {
        return new Random() {
            private static final long serialVersionUID = 1L;
            private int next;

            @Override
            public int nextInt() {
                return keys[next++ % keys.length];
            }
        };
    }

    /** Every frame {@code parser} returns from {@code in}, until it needs more bytes; checks it used them all. */
    static List<Frame> parseAll(FrameParser parser, ByteBuffer in) throws WebSocketProtocolException {
        List<Frame> frames = new ArrayList<>();
        Frame frame;
        while ((frame = parser.parse(in)) != null) {
            frames.add(frame);
        }
        if (in.hasRemaining()) {
            throw new AssertionError("parser returned null with " + in.remaining() + " bytes left");
        }
        return frames;
    }

    /** Feeds {@code wire} in pieces cut at {@code cuts} (ascending offsets), each piece in a fresh buffer. */
    static List<Frame> parseInPieces(FrameParser parser, byte[] wire, int... cuts) throws WebSocketProtocolException {
        List<Frame> frames = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : wire.length;
            byte[] piece = new byte[to - from];
            System.arraycopy(wire, from, piece, 0, piece.length);
            frames.addAll(parseAll(parser, ByteBuffer.wrap(piece)));
            from = to;
        }
        return frames;
    }

    /** Feeds {@code wire} one byte at a time. */
    static List<Frame> parseByteByByte(FrameParser parser, byte[] wire) throws WebSocketProtocolException {
        List<Frame> frames = new ArrayList<>();
        for (byte b : wire) {
            frames.addAll(parseAll(parser, ByteBuffer.wrap(new byte[] {b})));
        }
        return frames;
    }

    /** Copies of the frames, so that later changes to shared input buffers cannot hide a bug. */
    static List<Frame> copies(List<Frame> frames) {
        List<Frame> copies = new ArrayList<>();
        for (Frame frame : frames) {
            copies.add(frame.copy());
        }
        return copies;
    }
}
