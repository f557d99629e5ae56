package io.upgradebridge.containertests.process;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Hands every {@code java.util.logging} record of the server's JVM to the test side in the form the in-JVM launchers
 * capture them ({@code LEVEL [logger] message}, then the stack trace of a throwable), so that a scenario reads the
 * same lines whichever JVM the container runs in: one line of this JVM's real standard output per record,
 * {@value #MARKER} and the record's text in Base64 (a record may span lines). The real standard output, because
 * application servers redirect {@code System.out} into their own logging. Sits on the root logger; the levels of the
 * loggers stay as the server sets them (root: INFO) unless the test side asks for another ({@link #setLevel}).
 */
final class LogRelay extends Handler {

    /** What starts a relayed record's line. */
    static final String MARKER = "@@record ";

    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private final SimpleFormatter formatter = new SimpleFormatter();
    /** Loggers whose level the test side set: JUL keeps loggers only weakly, and a collected one forgets its level. */
    private final java.util.Map<String, Logger> pinned = new java.util.concurrent.ConcurrentHashMap<>();

    LogRelay() {
        setLevel(Level.ALL);
    }

    /** Puts the relay on the root logger, once (a server that reconfigured its logging may have dropped it). */
    void install() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            if (handler == this) {
                return;
            }
        }
        root.addHandler(this);
    }

    /** Sets the level of {@code logger}, for the test side ({@code loglevel NAME LEVEL}); returns the previous one. */
    String setLevel(String logger, String level) {
        Logger target = pinned.computeIfAbsent(logger, Logger::getLogger);
        Level previous = target.getLevel();
        target.setLevel(level.equals("null") ? null : Level.parse(level));
        return String.valueOf(previous);
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        StringBuilder text = new StringBuilder()
            .append(record.getLevel()).append(" [").append(record.getLoggerName()).append("] ")
            .append(formatter.formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append(System.lineSeparator()).append(trace);
        }
        String line = MARKER + Base64.getEncoder().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
        synchronized (out) {
            out.println(line);
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
