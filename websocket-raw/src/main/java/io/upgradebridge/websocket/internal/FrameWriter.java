package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.Frame;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;

/**
 * Turns {@link Frame}s into bytes (RFC 6455 section 5.2): a 2 to 14 byte header, then the payload.
 *
 * <p>A server writes frames unmasked ({@link #FrameWriter()}); a client must mask every frame with a
 * fresh unpredictable key ({@link #FrameWriter(Random)}, one {@code nextInt()} per frame, a
 * {@link SecureRandom} in production). The payload length takes 7, 7+16 or 7+64 bits depending on its
 * size ({@link #headerSize(long, boolean)}).
 *
 * <p>Two ways to write:
 * <ul>
 *   <li>{@link #write(Frame, ByteBuffer)} copies header and payload into a buffer, several frames one
 *   after another if they fit ({@link #encodedSize(Frame)} says how much room each takes): small frames
 *   batched into one socket write.</li>
 *   <li>{@link #encodeForGatheringWrite(Frame)} returns a small header buffer and the payload as a second
 *   buffer, for a gathering write: an unmasked payload is not copied at all.</li>
 * </ul>
 * The frame itself is never changed: masking happens in the destination or in a copy.
 *
 * <p>Not thread-safe when masking (it shares the {@code Random}; {@link SecureRandom} is thread-safe but
 * frames must still be written in order by one thread).
 */
public final class FrameWriter {

    /** The longest header: 2 fixed bytes, 8 bytes of length, 4 bytes of mask key. */
    public static final int MAX_HEADER_SIZE = 14;

    private final Random maskKeys;

    /** A writer for the server side: frames are not masked. */
    public FrameWriter() {
        this.maskKeys = null;
    }

    /**
     * A writer for the client side: every frame is masked with the key {@code maskKeys.nextInt()}
     * (first wire byte = most significant byte).
     */
    public FrameWriter(Random maskKeys) {
        this.maskKeys = Objects.requireNonNull(maskKeys, "maskKeys: pass a SecureRandom to mask frames");
    }

    /** A client-side writer masking with a new {@link SecureRandom}. */
    public static FrameWriter forClient() {
        return new FrameWriter(new SecureRandom());
    }

    /** True when this writer masks frames (client side). */
    public boolean masking() {
        return maskKeys != null;
    }

    /**
     * The header size for a payload length: 2 bytes for 0-125, 4 for 126-65535, 10 above, plus 4 when
     * masked.
     */
    public static int headerSize(long payloadLength, boolean masked) {
        if (payloadLength < 0) {
            throw new IllegalArgumentException("negative payload length " + payloadLength);
        }
        int size = payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        return masked ? size + 4 : size;
    }

    /** The header size of {@code frame} as this writer writes it. */
    public int headerSize(Frame frame) {
        return headerSize(frame.length(), masking());
    }

    /** Header plus payload: the room {@link #write(Frame, ByteBuffer)} needs. */
    public int encodedSize(Frame frame) {
        return headerSize(frame) + frame.length();
    }

    /**
     * Writes the whole frame at {@code dst}'s position and advances it. Either all of it is written or,
     * when {@code dst} has less than {@link #encodedSize(Frame)} bytes left, nothing.
     *
     * @throws BufferOverflowException when the frame does not fit
     */
    public void write(Frame frame, ByteBuffer dst) {
        int length = frame.length();
        if (dst.remaining() < headerSize(frame) + length) {
            throw new BufferOverflowException();
        }
        int maskKey = nextMaskKey();
        putHeader(frame, maskKey, dst);
        int payloadStart = dst.position();
        dst.put(frame.data());
        if (masking()) {
            Masking.apply(dst, payloadStart, length, maskKey, 0);
        }
    }

    /** The whole frame in a new buffer, ready to read (position 0, limit = size). */
    public ByteBuffer encode(Frame frame) {
        ByteBuffer encoded = ByteBuffer.allocate(encodedSize(frame));
        write(frame, encoded);
        return encoded.flip();
    }

    /**
     * Writes only the header of an unmasked frame, so its payload ({@link Frame#data()}) can follow in a
     * gathering write without being copied.
     *
     * @throws IllegalStateException  on a masking writer: the payload must be masked with the key in the
     *                                header, use {@link #encodeForGatheringWrite(Frame)}
     * @throws BufferOverflowException when the header does not fit (nothing is written)
     */
    public void writeHeader(Frame frame, ByteBuffer dst) {
        if (masking()) {
            throw new IllegalStateException("a masking writer cannot write a header alone: the payload must be"
                    + " masked with the same key; use encodeForGatheringWrite(frame)");
        }
        if (dst.remaining() < headerSize(frame)) {
            throw new BufferOverflowException();
        }
        putHeader(frame, 0, dst);
    }

    /**
     * The frame as two buffers for a gathering write: {@code [header, payload]}, both ready to read. When
     * not masking, the payload buffer is a read-only view of the frame's payload (no copy); when masking,
     * it is a masked copy.
     */
    public ByteBuffer[] encodeForGatheringWrite(Frame frame) {
        int maskKey = nextMaskKey();
        ByteBuffer header = ByteBuffer.allocate(headerSize(frame));
        putHeader(frame, maskKey, header);
        header.flip();
        ByteBuffer payload = frame.data();
        if (masking()) {
            ByteBuffer maskedCopy = ByteBuffer.allocate(payload.remaining());
            maskedCopy.put(payload).flip();
            Masking.apply(maskedCopy, 0, maskedCopy.remaining(), maskKey, 0);
            payload = maskedCopy;
        }
        return new ByteBuffer[] {header, payload};
    }

    private int nextMaskKey() {
        return maskKeys == null ? 0 : maskKeys.nextInt();
    }

    /** The header, byte by byte so that the destination's byte order does not matter. */
    private void putHeader(Frame frame, int maskKey, ByteBuffer dst) {
        int first = frame.type().opcode();
        if (frame.fin()) {
            first |= 0x80;
        }
        if (frame.rsv1()) {
            first |= FrameParser.RSV1;
        }
        if (frame.rsv2()) {
            first |= FrameParser.RSV2;
        }
        if (frame.rsv3()) {
            first |= FrameParser.RSV3;
        }
        dst.put((byte) first);
        int maskBit = masking() ? 0x80 : 0;
        long length = frame.length();
        if (length <= 125) {
            dst.put((byte) (maskBit | length));
        } else if (length <= 0xFFFF) {
            dst.put((byte) (maskBit | 126));
            dst.put((byte) (length >>> 8));
            dst.put((byte) length);
        } else {
            dst.put((byte) (maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8) {
                dst.put((byte) (length >>> shift));
            }
        }
        if (masking()) {
            dst.put((byte) (maskKey >>> 24));
            dst.put((byte) (maskKey >>> 16));
            dst.put((byte) (maskKey >>> 8));
            dst.put((byte) maskKey);
        }
    }

    @Override
    public String toString() {
        return "FrameWriter[" + (masking() ? "masking" : "unmasked") + "]";
    }
}
