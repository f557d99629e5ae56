package io.upgradebridge.benchmarks.load;

/**
 * What a scenario runs against and for how long: the server's port and process id, warm-up and measured seconds,
 * and the number of sessions for the idle and scale scenarios.
 */
record Settings(int port, String path, long serverPid, double warmupSeconds, double seconds, int sessions) {

    long warmupNanos() {
        return (long) (warmupSeconds * 1e9);
    }

    long measureNanos() {
        return (long) (seconds * 1e9);
    }
}
