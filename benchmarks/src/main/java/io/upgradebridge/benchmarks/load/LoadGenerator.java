package io.upgradebridge.benchmarks.load;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs one scenario against one echo server and prints one JSON line:
 * <pre>
 * LoadGenerator --scenario small|large|handshake|idle|scale --port P --pid SERVER_PID --server NAME
 *               [--round N] [--warmup S] [--seconds S] [--sessions N] [--quick true] [--transport websocket|raw]
 * </pre>
 * Every scenario is bounded in time (and the open phases in count); the defaults are the full run's.
 * {@code --transport raw} is for the plain TCP echo: no upgrade, the same masked frames sent as bytes and the same
 * bytes counted back (not for the handshake scenario). Every line also has the server's threads before the
 * scenario, the lowest and highest of the samples taken once a second while it ran, and one second after it.
 */
public final class LoadGenerator {

    private static final long AFTER_MILLIS = 1_000;

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs: " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        String scenario = required(options, "scenario");
        boolean quick = Boolean.parseBoolean(options.getOrDefault("quick", "false"));
        String transport = options.getOrDefault("transport", "websocket");
        if (!transport.equals("websocket") && !transport.equals("raw")) {
            throw new IllegalArgumentException("--transport is websocket or raw, not " + transport);
        }
        boolean raw = transport.equals("raw");
        if (raw && scenario.equals("handshake")) {
            throw new IllegalArgumentException("the handshake scenario needs a WebSocket server, not --transport raw");
        }
        long pid = Long.parseLong(required(options, "pid"));
        ThreadWatch threads = new ThreadWatch(new ProcessProbe(pid));
        threads.before();
        Settings settings = new Settings(
                Integer.parseInt(required(options, "port")),
                options.getOrDefault("path", "/echo"),
                pid,
                Double.parseDouble(options.getOrDefault("warmup", defaultWarmup(scenario))),
                Double.parseDouble(options.getOrDefault("seconds", defaultSeconds(scenario))),
                Integer.parseInt(options.getOrDefault("sessions", scenario.equals("scale") ? "10000" : "5000")),
                raw, threads);
        JsonLine out = new JsonLine()
                .put("server", options.getOrDefault("server", "?"))
                .put("round", Long.parseLong(options.getOrDefault("round", "1")))
                .put("scenario", scenario)
                .put("quick", quick)
                .put("transport", transport);
        switch (scenario) {
            case "small" -> PipelinedEcho.small().run(settings, out);
            case "large" -> PipelinedEcho.large().run(settings, out);
            case "handshake" -> new Handshakes().run(settings, out);
            case "idle" -> new ManySessions().runIdle(settings, out);
            case "scale" -> new ManySessions().runScale(settings, out);
            case "settle" -> new Settle().run(settings, out);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        Thread.sleep(AFTER_MILLIS); // the scenario's connections are closed: what stays a moment later
        threads.report(out);
        if (settings.serverPid() > 0) {
            out.put("thread_pools_after", new ProcessProbe(settings.serverPid()).threadPools());
        }
        System.out.println(out);
    }

    private static String defaultWarmup(String scenario) {
        return switch (scenario) {
            case "small", "large" -> "3";
            case "handshake" -> "2";
            default -> "0";
        };
    }

    private static String defaultSeconds(String scenario) {
        return switch (scenario) {
            case "scale" -> "60";
            case "settle" -> "35";
            default -> "10";
        };
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
