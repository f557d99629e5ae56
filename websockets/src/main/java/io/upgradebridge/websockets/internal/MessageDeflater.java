package io.upgradebridge.websockets.internal;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses the server's messages, frame by frame (RFC 7692 section 7.2.1): raw DEFLATE at the configured
 * level, every frame sync-flushed, and the {@code 00 00 ff ff} that ends the flush of the last frame removed.
 *
 * <p>Every frame, not only the last, is sync-flushed: a message sent in pieces reaches the client piece by
 * piece instead of waiting in the compressor, at the cost of about five bytes per frame. Non-final frames keep
 * their {@code 00 00 ff ff}; the client inflates it as an empty stored block.
 *
 * <p>An empty final frame (an empty message, or a message whose data all went out in earlier frames) becomes
 * the single byte {@code 00}, which with the tail the client appends is an empty stored block (RFC 7692
 * section 7.2.3.6).
 *
 * <p>Memory: the native {@link Deflater} (a few hundred KiB at the default level) is created when the first
 * message is compressed, so an idle session, or one that only sends messages below
 * {@code minSizeToCompress}, holds none. With context takeover it lives until {@link #close()}; with
 * {@code server_no_context_takeover} it is reset after every message.
 *
 * <p>Not thread-safe: one thread compresses. {@link #close()} may come from another thread; it waits for a
 * compression in progress to return.
 */
public final class MessageDeflater implements AutoCloseable {

    private static final byte[] NO_INPUT = new byte[0];

    /** The bytes a sync flush ends with (an empty stored block's LEN and NLEN). */
    private static final int TAIL_LENGTH = 4;

    /** Room beyond the input for block headers and the flush. */
    private static final int OUTPUT_SLACK = 64;

    private final int level;
    private final boolean noContextTakeover;

    /** Created on first use; {@code null} until then and after close. */
    private Deflater deflater;

    private boolean closed;

    /**
     * @param level the {@link Deflater} level, 0 to 9 or {@link Deflater#DEFAULT_COMPRESSION}
     * @param noContextTakeover {@code server_no_context_takeover} was agreed: drop the window after every
     *     message
     */
    MessageDeflater(int level, boolean noContextTakeover) {
        this.level = level;
        this.noContextTakeover = noContextTakeover;
    }

    /**
     * Compresses one frame's data of a message; with {@code fin} the message ends: the output is flushed, the
     * {@code 00 00 ff ff} tail removed, and the window dropped without context takeover.
     *
     * <p>The data is consumed: its position moves to its limit.
     *
     * @return the compressed payload for this frame (possibly empty for a non-final frame whose data is empty):
     *     a new buffer, flipped, that the caller owns
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized ByteBuffer deflate(ByteBuffer data, boolean fin) {
        if (closed) {
            throw new IllegalStateException("the compressor is closed: the session is over");
        }
        Deflater current = deflater();
        ByteBuffer output;
        try {
            output = ByteBuffer.allocate(initialCapacity(data.remaining()));
            current.setInput(data);
            while (true) {
                if (!output.hasRemaining()) {
                    output = grow(output);
                }
                current.deflate(output, Deflater.SYNC_FLUSH);
                if (output.hasRemaining()) {
                    break; // the flush is complete once it no longer fills the buffer (Deflater's contract)
                }
            }
        } finally {
            current.setInput(NO_INPUT); // do not keep the caller's buffer reachable until the next frame
        }
        output.flip();
        if (fin) {
            output = endMessage(current, output);
        }
        return output;
    }

    private Deflater deflater() {
        if (deflater == null) {
            deflater = new Deflater(level, true);
        }
        return deflater;
    }

    /** The last frame's payload: without the flush's tail, or {@code 00} when the flush had nothing to add. */
    private ByteBuffer endMessage(Deflater current, ByteBuffer output) {
        if (noContextTakeover) {
            current.reset();
        }
        if (output.remaining() == 0) {
            // Nothing new since the last flush (zlib then writes nothing): the stream is at a byte boundary,
            // and 00 followed by the client's 00 00 ff ff is an empty stored block.
            return ByteBuffer.allocate(1); // position 0, limit 1, the byte 00
        }
        int end = output.limit();
        if (end < TAIL_LENGTH || output.get(end - 4) != 0 || output.get(end - 3) != 0
                || output.get(end - 2) != (byte) 0xff || output.get(end - 1) != (byte) 0xff) {
            throw new IllegalStateException("java.util.zip.Deflater ended a sync flush without 00 00 ff ff");
        }
        return output.limit(end - TAIL_LENGTH);
    }

    private static int initialCapacity(int inputLength) {
        // Compressible data needs far less; incompressible data (stored blocks) needs the input plus 5 bytes per
        // 16 KiB block, which a few doublings reach.
        return (int) Math.min(Integer.MAX_VALUE - 8, inputLength / 2L + OUTPUT_SLACK);
    }

    private static ByteBuffer grow(ByteBuffer output) {
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, 2L * output.capacity());
        if (capacity == output.capacity()) {
            throw new IllegalStateException("a frame compresses to more than " + capacity + " bytes; send smaller frames");
        }
        ByteBuffer larger = ByteBuffer.allocate(capacity);
        return larger.put(output.flip());
    }

    /** Frees the native compressor; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }

    /** Whether the native compressor exists (created on first use, gone after close). For tests. */
    synchronized boolean holdsNativeDeflater() {
        return deflater != null;
    }
}
