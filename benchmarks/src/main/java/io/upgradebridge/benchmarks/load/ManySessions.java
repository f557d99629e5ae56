package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;

/**
 * The idle and scale scenarios: opens many sessions (at most {@value #MAX_PENDING} handshakes at a time), sends one
 * 64-byte text message on each to be sure it works, then either measures what the idle sessions cost the server
 * (heap after full GC, RSS, threads) or has every session echo one message a second for a while.
 */
final class ManySessions implements ClientConnection.Listener {

    private static final int MAX_PENDING = 200;
    private static final int BUFFER_SIZE = 4096;
    private static final int IN_FLIGHT_LIMIT = 4;
    private static final long OPEN_TIMEOUT_NANOS = 90_000_000_000L;
    private static final long SETTLE_NANOS = 2_000_000_000L;
    private static final long DRAIN_NANOS = 3_000_000_000L;
    private static final long CLOSE_TIMEOUT_NANOS = 10_000_000_000L;

    private final byte[] message = ClientFrames.text(64);
    private final Set<ClientConnection> open = new LinkedHashSet<>();
    /** Sessions that have answered their check message, or failed before: no longer pending. */
    private final BitSet counted = new BitSet();
    private final LatencySample latencies = new LatencySample(1 << 20);
    private EventLoop loop;
    private int target;
    private int started;
    private int pending;
    private long ready;
    private long sent;
    private long received;
    private long late;
    private long errors;
    private boolean stopping;
    private String firstError = "";

    JsonLine runIdle(Settings settings, JsonLine out) throws IOException, InterruptedException {
        ProcessProbe server = new ProcessProbe(settings.serverPid());
        // RSS right after a full GC both times: G1 may give memory back during one
        long heap0 = server.liveHeapKb();
        server.histogramTo("before");
        long rss0 = server.rssKb();
        settings.threads().before(); // again: jcmd has just started the server's attach listener thread
        try (EventLoop eventLoop = new EventLoop(settings)) {
            long openSeconds = openAll(eventLoop, settings.sessions());
            loop.run(System.nanoTime() + SETTLE_NANOS, 100, () -> { }, () -> false);
            long heap1 = server.liveHeapKb();
            server.histogramTo("after");
            long rss1 = server.rssKb();
            long threadsWithSessions = server.threads();
            String poolsWithSessions = server.threadPools();
            long sessions = Math.max(1, ready);
            out.put("sessions", ready).put("open_ms", openSeconds)
                    .put("heap_before_kb", heap0).put("heap_after_kb", heap1)
                    .put("heap_per_session_bytes", (heap1 - heap0) * 1024.0 / sessions)
                    .put("rss_before_kb", rss0).put("rss_after_kb", rss1)
                    .put("rss_per_session_bytes", (rss1 - rss0) * 1024.0 / sessions)
                    .put("target_sessions", settings.sessions()).put("threads_sessions", threadsWithSessions)
                    .put("thread_pools_sessions", poolsWithSessions);
            closeAll();
            out.put("errors", errors).put("first_error", firstError);
            return out;
        }
    }

    JsonLine runScale(Settings settings, JsonLine out) throws IOException {
        ProcessProbe server = new ProcessProbe(settings.serverPid());
        try (EventLoop eventLoop = new EventLoop(settings)) {
            long openMillis = openAll(eventLoop, settings.sessions());
            long threadsOpen = server.threads();
            // session i sends at i % 1000 ms of every second: one message a second each, spread evenly
            List<List<ClientConnection>> slots = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                slots.add(new ArrayList<>());
            }
            for (ClientConnection connection : open) {
                slots.get(connection.id % 1000).add(connection);
            }
            long[] threadRange = {threadsOpen, threadsOpen};
            long cpu0 = server.cpuMicros();
            long t0 = System.nanoTime();
            long[] lastMilli = {-1};
            long[] nextThreadSample = {t0};
            loop.run(t0 + settings.measureNanos(), 5, () -> {
                long now = System.nanoTime();
                long milli = (now - t0) / 1_000_000;
                for (long m = lastMilli[0] + 1; m <= milli; m++) {
                    for (ClientConnection connection : slots.get((int) (m % 1000))) {
                        sendOne(connection);
                    }
                }
                lastMilli[0] = milli;
                if (now - nextThreadSample[0] >= 0) {
                    nextThreadSample[0] = now + 1_000_000_000L;
                    try {
                        long threads = server.threads();
                        threadRange[0] = Math.min(threadRange[0], threads);
                        threadRange[1] = Math.max(threadRange[1], threads);
                    } catch (IOException e) {
                        error(e.toString());
                    }
                }
            }, () -> false);
            long t1 = System.nanoTime();
            long cpu1 = server.cpuMicros();
            loop.run(System.nanoTime() + DRAIN_NANOS, 100, () -> { }, () -> received >= sent);
            long rss = server.rssKb();
            double seconds = (t1 - t0) / 1e9;
            out.put("sessions", ready).put("open_ms", openMillis).put("seconds", seconds)
                    .put("sent", sent).put("received", received).put("missing", sent - received).put("late", late)
                    .put("msgs_per_s", received / seconds)
                    .put("p50_us", latencies.percentileMicros(50)).put("p99_us", latencies.percentileMicros(99))
                    .put("server_cpu_share", (cpu1 - cpu0) / 1e6 / seconds)
                    .put("rss_kb", rss)
                    .put("threads_open", threadsOpen)
                    .put("threads_min", threadRange[0]).put("threads_max", threadRange[1]);
            closeAll();
            out.put("errors", errors).put("first_error", firstError);
            return out;
        }
    }

    /** Opens {@code count} sessions and has each echo one message; returns how long that took, in ms. */
    private long openAll(EventLoop eventLoop, int count) throws IOException {
        loop = eventLoop;
        target = count;
        long start = System.nanoTime();
        openMore();
        loop.run(start + OPEN_TIMEOUT_NANOS, 20, this::openMore, () -> ready + errors >= target);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private void openMore() {
        while (started < target && pending < MAX_PENDING) {
            started++;
            pending++;
            try {
                loop.open(BUFFER_SIZE, this);
            } catch (IOException e) {
                pending--;
                error(e.toString());
            }
        }
    }

    private void sendOne(ClientConnection connection) {
        SendTimes times = (SendTimes) connection.attachment;
        if (connection.state() != ClientConnection.State.OPEN) {
            return;
        }
        if (times.full() || !connection.sendSmall(message)) {
            late++;
            return;
        }
        times.push(System.nanoTime());
        sent++;
        connection.flush();
    }

    private void closeAll() throws IOException {
        stopping = true;
        for (ClientConnection connection : List.copyOf(open)) {
            connection.startClose(ClientFrames.close());
        }
        loop.run(System.nanoTime() + CLOSE_TIMEOUT_NANOS, 100, () -> { }, open::isEmpty);
    }

    @Override
    public void onOpen(ClientConnection connection) {
        open.add(connection);
        connection.attachment = new SendTimes(IN_FLIGHT_LIMIT);
        sendOne(connection);
        sent--; // the check message is not part of the scale figures
    }

    @Override
    public void onMessage(ClientConnection connection, long payloadBytes) {
        SendTimes times = (SendTimes) connection.attachment;
        long sentAt = times.pop();
        if (!isCounted(connection)) {
            // the check message: this session works
            markCounted(connection);
            pending--;
            ready++;
            openMore();
            return;
        }
        if (sentAt >= 0) {
            latencies.record(System.nanoTime() - sentAt);
        }
        received++;
    }

    private boolean isCounted(ClientConnection connection) {
        return counted.get(connection.id);
    }

    private void markCounted(ClientConnection connection) {
        counted.set(connection.id);
    }

    @Override
    public void onClosed(ClientConnection connection, String failure) {
        open.remove(connection);
        if (!isCounted(connection)) {
            pending--;
            markCounted(connection);
            if (failure == null) {
                failure = "closed before its first echo";
            }
        }
        if (failure != null && !stopping) {
            error(failure);
        }
        if (!stopping) {
            openMore();
        }
    }

    private void error(String failure) {
        errors++;
        if (firstError.isEmpty()) {
            firstError = failure;
        }
    }
}
