package io.upgradebridge.benchmarks.load;

/**
 * What a scenario runs against and for how long: the server's port and process id, warm-up and measured seconds,
 * the number of sessions for the idle and scale scenarios, whether the server is a plain TCP echo ({@code raw}: no
 * upgrade, the same masked frames as bytes, see {@link ClientConnection}), and the watch over the server's
 * threads that the scenario's event loop samples.
 */
record Settings(int port, String path, long serverPid, double warmupSeconds, double seconds, int sessions,
        boolean raw, ThreadWatch threads) {

    long warmupNanos() {
        return (long) (warmupSeconds * 1e9);
    }

    long measureNanos() {
        return (long) (seconds * 1e9);
    }
}
