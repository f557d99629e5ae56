package io.upgradebridge.containertests;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's {@code redis-server} as a child process on 127.0.0.1 (a port it picks, kept across {@link #restart()}),
 * without persistence; {@link #stop()} ends it. {@code -Dredis.path=...} for another binary.
 */
final class RedisServer implements AutoCloseable {

    static final Path REDIS = Path.of(System.getProperty("redis.path", "/usr/bin/redis-server"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private int port;
    private ChildProcess process;

    private RedisServer(Path dir) {
        this.dir = dir;
    }

    static boolean installed() {
        return Files.isExecutable(REDIS);
    }

    /** Starts a server in {@code dir} (its log: {@code dir/redis.log}) on a free port; tries three ports at most. */
    static RedisServer start(Path dir) throws Exception {
        RedisServer redis = new RedisServer(dir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            redis.port = ChildProcess.freePorts(1)[0];
            try {
                redis.startProcess();
                return redis;
            } catch (IOException e) {
                last = e; // most likely someone took the port in between: another one
            }
        }
        throw last;
    }

    private void startProcess() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        process = ChildProcess.start("redis-server", List.of(REDIS.toString(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
            "--protected-mode", "yes", "--loglevel", "notice"), dir.resolve("redis.log"));
        try {
            process.awaitPort(port, START_TIMEOUT);
            awaitPong();
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.stop();
            throw e;
        }
    }

    private void awaitPong() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String answer = command("PING");
            if (answer.startsWith("+PONG")) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("redis-server answers PING with " + answer + ":\n" + process.logTail());
            }
            Thread.sleep(50); // "-LOADING" while it starts
        }
    }

    int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, the sample's {@code io.upgradebridge.sample.chat.redis} value. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends one inline command and returns the first line of the answer (RESP), e.g. {@code +PONG}. */
    String command(String inline) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.getOutputStream().write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    /** Ends the server (SIGTERM, then bounded waits). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.stop();
        }
    }

    /** Starts the server again on the same port (after {@link #stop()}). */
    void restart() throws Exception {
        stop();
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                startProcess();
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw last;
    }

    String logTail() {
        return process == null ? "" : process.logTail();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
