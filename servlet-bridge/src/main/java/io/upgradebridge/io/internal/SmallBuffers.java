package io.upgradebridge.io.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of the small arrays every channel starts with. Idle connections give their empty
 * buffers back ({@link RingByteChannel#releaseIfEmpty()}), so thousands of idle sessions hold no buffers,
 * while busy ones reuse arrays instead of allocating one per read.
 */
final class SmallBuffers {

    /** The size of a channel's first buffer; it grows by doubling from there. */
    static final int SIZE = 4096;

    /** At most this many arrays wait in the pool (1 MiB). */
    private static final int MAX_POOLED = 256;

    private static final ConcurrentLinkedQueue<byte[]> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private SmallBuffers() {
    }

    /** A {@link #SIZE}-byte array, pooled or new; its contents are whatever the last user left. */
    static byte[] take() {
        byte[] pooled = POOL.poll();
        if (pooled == null) {
            return new byte[SIZE];
        }
        POOLED.decrementAndGet();
        return pooled;
    }

    /** Returns an array to the pool; arrays of another size, or beyond the bound, are left to the GC. */
    static void give(byte[] array) {
        if (array.length != SIZE) {
            return;
        }
        // race: two givers may both pass the check and overshoot the bound by one each; harmless
        if (POOLED.incrementAndGet() > MAX_POOLED) {
            POOLED.decrementAndGet();
            return;
        }
        POOL.offer(array);
    }

    /** How many arrays wait in the pool (for tests). */
    static int pooled() {
        return POOLED.get();
    }
}
