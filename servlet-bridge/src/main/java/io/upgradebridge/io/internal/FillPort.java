package io.upgradebridge.io.internal;

import java.nio.ByteBuffer;

/**
 * The producing side of a connection channel, for the transport that fills it from the socket: the connection's input.
 * The application reads the same channel through its public {@link io.upgradebridge.io.ByteReadChannel}; this port is
 * what a container adapter works with instead, without a copy: it reads the socket straight into
 * {@link #writableSlice()} and publishes the bytes with {@link #commit(int)}.
 *
 * <p>One producer at a time. The bytes inside a slice belong to the producer until it commits them.
 */
public interface FillPort {

    /**
     * A view of the contiguous free space (position 0, limit = room); an empty buffer when the channel is full (then
     * the {@linkplain #onRoom signal} runs once there is room again) or closed.
     */
    ByteBuffer writableSlice();

    /** Publishes {@code n} bytes the producer put into the last {@link #writableSlice()}; {@code 0} only lets go of the slice. */
    void commit(int n);

    /**
     * Gives the buffer of an empty channel back to the pool, so an idle connection holds none; the next bytes take
     * one again. Call it with no slice held (after {@link #commit(int)}).
     */
    void releaseIfEmpty();

    /** Whether the channel takes no more bytes: the reader cancelled it, or the connection closed it. */
    boolean isClosed();

    /** Why the channel was closed, when it was closed with a cause (the reader cancelled, the connection aborted). */
    Throwable closedCause();

    /**
     * Installs the producer's signal (once, before the first slice): it runs (on the thread that made room, outside the
     * channel's lock) when room comes back after {@link #writableSlice()} came back empty, and when the channel closes.
     */
    void onRoom(Runnable signal);
}
