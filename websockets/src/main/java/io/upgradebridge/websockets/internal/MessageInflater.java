package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses the client's compressed messages, frame by frame, with a bound on the output (RFC 7692
 * section 7.2.2).
 *
 * <p>Memory: the native {@link Inflater} (about 40 KiB with its 32 KiB window) is created when the first
 * compressed frame arrives, so a session whose client never sends compressed data holds none. With context
 * takeover it lives until {@link #close()}; without ({@code client_no_context_takeover}) it is reset after
 * every message. Output goes into a buffer that starts small and doubles, never beyond {@code limit + 1}
 * bytes, so a small payload that would inflate to gigabytes stops at the limit instead of being inflated first.
 *
 * <p>A client may end a message with a DEFLATE block that has BFINAL set (RFC 7692 section 7.2.3.4): the
 * stream then ends there, the rest of that message's payload is ignored, and the decompressor starts afresh
 * with the next message.
 *
 * <p>Not thread-safe: one thread inflates. {@link #close()} may come from another thread; it waits for an
 * inflation in progress to return.
 */
public final class MessageInflater implements AutoCloseable {

    /** What RFC 7692 section 7.2.2 has the receiver append to the message: the end of a sync flush. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

    private static final byte[] NO_INPUT = new byte[0];

    /** The first output buffer for a frame, unless the limit is lower. */
    static final int MIN_OUTPUT_CAPACITY = 256;

    /** The largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private final boolean noContextTakeover;

    /** Created on first use; {@code null} until then and after close. */
    private Inflater inflater;

    /** The current message's DEFLATE stream ended (BFINAL): the rest of the message is ignored. */
    private boolean streamEnded;

    private boolean closed;

    /**
     * @param noContextTakeover the client agreed to {@code client_no_context_takeover}: drop the window after
     *     every message
     */
    MessageInflater(boolean noContextTakeover) {
        this.noContextTakeover = noContextTakeover;
    }

    /**
     * Inflates one frame's payload of a compressed message; with {@code fin} the message ends (the
     * {@code 00 00 ff ff} tail is added back, and the window is dropped without context takeover).
     *
     * <p>The payload is consumed: its position moves to its limit (short of it when inflation stopped at the
     * limit or on bad data).
     *
     * @param limit how many more bytes the message may grow by; inflating beyond it throws 1009
     * @return the decompressed bytes of this frame, possibly none: a new buffer, flipped, that the caller owns
     * @throws WebSocketProtocolException 1009 over the limit, 1007 for data that does not inflate
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized ByteBuffer inflate(ByteBuffer payload, boolean fin, long limit) throws WebSocketProtocolException {
        if (closed) {
            throw new IllegalStateException("the decompressor is closed: the session is over");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        Inflater current = inflater();
        boolean done = false;
        try {
            // One buffer holds at most MAX_ARRAY_SIZE bytes; a frame that inflates to more is too big whatever the limit.
            long bound = Math.min(limit, MAX_ARRAY_SIZE - 1);
            int outputCap = (int) bound + 1;
            ByteBuffer output = ByteBuffer.allocate(Math.min(outputCap,
                    (int) Math.min(MAX_ARRAY_SIZE, Math.max(MIN_OUTPUT_CAPACITY, 4L * payload.remaining()))));
            output = inflateInto(current, payload, output, outputCap, bound);
            if (fin) {
                output = inflateInto(current, ByteBuffer.wrap(TAIL), output, outputCap, bound);
                endMessage(current);
            }
            done = true;
            return output.flip();
        } finally {
            current.setInput(NO_INPUT); // do not keep the caller's buffer reachable until the next frame
            if (!done) {
                // The session closes after a failure; leave no half-inflated stream behind meanwhile.
                current.reset();
                streamEnded = false;
            }
        }
    }

    private Inflater inflater() {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        return inflater;
    }

    /**
     * Feeds {@code input} and collects the output, growing {@code output} by doubling up to {@code outputCap}.
     * Holding more than {@code limit} bytes means the message is too big: stop there.
     */
    private ByteBuffer inflateInto(Inflater current, ByteBuffer input, ByteBuffer output, int outputCap, long limit)
            throws WebSocketProtocolException {
        if (streamEnded || !input.hasRemaining()) {
            input.position(input.limit());
            return output;
        }
        current.setInput(input);
        while (true) {
            if (!output.hasRemaining()) {
                if (output.position() > limit || output.capacity() >= outputCap) {
                    throw tooBig(limit);
                }
                output = grow(output, outputCap);
            }
            int produced;
            try {
                produced = current.inflate(output);
            } catch (DataFormatException e) {
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                        "compressed message does not inflate: " + e.getMessage(), e);
            }
            if (output.position() > limit) {
                throw tooBig(limit);
            }
            if (current.finished()) {
                streamEnded = true; // BFINAL: whatever follows in this message is not part of the stream
                input.position(input.limit());
                return output;
            }
            if (current.needsDictionary()) {
                throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                        "compressed message asks for a preset dictionary, which permessage-deflate does not use");
            }
            if (output.hasRemaining()) {
                if (current.needsInput()) {
                    return output; // all input consumed and all output it yields delivered
                }
                if (produced == 0) {
                    // Room for output and input left, yet no progress: zlib would have reported an error.
                    throw new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT,
                            "compressed message makes no progress when inflated");
                }
            }
        }
    }

    private static ByteBuffer grow(ByteBuffer output, int outputCap) {
        int capacity = (int) Math.min(outputCap, 2L * output.capacity());
        ByteBuffer larger = ByteBuffer.allocate(capacity);
        return larger.put(output.flip());
    }

    private static WebSocketProtocolException tooBig(long limit) {
        return new WebSocketProtocolException(CloseReason.Codes.TOO_BIG,
                "message inflates to more than the " + limit + " bytes still allowed");
    }

    private void endMessage(Inflater current) {
        if (noContextTakeover || streamEnded) {
            current.reset();
        }
        streamEnded = false;
    }

    /** Frees the native decompressor; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    /** Whether the native decompressor exists (created on first use, gone after close). For tests. */
    synchronized boolean holdsNativeInflater() {
        return inflater != null;
    }
}
