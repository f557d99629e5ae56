package io.upgradebridge.containertests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A test client of the {@code echo-lines} protocol served by the test app's {@code EchoUpgradeServlet}. */
final class EchoLinesClient implements AutoCloseable {

    private final RawHttpClient http;
    final RawHttpClient.ResponseHead head;

    private EchoLinesClient(RawHttpClient http, RawHttpClient.ResponseHead head) {
        this.http = http;
        this.head = head;
    }

    /** Opens a connection to {@code pathAndQuery} and upgrades it; fails unless the answer is 101. */
    static EchoLinesClient open(EmbeddedContainer container, String pathAndQuery, String... extraHeaders) throws IOException {
        RawHttpClient http = RawHttpClient.connect(container.port());
        try {
            String[] headers = new String[3 + extraHeaders.length];
            headers[0] = "Host: 127.0.0.1:" + container.port();
            headers[1] = "Connection: Upgrade";
            headers[2] = "Upgrade: echo-lines";
            System.arraycopy(extraHeaders, 0, headers, 3, extraHeaders.length);
            http.sendHead("GET " + pathAndQuery + " HTTP/1.1", headers);
            RawHttpClient.ResponseHead head = http.readResponseHead();
            assertEquals(101, head.status(), () -> "expected 101 from " + container.kind() + " for " + pathAndQuery + " but got " + head);
            return new EchoLinesClient(http, head);
        } catch (IOException | RuntimeException | Error e) {
            http.close();
            throw e;
        }
    }

    InputStream in() {
        return http.input();
    }

    OutputStream out() {
        return http.output();
    }

    java.net.Socket socket() {
        return http.socket();
    }

    EchoLinesClient send(String text) throws IOException {
        http.send(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    String read(int n) throws IOException {
        return new String(http.readExactly(n), StandardCharsets.UTF_8);
    }

    /** Sends a line and reads its echo. */
    String roundTrip(String line) throws IOException {
        send(line + "\n");
        return read(line.length() + 1);
    }

    /**
     * Waits, without sending anything, until the server closes the connection.
     *
     * @return milliseconds until the end of the stream (a reset counts as an end)
     * @throws AssertionError when bytes arrive instead or nothing happens within {@code timeout}
     */
    long awaitServerClose(Duration timeout) throws IOException {
        long start = System.nanoTime();
        http.socket().setSoTimeout(Math.toIntExact(timeout.toMillis()));
        try {
            int b = http.input().read();
            if (b >= 0) {
                throw new AssertionError("expected the server to close the connection, but a byte arrived: " + b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + timeout, e);
        } catch (IOException reset) {
            // a reset is a close too
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** What the server's {@code StatsServlet} says about connection {@code id}. */
    static Map<String, String> stats(EmbeddedContainer container, String id) throws IOException {
        RawHttpClient.Response response = RawHttpClient.get(container.port(), "/stats" + (id == null ? "" : "?id=" + id));
        assertEquals(200, response.status(), response::bodyText);
        Map<String, String> stats = new LinkedHashMap<>();
        for (String line : response.bodyText().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                stats.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return stats;
    }

    /** Polls the stats of {@code id} until {@code condition} holds; fails after {@code timeout}. */
    static Map<String, String> awaitStats(EmbeddedContainer container, String id, Predicate<Map<String, String>> condition,
                                          Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> last;
        do {
            last = stats(container, id);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(container.kind() + ": " + what + " did not happen within " + timeout + "; last stats " + last);
    }
}
