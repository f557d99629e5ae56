package io.upgradebridge.containertests;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A raw HTTP/1.1 client over one {@link Socket} to 127.0.0.1, for tests that need to see and send exact bytes
 * (upgrades, half-closed connections, pipelining).
 *
 * <p>{@link #readResponseHead()} reads the status line and headers byte by byte from the socket's own
 * stream, so not one byte after the blank line is consumed: after it, {@link #input()} and {@link #output()}
 * are the socket's streams, positioned at the first byte of the body (or of the upgraded protocol). Every read
 * is bounded by the socket timeout.
 *
 * <pre>{@code
 * try (RawHttpClient client = RawHttpClient.connect(container.port())) {
 *     client.sendHead("GET /hello HTTP/1.1", "Host: 127.0.0.1", "Connection: close");
 *     RawHttpClient.ResponseHead head = client.readResponseHead();
 *     String body = new String(client.readBody(head), UTF_8);
 * }
 * }</pre>
 */
public final class RawHttpClient implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; connect and every read time out after 10 s. */
    public static RawHttpClient connect(int port) throws IOException {
        return connect(port, DEFAULT_TIMEOUT);
    }

    public static RawHttpClient connect(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    Math.toIntExact(timeout.toMillis()));
            return new RawHttpClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One request with {@code Connection: close}: status, headers and the whole body. */
    public static Response get(int port, String path) throws IOException {
        try (RawHttpClient client = connect(port)) {
            client.sendHead("GET " + path + " HTTP/1.1", "Host: 127.0.0.1:" + port, "Connection: close");
            ResponseHead head = client.readResponseHead();
            return new Response(head, client.readBody(head));
        }
    }

    /** Writes the request line, the header lines and the blank line (CRLF endings), then flushes. */
    public RawHttpClient sendHead(String requestLine, String... headerLines) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(requestLine.getBytes(StandardCharsets.ISO_8859_1));
        head.writeBytes(CRLF);
        for (String line : headerLines) {
            head.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
            head.writeBytes(CRLF);
        }
        head.writeBytes(CRLF);
        return send(head.toByteArray());
    }

    /** Writes raw bytes and flushes. */
    public RawHttpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Reads one response head (a 1xx head too): up to and including the blank line, nothing more.
     *
     * @throws EOFException if the connection ends first
     */
    public ResponseHead readResponseHead() throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int size = statusLine.length();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            size += line.length();
            if (size > MAX_HEAD_BYTES) {
                throw new IOException("response head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return new ResponseHead(statusLine, Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "",
                List.copyOf(headers));
    }

    /**
     * Reads the body that follows {@code head}: {@code Content-Length} bytes, a decoded chunked body (trailers
     * skipped), or everything up to the end of the stream.
     */
    public byte[] readBody(ResponseHead head) throws IOException {
        if (head.status() / 100 == 1 || head.status() == 204 || head.status() == 304) {
            return new byte[0];
        }
        if (head.header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
                .orElse(false)) {
            return readChunked();
        }
        Optional<String> length = head.header("Content-Length");
        if (length.isPresent()) {
            return readExactly(Integer.parseInt(length.get()));
        }
        return in.readAllBytes();
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer lines
                }
                return body.toByteArray();
            }
            body.writeBytes(readExactly(size));
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    /** Reads exactly {@code n} bytes from {@link #input()}. */
    public byte[] readExactly(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("expected " + n + " bytes, got " + bytes.length);
        }
        return bytes;
    }

    /** Reads one CRLF-terminated line (ISO-8859-1), one byte at a time; the CRLF is consumed, not returned. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + line.size() + " bytes of a line: "
                        + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_HEAD_BYTES) {
                throw new IOException("line longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.write(b);
            previous = b;
        }
    }

    /** @return the socket's input stream (nothing buffered in between) */
    public InputStream input() {
        return in;
    }

    /** @return the socket's output stream */
    public OutputStream output() {
        return out;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A status line and the header fields in order; names compare case-insensitively. */
    public record ResponseHead(String statusLine, int status, String reason,
                               List<Map.Entry<String, String>> headers) {

        /** @return the first value of header {@code name} */
        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst();
        }
    }

    /** A whole response, as {@link #get(int, String)} reads it. */
    public record Response(ResponseHead head, byte[] body) {

        public int status() {
            return head.status();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
