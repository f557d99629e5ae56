package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;

/** Decompresses the client's compressed messages, frame by frame, with a bound on the output. Not thread-safe. */
public final class MessageInflater implements AutoCloseable {

    /**
     * Inflates one frame's payload of a compressed message; with {@code fin} the message ends (the
     * {@code 00 00 ff ff} tail is added back, and the window is dropped without context takeover).
     *
     * @param limit how many more bytes the message may grow by; inflating beyond it throws 1009
     * @return the decompressed bytes of this frame, possibly none
     * @throws WebSocketProtocolException 1009 over the limit, 1007 for data that does not inflate
     */
    public ByteBuffer inflate(ByteBuffer payload, boolean fin, long limit) throws WebSocketProtocolException {
        throw new UnsupportedOperationException("in progress");
    }

    /** Frees the native decompressor. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
