package io.upgradebridge.benchmarks.reference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * The direct buffers of one selector thread (not thread-safe: only its thread uses it). A connection takes a
 * buffer while it has bytes to keep and gives it back when empty, so idle connections hold none; at most
 * {@value #MAX_KEPT} free buffers stay in the pool.
 */
final class BufferPool {

    static final int BUFFER_SIZE = 64 * 1024;
    private static final int MAX_KEPT = 64;

    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    /** An empty buffer in fill mode, in the machine's byte order (the unmasking loop reads and writes longs). */
    ByteBuffer take() {
        ByteBuffer buffer = free.poll();
        return buffer != null ? buffer : ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.nativeOrder());
    }

    void give(ByteBuffer buffer) {
        if (free.size() < MAX_KEPT) {
            buffer.clear();
            free.push(buffer);
        }
    }
}
