package io.upgradebridge.websockets.internal;

import java.nio.ByteBuffer;

/** Compresses the server's messages, frame by frame. Not thread-safe. */
public final class MessageDeflater implements AutoCloseable {

    /**
     * Compresses one frame's data of a message; with {@code fin} the message ends: the output is flushed, the
     * {@code 00 00 ff ff} tail removed, and the window dropped without context takeover.
     *
     * @return the compressed payload for this frame (possibly empty for a non-final frame)
     */
    public ByteBuffer deflate(ByteBuffer data, boolean fin) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Frees the native compressor. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
