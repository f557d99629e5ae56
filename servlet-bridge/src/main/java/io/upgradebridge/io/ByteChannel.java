package io.upgradebridge.io;

import io.upgradebridge.io.internal.RingByteChannel;

import java.util.concurrent.Executor;

/**
 * A bounded in-memory pipe: what one side writes, the other reads. The Java form of Ktor's
 * {@code ByteChannel()}, handy for {@code WriteChannelContent}, {@code ReadChannelContent} and tests.
 */
public interface ByteChannel extends ByteReadChannel, ByteWriteChannel {

    /** Default bound of a channel's buffer: 64 KiB. */
    int DEFAULT_CAPACITY = 64 * 1024;

    /** A channel holding at most {@link #DEFAULT_CAPACITY} bytes; waiters are resumed on the thread that made room or data. */
    static ByteChannel create() {
        return create(DEFAULT_CAPACITY);
    }

    /** A channel holding at most {@code capacity} bytes (at least 1). */
    static ByteChannel create(int capacity) {
        return new RingByteChannel(capacity, Runnable::run);
    }

    /**
     * A channel holding at most {@code capacity} bytes whose waiting stages complete on {@code executor},
     * so that neither side runs the other's continuation on its own thread.
     */
    static ByteChannel create(int capacity, Executor executor) {
        return new RingByteChannel(capacity, executor);
    }
}
