package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The handshake scenario: 16 clients in parallel, each in a loop of connect, upgrade, close handshake, wait for the
 * server's EOF, and again. Counts the upgrades (101 with the right accept value) completed in the measured window.
 */
final class Handshakes implements ClientConnection.Listener {

    private static final int PARALLEL = 16;
    private static final long STUCK_NANOS = 2_000_000_000L;
    private static final long CLOSE_TIMEOUT_NANOS = 3_000_000_000L;

    private final byte[] closeFrame = ClientFrames.close();
    private final Set<ClientConnection> live = new HashSet<>();
    private final Set<ClientConnection> upgraded = new HashSet<>();
    private EventLoop loop;
    private boolean measuring;
    private boolean stopping;
    private long upgrades;
    private long errors;
    private long stuck;
    private String firstError = "";

    JsonLine run(Settings settings, JsonLine out) throws IOException {
        ProcessProbe server = new ProcessProbe(settings.serverPid());
        try (EventLoop eventLoop = new EventLoop(settings)) {
            loop = eventLoop;
            for (int i = 0; i < PARALLEL; i++) {
                openOne();
            }
            long warm = System.nanoTime();
            loop.run(warm + settings.warmupNanos(), 50, this::closeStuck, () -> false);
            long cpu0 = server.cpuMicros();
            long t0 = System.nanoTime();
            measuring = true;
            loop.run(t0 + settings.measureNanos(), 50, this::closeStuck, () -> false);
            measuring = false;
            long t1 = System.nanoTime();
            long cpu1 = server.cpuMicros();
            stopping = true;
            loop.run(System.nanoTime() + CLOSE_TIMEOUT_NANOS, 50, this::closeStuck, live::isEmpty);
            double seconds = (t1 - t0) / 1e9;
            out.put("parallel", PARALLEL).put("seconds", seconds).put("upgrades", upgrades)
                    .put("upgrades_per_s", upgrades / seconds)
                    .put("server_cpu_us_per_upgrade", upgrades == 0 ? -1 : (double) (cpu1 - cpu0) / upgrades)
                    .put("errors", errors).put("closed_without_eof", stuck).put("first_error", firstError);
            return out;
        }
    }

    private void openOne() {
        try {
            live.add(loop.open(4096, this));
        } catch (IOException e) {
            error(e.toString());
        }
    }

    /** A connection that is still there {@value #STUCK_NANOS} ns after its close frame is closed by the client. */
    private void closeStuck() {
        long now = System.nanoTime();
        for (ClientConnection connection : List.copyOf(live)) {
            if (connection.state() == ClientConnection.State.CLOSING && now - connection.closingSince() > STUCK_NANOS) {
                stuck++;
                connection.close(null);
            }
        }
    }

    @Override
    public void onOpen(ClientConnection connection) {
        if (measuring) {
            upgrades++;
        }
        upgraded.add(connection);
        connection.startClose(closeFrame);
    }

    @Override
    public void onMessage(ClientConnection connection, long payloadBytes) {
        // the echo server sends nothing but its close frame here
    }

    @Override
    public void onClosed(ClientConnection connection, String failure) {
        live.remove(connection);
        boolean wasUpgraded = upgraded.remove(connection);
        if (failure != null || !wasUpgraded) {
            error(failure != null ? failure : "closed before the upgrade");
        }
        if (!stopping) {
            openOne();
        }
    }

    private void error(String failure) {
        if (measuring) {
            errors++;
        }
        if (firstError.isEmpty()) {
            firstError = failure;
        }
    }
}
