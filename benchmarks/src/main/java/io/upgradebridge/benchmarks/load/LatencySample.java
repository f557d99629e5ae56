package io.upgradebridge.benchmarks.load;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A bounded uniform sample of round-trip times (reservoir sampling): memory stays fixed however many
 * messages a scenario sees, and every message had the same chance to be kept.
 */
final class LatencySample {

    private final long[] values;
    private final SplittableRandom random = new SplittableRandom(42);
    private long seen;

    LatencySample(int capacity) {
        values = new long[capacity];
    }

    void record(long nanos) {
        if (seen < values.length) {
            values[(int) seen] = nanos;
        } else {
            long slot = random.nextLong(seen + 1);
            if (slot < values.length) {
                values[(int) slot] = nanos;
            }
        }
        seen++;
    }

    /** The {@code p}-th percentile (0-100) in microseconds, or -1 without samples. */
    double percentileMicros(double p) {
        int size = (int) Math.min(seen, values.length);
        if (size == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int index = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
        return sorted[index] / 1000.0;
    }
}
