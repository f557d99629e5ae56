package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The small and large scenarios: a fixed number of connections, each keeping a fixed number of identical messages
 * in flight (a new one leaves as each echo arrives). After a warm-up, counts echoes, their round-trip times and
 * the server's CPU time over the measured window.
 */
final class PipelinedEcho implements ClientConnection.Listener {

    private static final int LATENCY_SAMPLES = 1 << 20;
    private static final long OPEN_TIMEOUT_NANOS = 10_000_000_000L;
    private static final long CLOSE_TIMEOUT_NANOS = 3_000_000_000L;

    private final int connections;
    private final int inFlight;
    private final int payloadSize;
    private final byte[] smallFrame;
    private final ByteBuffer largeFrame;
    private final int bufferSize;
    private final LatencySample latencies = new LatencySample(LATENCY_SAMPLES);
    private final List<ClientConnection> open = new ArrayList<>();
    private boolean measuring;
    private boolean stopping;
    private long messages;
    private long payloadBytes;
    private long errors;
    private long closed;
    private String firstError = "";

    private PipelinedEcho(int connections, int inFlight, int payloadSize, boolean binary) {
        this.connections = connections;
        this.inFlight = inFlight;
        this.payloadSize = payloadSize;
        byte[] frame = binary ? ClientFrames.binary(payloadSize) : ClientFrames.text(payloadSize);
        boolean large = frame.length > 4096;
        this.smallFrame = large ? null : frame;
        this.largeFrame = large ? ByteBuffer.wrap(frame) : null;
        this.bufferSize = large ? 256 * 1024 : 64 * 1024;
    }

    /** 64-byte text messages, 32 connections x 16 in flight. */
    static PipelinedEcho small() {
        return new PipelinedEcho(32, 16, 64, false);
    }

    /** 1 MiB binary messages, 4 connections x 1 in flight. */
    static PipelinedEcho large() {
        return new PipelinedEcho(4, 1, 1024 * 1024, true);
    }

    JsonLine run(Settings settings, JsonLine out) throws IOException {
        ProcessProbe server = new ProcessProbe(settings.serverPid());
        ProcessProbe self = ProcessProbe.self();
        try (EventLoop loop = new EventLoop(settings)) {
            for (int i = 0; i < connections; i++) {
                loop.open(bufferSize, this);
            }
            long start = System.nanoTime();
            loop.run(start + OPEN_TIMEOUT_NANOS, 100, () -> { }, () -> open.size() + closed >= connections);
            long warm = System.nanoTime();
            loop.run(warm + settings.warmupNanos(), 100, () -> { }, () -> false);
            long cpu0 = server.cpuMicros();
            long self0 = self.cpuMicros();
            long t0 = System.nanoTime();
            measuring = true;
            loop.run(t0 + settings.measureNanos(), 100, () -> { }, () -> false);
            measuring = false;
            long t1 = System.nanoTime();
            long cpu1 = server.cpuMicros();
            long self1 = self.cpuMicros();
            stopping = true;
            for (ClientConnection connection : List.copyOf(open)) {
                connection.startClose(ClientFrames.close());
            }
            loop.run(System.nanoTime() + CLOSE_TIMEOUT_NANOS, 100, () -> { }, () -> open.isEmpty());
            double seconds = (t1 - t0) / 1e9;
            out.put("connections", connections).put("in_flight", inFlight).put("payload_bytes", payloadSize)
                    .put("seconds", seconds).put("messages", messages)
                    .put("msgs_per_s", messages / seconds)
                    .put("mb_per_s", payloadBytes / 1e6 / seconds)
                    .put("p50_us", latencies.percentileMicros(50))
                    .put("p99_us", latencies.percentileMicros(99))
                    .put("server_cpu_us_per_msg", messages == 0 ? -1 : (double) (cpu1 - cpu0) / messages)
                    .put("client_cpu_us_per_msg", messages == 0 ? -1 : (double) (self1 - self0) / messages)
                    .put("server_cpu_share", (cpu1 - cpu0) / 1e6 / seconds)
                    .put("errors", errors).put("first_error", firstError);
            return out;
        }
    }

    @Override
    public void onOpen(ClientConnection connection) {
        open.add(connection);
        SendTimes times = new SendTimes(inFlight);
        connection.attachment = times;
        for (int i = 0; i < inFlight; i++) {
            send(connection, times);
        }
    }

    private void send(ClientConnection connection, SendTimes times) {
        if (smallFrame != null) {
            if (!connection.sendSmall(smallFrame)) {
                return;
            }
        } else {
            connection.sendLarge(largeFrame);
        }
        times.push(System.nanoTime());
    }

    @Override
    public void onMessage(ClientConnection connection, long bytes) {
        SendTimes times = (SendTimes) connection.attachment;
        long sent = times.pop();
        if (measuring && sent >= 0) {
            latencies.record(System.nanoTime() - sent);
            messages++;
            payloadBytes += bytes;
        }
        if (!stopping && connection.state() == ClientConnection.State.OPEN) {
            send(connection, times);
        }
    }

    @Override
    public void onClosed(ClientConnection connection, String failure) {
        open.remove(connection);
        closed++;
        if (failure != null && !stopping) {
            errors++;
            if (firstError.isEmpty()) {
                firstError = failure;
            }
        }
    }
}
