package io.upgradebridge.benchmarks.load;

/**
 * The settle scenario: no connections at all for a while after the others, the server's threads sampled once a second,
 * so that the table shows whether the pools let their threads go once the load ended (the bridge's own pools after 30 s
 * idle, Tomcat's workers after 60 s, Jetty's after 60 s).
 */
final class Settle {

    private static final long SLEEP_MILLIS = 100;

    JsonLine run(Settings settings, JsonLine out) throws InterruptedException {
        long end = System.nanoTime() + (long) (settings.seconds() * 1e9);
        while (System.nanoTime() - end < 0) {
            settings.threads().maybeSample();
            Thread.sleep(SLEEP_MILLIS);
        }
        settings.threads().maybeSample();
        return out.put("seconds", settings.seconds()).put("errors", 0);
    }
}
