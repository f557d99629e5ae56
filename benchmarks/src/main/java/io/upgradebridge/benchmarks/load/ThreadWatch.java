package io.upgradebridge.benchmarks.load;

import java.io.IOException;

/**
 * The server's thread count ({@code Threads:} of {@code /proc/PID/status}) around one scenario: before it, sampled
 * at most once a second while its event loop runs (the lowest and highest sample), and after it.
 */
final class ThreadWatch {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final ProcessProbe server;
    private long before = -1;
    private long min = -1;
    private long max = -1;
    private long samples;
    private long nextSample = System.nanoTime();

    ThreadWatch(ProcessProbe server) {
        this.server = server;
    }

    /** Takes the "before" figure (again: a scenario that first runs jcmd takes it after, see ManySessions). */
    void before() {
        before = read();
    }

    /** Samples when a second has passed since the last sample; cheap otherwise. */
    void maybeSample() {
        long now = System.nanoTime();
        if (now - nextSample >= 0) {
            nextSample = now + INTERVAL_NANOS;
            long threads = read();
            if (threads >= 0) {
                min = min < 0 ? threads : Math.min(min, threads);
                max = Math.max(max, threads);
                samples++;
            }
        }
    }

    /** The before, during and after figures (-1: no sample) into {@code out}; "after" is read now. */
    void report(JsonLine out) {
        out.put("threads_before", before).put("threads_during_min", min).put("threads_during_max", max)
                .put("threads_during_samples", samples).put("threads_after", read());
    }

    private long read() {
        try {
            return server.threads();
        } catch (IOException | RuntimeException e) {
            return -1; // the server is gone: the scenario reports that as errors
        }
    }
}
