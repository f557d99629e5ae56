package io.upgradebridge.containertests;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Waits until a writer's byte count stops moving: the peer stopped reading and the writer's write blocks. */
final class WriteStall {

    private static final long POLL_MILLIS = 200;
    private static final long STALLED_NANOS = 1_000_000_000L;

    private WriteStall() {
    }

    /**
     * Polls {@code written} until a second passes without progress, or {@code atMost} passes; returns the count then.
     */
    static long await(AtomicLong written, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        long last = -1;
        long stalledSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = written.get();
            if (now != last) {
                last = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > STALLED_NANOS) {
                break;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return written.get();
    }
}
