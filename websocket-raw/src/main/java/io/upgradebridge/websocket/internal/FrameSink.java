package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.Frame;

/**
 * Where a session's frame reader puts the peer's frames, one at a time, in order: the RAW session's own
 * {@link FrameInbox} (the handler receives them), or a layer above it that takes every frame itself (the WebSockets
 * feature's default session: it answers control frames and queues data frames for its handler). Called by the reader
 * only, one frame at a time, never while the reader waits.
 */
public interface FrameSink {

    /** Whether the reader may hand over the next frame now; when not, the reader waits for the {@linkplain #onRoom signal}. */
    boolean hasRoom();

    /** Installs the reader's signal (once, before the first frame): run when there is room again after {@link #hasRoom()} said no. */
    void onRoom(Runnable signal);

    /**
     * The peer's next frame (its own bytes, never a view of the connection's buffer).
     *
     * @return whether to go on reading; {@code false} stops the reader for good (the peer's close frame, a protocol
     *     error the sink found itself)
     */
    boolean accept(Frame frame);

    /**
     * No more frames will come: the peer closed (an {@link java.io.EOFException}), broke the protocol (a
     * {@link io.upgradebridge.websocket.WebSocketProtocolException}), the connection failed, or the session ends (a
     * {@link java.util.concurrent.CancellationException}). Only the first call counts.
     */
    void end(Throwable cause);
}
