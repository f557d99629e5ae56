package io.upgradebridge.containertests.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures the {@code java.util.logging} records of one container world.
 *
 * <p>JUL is JVM-wide (the JDK loads it), and Tomcat's JULI, slf4j-jdk14 (Jetty) and {@code System.Logger} all
 * end up in it. The handler sits on the root logger and keeps only the records logged by a thread whose
 * context class loader is {@code world} or one of its descendants, so two containers running at once do not
 * see each other's lines. The logger levels stay as they are (root: INFO).
 */
final class LogCapture extends Handler {

    private static final int MAX_LINES = 10_000;

    private final ClassLoader world;
    private final Logger root = Logger.getLogger("");
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new ArrayList<>();

    private LogCapture(ClassLoader world) {
        this.world = world;
        setLevel(Level.ALL);
    }

    static LogCapture install(ClassLoader world) {
        LogCapture capture = new LogCapture(world);
        capture.root.addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !inWorld(Thread.currentThread().getContextClassLoader())) {
            return;
        }
        StringBuilder line = new StringBuilder()
                .append(record.getLevel()).append(" [").append(record.getLoggerName()).append("] ")
                .append(formatter.formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(System.lineSeparator()).append(trace);
        }
        synchronized (lines) {
            if (lines.size() < MAX_LINES) {
                lines.add(line.toString());
            }
        }
    }

    private boolean inWorld(ClassLoader loader) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == world) {
                return true;
            }
        }
        return false;
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void flush() {
    }

    /** Detaches the handler; the lines captured so far stay readable. */
    @Override
    public void close() {
        root.removeHandler(this);
    }
}
