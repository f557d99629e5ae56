package io.upgradebridge.containertests.app;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the server saw of one test connection, read by tests through {@link StatsServlet}. */
public final class ConnectionStats {

    private static final Map<String, ConnectionStats> BY_ID = new ConcurrentHashMap<>();

    final AtomicLong bytesAccepted = new AtomicLong();
    volatile boolean writePending;
    private volatile ByteReadChannel input;
    private volatile ByteWriteChannel output;
    private volatile Job job;

    static ConnectionStats start(String id) {
        ConnectionStats stats = new ConnectionStats();
        if (id != null) {
            BY_ID.put(id, stats);
        }
        return stats;
    }

    static ConnectionStats get(String id) {
        return BY_ID.get(id);
    }

    static void clear() {
        BY_ID.clear();
    }

    void attach(ByteReadChannel in, ByteWriteChannel out) {
        this.input = in;
        this.output = out;
    }

    void job(Job j) {
        this.job = j;
    }

    boolean cancel() {
        Job j = job;
        return j != null && j.cancel();
    }

    Map<String, String> snapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        Job j = job;
        m.put("job", j == null ? "none" : j.isActive() ? "active" : j.isCancelled() ? "cancelled" : "completed");
        if (j != null && j.isCompleted()) {
            j.completion().whenComplete((v, e) -> m.put("jobFailure", e == null ? "none" : String.valueOf(e)));
        }
        ByteReadChannel in = input;
        if (in != null) {
            m.put("inputBuffered", String.valueOf(in.availableForRead()));
            m.put("inputClosed", String.valueOf(in.isClosedForRead()));
            m.put("inputCause", String.valueOf(in.closedCause()));
        }
        ByteWriteChannel out = output;
        if (out != null) {
            m.put("outputFree", String.valueOf(out.availableForWrite()));
            m.put("outputClosed", String.valueOf(out.isClosedForWrite()));
        }
        m.put("bytesAccepted", String.valueOf(bytesAccepted.get()));
        m.put("writePending", String.valueOf(writePending));
        return m;
    }
}
