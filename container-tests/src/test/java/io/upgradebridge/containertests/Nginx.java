package io.upgradebridge.containertests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Debian's nginx as a child process in the foreground ({@code daemon off}), with everything under one folder of
 * the test's: {@code nginx.conf}, the pid file, {@code logs/error.log}, {@code logs/access.log} and the temp paths.
 * The test writes the contents of the {@code http} block for ports this class picks (free a moment ago, checked when
 * nginx starts: a port taken in between makes it try again with others), and the servers listen on 127.0.0.1 only.
 * {@code -Dnginx.path=...} for another binary.
 *
 * <p>The access log has one line per request, written when the request ends (for a WebSocket: when it closes):
 * {@code METHOD URI STATUS UPSTREAM_ADDRESSES}, the upstreams nginx tried, in order, separated by ", ".
 */
final class Nginx implements AutoCloseable {

    static final Path NGINX = Path.of(System.getProperty("nginx.path", "/usr/sbin/nginx"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final ChildProcess process;
    private final int[] ports;

    private Nginx(Path dir, ChildProcess process, int[] ports) {
        this.dir = dir;
        this.process = process;
        this.ports = ports;
    }

    static boolean installed() {
        return Files.isExecutable(NGINX);
    }

    /**
     * Starts nginx in {@code dir} with {@code portCount} listening ports.
     *
     * @param mainContext directives of the main context (e.g. {@code worker_processes 2;}), may be empty
     * @param events      the contents of the {@code events} block
     * @param http        builds the contents of the {@code http} block from the ports; its servers must listen on
     *                    {@code 127.0.0.1:PORT} for each of them (nginx is ready when all accept connections)
     */
    static Nginx start(Path dir, int portCount, String mainContext, String events, Function<int[], String> http)
            throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("temp"));
        // the workers run as nobody when the tests run as root: let them reach the temp paths
        if (dir.getParent() != null) {
            openUp(dir.getParent());
        }
        openUp(dir);
        openUp(dir.resolve("temp"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int[] ports = ChildProcess.freePorts(portCount);
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config(dir, mainContext, events, http.apply(ports)), StandardCharsets.UTF_8);
            ChildProcess process = ChildProcess.start("nginx", List.of(NGINX.toString(), "-p", dir + "/", "-c",
                conf.toString(), "-e", dir.resolve("logs/error.log").toString()), dir.resolve("logs/stdout.log"));
            try {
                for (int port : ports) {
                    process.awaitPort(port, START_TIMEOUT);
                }
                return new Nginx(dir, process, ports);
            } catch (IOException e) {
                process.stop();
                last = new IOException(e.getMessage() + "\nerror.log:\n" + ChildProcess.tail(dir.resolve("logs/error.log")), e);
            }
        }
        throw last;
    }

    private static void openUp(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: nothing to open up
        }
    }

    private static String config(Path dir, String mainContext, String events, String http) {
        String temp = dir.resolve("temp").toString();
        return "# written by the container tests (" + Nginx.class.getName() + ")\n"
            + "daemon off;\n"
            + "pid " + dir.resolve("nginx.pid") + ";\n"
            + "error_log " + dir.resolve("logs/error.log") + " notice;\n"
            + mainContext + "\n"
            + "events {\n" + events + "\n}\n"
            + "http {\n"
            + "  log_format upstreams '$request_method $request_uri $status $upstream_addr';\n"
            + "  access_log " + dir.resolve("logs/access.log") + " upstreams;\n"
            + "  client_body_temp_path " + temp + "/client_body;\n"
            + "  proxy_temp_path " + temp + "/proxy;\n"
            + "  fastcgi_temp_path " + temp + "/fastcgi;\n"
            + "  uwsgi_temp_path " + temp + "/uwsgi;\n"
            + "  scgi_temp_path " + temp + "/scgi;\n"
            + http + "\n"
            + "}\n";
    }

    /** The listening ports, in the order the {@code http} builder got them. */
    int port(int index) {
        return ports[index];
    }

    /** The access log's lines so far. */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("logs/access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** The last 4,000 characters of the error log, for failure messages. */
    String errorLog() {
        return ChildProcess.tail(dir.resolve("logs/error.log"));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Ends nginx (fast shutdown on SIGTERM) and its workers, bounded. */
    @Override
    public void close() throws InterruptedException {
        process.stop();
    }

    @Override
    public String toString() {
        return "nginx " + process + " on 127.0.0.1 ports " + java.util.Arrays.toString(ports);
    }
}
