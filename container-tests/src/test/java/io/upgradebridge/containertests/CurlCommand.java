package io.upgradebridge.containertests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs a curl command line that a user is told to type (the README's, the sample page's) in {@code bash}, types
 * lines into it as a user would, and checks what it prints. Skipped (an assumption) where curl or bash is missing.
 */
final class CurlCommand {

    private static final long WAIT_SECONDS = 10;

    private CurlCommand() {
    }

    /**
     * @return the first command of a shell snippet: its first line and the lines it continues onto with a trailing
     *         backslash, joined as the shell joins them
     */
    static String firstCommand(String snippet) {
        StringBuilder command = new StringBuilder();
        for (String line : snippet.lines().toList()) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                if (command.length() == 0) {
                    continue;
                }
                break;
            }
            if (line.endsWith("\\")) {
                command.append(line, 0, line.length() - 1);
            } else {
                command.append(line);
                break;
            }
        }
        return command.toString().strip();
    }

    /**
     * Runs {@code command}, types each of {@code lines} and waits (bounded) for it to come back, the first one after a
     * {@code 101} head; then ends the process (as Ctrl-C would) and everything it started.
     */
    static void assertEchoesLines(String command, String... lines) throws Exception {
        assumeTrue(onPath("curl") && onPath("bash"), "curl or bash is not installed: the command is not tried");
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("(read failed: " + e + ")");
            }
        }, "curl-output");
        reader.setDaemon(true);
        reader.start();
        List<String> seen = new ArrayList<>();
        try {
            OutputStream in = process.getOutputStream();
            boolean first = true;
            for (String line : lines) {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                if (first) {
                    // curl -T . sends the request with the first bytes typed: the 101 comes after the first line
                    String status = next(output, seen);
                    assertTrue(status != null && status.startsWith("HTTP/1.1 101"), () -> "`" + command + "` printed " + seen);
                    first = false;
                }
                String echoed;
                do {
                    echoed = next(output, seen);
                } while (echoed != null && !echoed.equals(line));
                assertTrue(echoed != null, () -> "`" + command + "` did not print the typed line '" + line
                    + "' within " + WAIT_SECONDS + " s: " + seen);
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static String next(BlockingQueue<String> output, List<String> seen) throws InterruptedException {
        String line = output.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (line != null) {
            seen.add(line);
        }
        return line;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
