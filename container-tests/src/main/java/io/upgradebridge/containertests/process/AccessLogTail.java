package io.upgradebridge.containertests.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Turns a server's access log into the request log of the in-JVM launchers: every line the server appends to a file of
 * its access log folder (format {@code %request%}: {@code "GET /path?query HTTP/2.0"}, written as each request is
 * answered) is logged at INFO to {@value #REQUEST_LOGGER} without its quotes. A daemon thread,
 * {@code containertests-access-log}, looks every 20 ms.
 */
final class AccessLogTail {

    /** {@code ContainerLauncher.REQUEST_LOGGER} (the agent's jar has only this package). */
    static final String REQUEST_LOGGER = "containertests.requests";
    private static final Logger LOG = Logger.getLogger(REQUEST_LOGGER);

    private AccessLogTail() {
    }

    static void start(Path folder) {
        Thread tail = new Thread(() -> follow(folder), "containertests-access-log");
        tail.setDaemon(true);
        tail.start();
    }

    private static void follow(Path folder) {
        Map<Path, Long> read = new HashMap<>();
        Map<Path, StringBuilder> partial = new HashMap<>();
        while (true) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.sorted().toList()) {
                    long from = read.getOrDefault(file, 0L);
                    if (Files.size(file) <= from) {
                        continue;
                    }
                    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                        in.seek(from);
                        byte[] bytes = new byte[(int) (in.length() - from)];
                        in.readFully(bytes);
                        read.put(file, from + bytes.length);
                        StringBuilder text = partial.computeIfAbsent(file, f -> new StringBuilder())
                            .append(new String(bytes, StandardCharsets.UTF_8));
                        int end;
                        while ((end = text.indexOf("\n")) >= 0) {
                            String line = text.substring(0, end).strip();
                            text.delete(0, end + 1);
                            if (!line.isEmpty()) {
                                LOG.info(unquoted(line));
                            }
                        }
                    }
                }
                Thread.sleep(20);
            } catch (IOException e) {
                try {
                    Thread.sleep(200); // the folder is made by the server's first request: look again
                } catch (InterruptedException interrupted) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String unquoted(String line) {
        List<String> parts = List.of(line.split("\"", -1));
        return parts.size() >= 3 ? parts.get(1) : line;
    }
}
