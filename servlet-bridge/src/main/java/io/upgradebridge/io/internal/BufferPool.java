package io.upgradebridge.io.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of channel arrays, one list per size: {@link #MIN_SIZE} bytes and each doubling of it up to
 * {@link #MAX_SIZE}. Idle connections give their empty buffers back ({@link RingByteChannel#releaseIfEmpty()}), so
 * thousands of idle sessions hold no buffers, while busy ones take an array of the size they last needed instead of
 * allocating and growing one again after every pause in a stream.
 */
final class BufferPool {

    /** The smallest pooled size, and the size of a channel's first buffer. */
    static final int MIN_SIZE = 4096;
    /** The largest pooled size; larger arrays are left to the GC. */
    static final int MAX_SIZE = MIN_SIZE << 8; // 1 MiB
    /** Each size keeps at most this many bytes of arrays (and at least two arrays). */
    private static final int MAX_POOLED_BYTES_PER_SIZE = 1 << 20;

    private static final int SIZES = Integer.numberOfTrailingZeros(MAX_SIZE / MIN_SIZE) + 1;
    @SuppressWarnings("unchecked")
    private static final ConcurrentLinkedQueue<byte[]>[] POOLS = new ConcurrentLinkedQueue[SIZES];
    private static final AtomicInteger[] POOLED = new AtomicInteger[SIZES];

    static {
        for (int i = 0; i < SIZES; i++) {
            POOLS[i] = new ConcurrentLinkedQueue<>();
            POOLED[i] = new AtomicInteger();
        }
    }

    private BufferPool() {
    }

    /** The pool index of an array of {@code size} bytes, or -1 when that size is not pooled. */
    private static int index(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE || Integer.bitCount(size) != 1) {
            return -1;
        }
        return Integer.numberOfTrailingZeros(size / MIN_SIZE);
    }

    private static int bound(int size) {
        return Math.max(2, MAX_POOLED_BYTES_PER_SIZE / size);
    }

    /** A {@code size}-byte array, pooled or new; a pooled array holds whatever its last user left. */
    static byte[] take(int size) {
        int i = index(size);
        byte[] pooled = i < 0 ? null : POOLS[i].poll();
        if (pooled == null) {
            return new byte[size];
        }
        POOLED[i].decrementAndGet();
        return pooled;
    }

    /** Returns an array to the pool; an array of a size that is not pooled, or beyond the bound, is left to the GC. */
    static void give(byte[] array) {
        int i = index(array.length);
        if (i < 0) {
            return;
        }
        // race: two givers may both pass the check and overshoot the bound by one each; harmless
        if (POOLED[i].incrementAndGet() > bound(array.length)) {
            POOLED[i].decrementAndGet();
            return;
        }
        POOLS[i].offer(array);
    }

    /** How many arrays of {@code size} bytes wait in the pool (for tests). */
    static int pooled(int size) {
        int i = index(size);
        return i < 0 ? 0 : POOLED[i].get();
    }
}
