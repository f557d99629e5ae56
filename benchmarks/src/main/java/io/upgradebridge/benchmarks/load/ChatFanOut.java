package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat fan-out benchmark's load: {@code sessions} members of the war-sample chat in rooms of {@code roomSize}
 * ({@code PATH?room=rN}, members {@code N*roomSize} to {@code N*roomSize+roomSize-1}, opened in that order, so round
 * robin puts a room's members on every node), each sending one message every {@code sendEvery} seconds (1: one a
 * second), spread evenly over the period. Every
 * message carries its sender, sequence number and send time ({@link System#nanoTime()} of this JVM, which receives
 * it too); every member of the room receives it, and each receipt by a member other than the sender is one
 * delivery: its latency is receive time minus send time.
 *
 * <pre>
 * ChatFanOut --port P --topology NAME [--path /ws/chat] [--sessions 10000] [--room-size 10] [--send-every 1]
 *            [--warmup 10] [--seconds 60] [--pids name=pid,name=pid...]
 * </pre>
 *
 * <p>Phases, each bounded in time: open every session (200 handshakes pending at most) and have each send a join
 * message and wait for its own copy (then it is in its room on its node); 2 s settle; {@code warmup} seconds of
 * sending, not measured; {@code seconds} measured (messages sent in this window count); then up to 10 s for the
 * last deliveries. Lost = deliveries expected for the measured messages ({@code roomSize - 1} each) minus those
 * received; out of order = a member got a sender's message after a later one of the same sender. The CPU of the
 * processes named in {@code --pids} (the nodes, nginx's workers, Redis) is sampled over the measured window. Prints
 * one JSON line.
 */
public final class ChatFanOut implements ClientConnection.Listener {

    private static final int MAX_PENDING = 200;
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final long OPEN_TIMEOUT_NANOS = 180_000_000_000L;
    private static final long SETTLE_NANOS = 2_000_000_000L;
    private static final long DRAIN_NANOS = 10_000_000_000L;
    private static final long CLOSE_TIMEOUT_NANOS = 20_000_000_000L;

    private final int port;
    private final String path;
    private final int sessions;
    private final int roomSize;
    private final List<byte[]> requests = new ArrayList<>();
    private final LatencySample latencies = new LatencySample(1 << 21);
    private final List<ClientConnection> connections = new ArrayList<>();
    private final boolean[] joined;
    private final boolean[] opened;
    /** [receiver][sender's place in the room]: the last sequence number received. */
    private final int[][] lastSeq;
    private final int[] nextSeq;
    private EventLoop loop;
    private int started;
    private int pending;
    private int joinedCount;
    private int open;
    private long windowStart = Long.MAX_VALUE;
    private long windowEnd = Long.MAX_VALUE;
    private long sentInWindow;
    private long deliveredInWindow;
    private long deliveredTotal;
    private long outOfOrder;
    private long late;
    private long errors;
    private boolean stopping;
    private String firstError = "";

    private ChatFanOut(int port, String path, int sessions, int roomSize) {
        this.port = port;
        this.path = path;
        this.sessions = sessions;
        this.roomSize = roomSize;
        joined = new boolean[sessions];
        opened = new boolean[sessions];
        lastSeq = new int[sessions][roomSize];
        for (int[] row : lastSeq) {
            java.util.Arrays.fill(row, -1);
        }
        nextSeq = new int[sessions];
        for (int room = 0; room * roomSize < sessions; room++) {
            String separator = path.contains("?") ? "&" : "?";
            requests.add(ClientFrames.upgradeRequest(port, path + separator + "room=r" + room, "chat"));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].substring(2), args[i + 1]);
        }
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "10000"));
        int roomSize = Integer.parseInt(options.getOrDefault("room-size", "10"));
        if (sessions % roomSize != 0 || roomSize < 2) {
            throw new IllegalArgumentException("--sessions must be a multiple of --room-size, which must be 2 or more");
        }
        ChatFanOut run = new ChatFanOut(Integer.parseInt(options.get("port")), options.getOrDefault("path", "/ws/chat"),
            sessions, roomSize);
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String entry : options.getOrDefault("pids", "").split(",")) {
            if (!entry.isBlank()) {
                String[] nameAndPid = entry.split("=");
                pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
            }
        }
        int sendEvery = Integer.parseInt(options.getOrDefault("send-every", "1"));
        JsonLine out = new JsonLine().put("topology", options.getOrDefault("topology", "?"))
            .put("path", run.path).put("sessions", (long) sessions).put("room_size", (long) roomSize)
            .put("send_every_s", (long) sendEvery);
        run.run(sendEvery, Double.parseDouble(options.getOrDefault("warmup", "10")),
            Double.parseDouble(options.getOrDefault("seconds", "60")), pids, out);
        System.out.println(out);
    }

    private void run(int sendEvery, double warmupSeconds, double seconds, Map<String, Long> pids, JsonLine out)
            throws IOException {
        try (EventLoop eventLoop = new EventLoop(port, path)) {
            loop = eventLoop;
            long openStart = System.nanoTime();
            openMore();
            loop.run(openStart + OPEN_TIMEOUT_NANOS, 20, this::openMore, () -> joinedCount + errors >= sessions);
            long openMillis = (System.nanoTime() - openStart) / 1_000_000;
            loop.run(System.nanoTime() + SETTLE_NANOS, 100, () -> { }, () -> false);

            long t0 = System.nanoTime();
            windowStart = t0 + (long) (warmupSeconds * 1e9);
            windowEnd = windowStart + (long) (seconds * 1e9);
            Map<String, Long> cpu0 = new LinkedHashMap<>();
            boolean[] sampled = {false};
            long[] lastMilli = {-1};
            // member i sends at i % period ms of every period: evenly spread, one message per period each
            int period = sendEvery * 1000;
            List<List<ClientConnection>> slots = new ArrayList<>();
            for (int i = 0; i < period; i++) {
                slots.add(new ArrayList<>());
            }
            for (ClientConnection connection : connections) {
                slots.get(connection.id % period).add(connection);
            }
            loop.run(windowEnd, 2, () -> {
                long now = System.nanoTime();
                if (!sampled[0] && now - windowStart >= 0) {
                    sampled[0] = true;
                    pids.forEach((name, pid) -> cpu0.put(name, cpu(pid)));
                }
                long milli = (now - t0) / 1_000_000;
                for (long m = lastMilli[0] + 1; m <= milli; m++) {
                    for (ClientConnection connection : slots.get((int) (m % period))) {
                        send(connection, System.nanoTime());
                    }
                }
                lastMilli[0] = milli;
            }, () -> false);
            Map<String, Long> cpu1 = new LinkedHashMap<>();
            pids.forEach((name, pid) -> cpu1.put(name, cpu(pid)));
            long expected = sentInWindow * (roomSize - 1);
            loop.run(System.nanoTime() + DRAIN_NANOS, 100, () -> { }, () -> deliveredInWindow >= expected);

            out.put("rooms", (long) (sessions / roomSize)).put("open_ms", openMillis).put("joined", (long) joinedCount)
                .put("seconds", seconds).put("sent", sentInWindow).put("late", late)
                .put("expected_deliveries", expected).put("delivered", deliveredInWindow)
                .put("lost", expected - deliveredInWindow).put("out_of_order", outOfOrder)
                .put("msgs_per_s", sentInWindow / seconds).put("deliveries_per_s", deliveredInWindow / seconds)
                .put("p50_us", latencies.percentileMicros(50)).put("p99_us", latencies.percentileMicros(99))
                .put("p999_us", latencies.percentileMicros(99.9)).put("max_us", latencies.percentileMicros(100));
            double cpuTotal = 0;
            for (String name : pids.keySet()) {
                Long before = cpu0.get(name);
                double share = before == null || before < 0 || cpu1.get(name) < 0 ? -1 : (cpu1.get(name) - before) / 1e6 / seconds;
                out.put("cpu_" + name, share);
                cpuTotal += Math.max(0, share);
            }
            out.put("cpu_servers", cpuTotal);
            closeAll();
            out.put("errors", errors).put("first_error", firstError);
        }
    }

    private static long cpu(long pid) {
        try {
            return new ProcessProbe(pid).cpuMicros();
        } catch (IOException e) {
            return -1;
        }
    }

    private void openMore() {
        while (started < sessions && pending < MAX_PENDING) {
            int id = started++;
            pending++;
            try {
                connections.add(loop.open(BUFFER_SIZE, this, requests.get(id / roomSize)));
            } catch (IOException e) {
                pending--;
                error(e.toString());
            }
        }
    }

    /** {@code m SENDER SEQ NANOS}, or the join message {@code j SENDER}. */
    private void send(ClientConnection connection, long now) {
        if (connection.state() != ClientConnection.State.OPEN) {
            return;
        }
        int seq = nextSeq[connection.id]++;
        byte[] frame = ClientFrames.masked(ClientFrames.TEXT,
            ("m " + connection.id + " " + seq + " " + now).getBytes(StandardCharsets.US_ASCII));
        if (!connection.sendSmall(frame)) {
            late++;
            return;
        }
        if (now - windowStart >= 0 && now - windowEnd < 0) {
            sentInWindow++;
        }
        connection.flush();
    }

    @Override
    public void onOpen(ClientConnection connection) {
        open++;
        opened[connection.id] = true;
        connection.sendSmall(ClientFrames.masked(ClientFrames.TEXT,
            ("j " + connection.id).getBytes(StandardCharsets.US_ASCII)));
        connection.flush();
    }

    @Override
    public void onMessagePayload(ClientConnection receiver, byte[] payload, int length) {
        long now = System.nanoTime();
        if (length < 3) {
            return;
        }
        if (payload[0] == 'j') {
            int sender = parseInt(payload, 2, length);
            if (sender == receiver.id && !joined[sender]) {
                joined[sender] = true;
                joinedCount++;
                pending--;
                openMore();
            }
            return;
        }
        // m SENDER SEQ NANOS
        int p = 2;
        int senderEnd = indexOf(payload, p, length);
        int sender = parseInt(payload, p, senderEnd);
        int seqEnd = indexOf(payload, senderEnd + 1, length);
        int seq = parseInt(payload, senderEnd + 1, seqEnd);
        long sentAt = parseLong(payload, seqEnd + 1, length);
        if (sender == receiver.id) {
            return; // the sender's own copy: no fan-out
        }
        int place = sender % roomSize;
        if (seq <= lastSeq[receiver.id][place]) {
            outOfOrder++;
        }
        lastSeq[receiver.id][place] = seq;
        deliveredTotal++;
        if (sentAt - windowStart >= 0 && sentAt - windowEnd < 0) {
            deliveredInWindow++;
            latencies.record(now - sentAt);
        }
    }

    @Override
    public void onMessage(ClientConnection connection, long payloadBytes) {
        // counted in onMessagePayload
    }

    private static int indexOf(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == ' ') {
                return i;
            }
        }
        return end;
    }

    private static int parseInt(byte[] bytes, int from, int end) {
        return (int) parseLong(bytes, from, end);
    }

    private static long parseLong(byte[] bytes, int from, int end) {
        long value = 0;
        boolean negative = from < end && bytes[from] == '-';
        for (int i = negative ? from + 1 : from; i < end; i++) {
            value = value * 10 + (bytes[i] - '0');
        }
        return negative ? -value : value;
    }

    private void closeAll() throws IOException {
        stopping = true;
        for (ClientConnection connection : List.copyOf(connections)) {
            connection.startClose(ClientFrames.close());
        }
        loop.run(System.nanoTime() + CLOSE_TIMEOUT_NANOS, 100, () -> { }, () -> open == 0);
    }

    @Override
    public void onClosed(ClientConnection connection, String failure) {
        if (opened[connection.id]) {
            opened[connection.id] = false;
            open--;
        }
        if (!joined[connection.id] && !stopping) {
            joined[connection.id] = true; // not pending any more
            pending--;
            error(failure != null ? failure : "closed before it joined");
            openMore();
            return;
        }
        if (failure != null && !stopping) {
            error(failure);
        }
    }

    private void error(String failure) {
        errors++;
        if (firstError.isEmpty()) {
            firstError = failure;
        }
    }
}
