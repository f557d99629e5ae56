package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteReadChannel;

import java.nio.ByteBuffer;

/**
 * The consuming side of a channel, for code that drains it without a copy: the transport that writes a connection's
 * output to the socket, and the WebSocket session that parses a connection's input. The application writes (or
 * reads) the same channel through the public {@link io.upgradebridge.io.ByteWriteChannel} /
 * {@link ByteReadChannel}; {@link #of(ByteReadChannel)} gives the port of any read channel.
 *
 * <p>One consumer at a time. The bytes of a slice stay in the channel until {@link #consume(int)}.
 */
public interface DrainPort {

    /**
     * A view of the contiguous readable bytes; an empty buffer when there are none now (then {@link #state()} says
     * whether more may come, and the {@linkplain #onBytes signal} runs when they do).
     */
    ByteBuffer readableSlice();

    /** Frees {@code n} bytes the consumer took from the last {@link #readableSlice()}. */
    void consume(int n);

    /** What there is to read now. */
    PortState state();

    /** The cause the stream ended with, or {@code null} while open or after a normal end. */
    Throwable closedCause();

    /**
     * Installs the consumer's signal (once, before the first slice): it runs (on the thread that wrote or closed,
     * outside the channel's lock) when bytes arrive after {@link #readableSlice()} came back empty, when someone waits
     * in {@code flush()}, and when the stream ends.
     */
    void onBytes(Runnable signal);

    /**
     * The consumer learned from what it read that the peer sends nothing more (a WebSocket close frame): the connection
     * may close without first waiting for the peer to end its side. The default ignores it.
     */
    default void peerDone() {
    }

    /** Gives the buffer of an empty channel back to the pool, unless the producer is filling a slice of it. */
    void releaseIfEmpty();

    /**
     * Makes the channel's flush stages wait for {@link #markFlushed()}: for the transport that drains a connection's
     * output, whose bytes have left only once the container flushed them.
     */
    default void trackFlushes() {
        throw new UnsupportedOperationException(getClass().getName() + " does not track flushes");
    }

    /** Whether bytes were consumed since the last {@link #markFlushed()} (with {@link #trackFlushes()}). */
    default boolean hasUnflushed() {
        return false;
    }

    /** Tells the flush stages that every byte consumed so far has left (with {@link #trackFlushes()}). */
    default void markFlushed() {
    }

    /**
     * The port of {@code channel}: the bridge's own channels drain without a copy, any other read channel through a
     * buffer of the port's own.
     */
    static DrainPort of(ByteReadChannel channel) {
        return channel instanceof RingByteChannel ring ? ring : new ChannelDrainPort(channel);
    }
}
