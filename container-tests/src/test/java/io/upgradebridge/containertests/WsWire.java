package io.upgradebridge.containertests;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A WebSocket client over a raw socket, written independently of the project's codec: it sends exactly
 * the bytes a test asks for (including invalid frames) and decodes what the server answers.
 */
final class WsWire implements AutoCloseable {

    /** Opcodes of RFC 6455 section 5.2. */
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    /** RSV1, the bit permessage-deflate uses, as the {@code rsv} argument of {@link #frame}. */
    static final int RSV1 = 0b100;

    /** One frame from the server ({@code payload} unmasked when the server masked it). */
    record ServerFrame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {

        ServerFrame(boolean fin, int rsv, int opcode, byte[] payload) {
            this(fin, rsv, opcode, payload, false);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1 when its payload has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        /** The reason of a close frame (bytes after the code, as UTF-8), or "". */
        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        /** For failure messages: {@code CLOSE fin rsv=0 2 bytes code=1002 reason='...'} and the like. */
        @Override
        public String toString() {
            String name = switch (opcode) {
                case CONTINUATION -> "CONTINUATION";
                case TEXT -> "TEXT";
                case BINARY -> "BINARY";
                case CLOSE -> "CLOSE";
                case PING -> "PING";
                case PONG -> "PONG";
                default -> "opcode " + opcode;
            };
            StringBuilder text = new StringBuilder(name).append(fin ? " fin" : " not-fin").append(" rsv=").append(rsv)
                .append(masked ? " masked " : " ").append(payload.length).append(" bytes");
            if (opcode == CLOSE) {
                text.append(" code=").append(closeCode()).append(" reason='").append(closeReason()).append('\'');
            } else if (payload.length <= 40 && (opcode != BINARY)) {
                text.append(" '").append(text()).append('\'');
            }
            return text.toString();
        }
    }

    private static final Random RANDOM = new Random(6455);
    final RawHttpClient http;
    final RawHttpClient.ResponseHead head;

    private WsWire(RawHttpClient http, RawHttpClient.ResponseHead head) {
        this.http = http;
        this.head = head;
    }

    /** Opens a WebSocket with a correct handshake and checks the 101 and its accept key. */
    static WsWire open(EmbeddedContainer container, String path, String... extraHeaders) throws Exception {
        return open(container.port(), container.kind().toString(), path, extraHeaders);
    }

    /** {@link #open(EmbeddedContainer, String, String...)} to any server on 127.0.0.1:{@code port}, named {@code server}. */
    static WsWire open(int port, String server, String path, String... extraHeaders) throws Exception {
        byte[] keyBytes = new byte[16];
        RANDOM.nextBytes(keyBytes);
        String key = Base64.getEncoder().encodeToString(keyBytes);
        RawHttpClient http = RawHttpClient.connect(port);
        try {
            RawHttpClient.ResponseHead head = sendHandshake(http, port, path, key, extraHeaders);
            assertEquals(101, head.status(), () -> server + ": " + head);
            assertEquals(acceptKey(key), head.header("Sec-WebSocket-Accept").orElse(null), head::toString);
            assertEquals(1, head.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("Upgrade")).count(),
                () -> "exactly one Upgrade header: " + head);
            return new WsWire(http, head);
        } catch (Exception | Error e) {
            http.close();
            throw e;
        }
    }

    /**
     * Sends a correct handshake (plus {@code extraHeaders}) and returns the answer's head whatever its status, then
     * closes the connection: for handshakes that a server may refuse.
     */
    static RawHttpClient.ResponseHead handshake(EmbeddedContainer container, String path, String... extraHeaders)
            throws IOException {
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            return sendHandshake(http, container.port(), path, "dGhlIHNhbXBsZSBub25jZQ==", extraHeaders);
        }
    }

    private static RawHttpClient.ResponseHead sendHandshake(RawHttpClient http, int port, String path, String key,
                                                            String... extraHeaders) throws IOException {
        String[] headers = new String[5 + extraHeaders.length];
        headers[0] = "Host: 127.0.0.1:" + port;
        headers[1] = "Upgrade: websocket";
        headers[2] = "Connection: Upgrade";
        headers[3] = "Sec-WebSocket-Key: " + key;
        headers[4] = "Sec-WebSocket-Version: 13";
        System.arraycopy(extraHeaders, 0, headers, 5, extraHeaders.length);
        http.sendHead("GET " + path + " HTTP/1.1", headers);
        return http.readResponseHead();
    }

    /** The {@code Sec-WebSocket-Accept} value for {@code key} (RFC 6455 section 4.2.2). */
    static String acceptKey(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bounds every later read (and {@link #awaitTcpClose}'s default) to {@code timeout}. */
    WsWire readTimeout(Duration timeout) throws IOException {
        http.socket().setSoTimeout(Math.toIntExact(timeout.toMillis()));
        return this;
    }

    /** A client frame: masked (with a random key) unless told otherwise. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        byte[] mask = null;
        if (masked) {
            mask = new byte[4];
            RANDOM.nextBytes(mask);
        }
        return frame(fin, rsv, opcode, payload, mask);
    }

    /**
     * A frame with the shortest length encoding for {@code payload}, masked with {@code mask} (4 bytes), or unmasked
     * when {@code mask} is {@code null}. {@code rsv} holds RSV1 to RSV3 as bits 2 to 0 ({@link #RSV1} = 4).
     */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, byte[] mask) {
        boolean masked = mask != null;
        if (masked && mask.length != 4) {
            throw new IllegalArgumentException("a masking key has 4 bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (((long) payload.length) >>> (8 * i)) & 0xFF);
            }
        }
        if (masked) {
            out.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] text(String s, boolean fin) {
        return frame(fin, 0, 0x1, s.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Bytes from ints, for hex written as in the RFCs: {@code bytes(0x81, 0x05)}. */
    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** A masked client frame. */
    static byte[] masked(boolean fin, int opcode, byte[] payload) {
        return frame(fin, 0, opcode, payload, true);
    }

    /** A masked close frame with {@code code} and {@code reason}. */
    static byte[] close(int code, String reason) {
        return masked(true, CLOSE, closePayload(code, reason.getBytes(StandardCharsets.UTF_8)));
    }

    /** A close payload: the code in two bytes, then the reason's bytes as given (possibly not UTF-8). */
    static byte[] closePayload(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }

    /**
     * Writes {@code frames} in one write: a server that closes after the first of them (a close frame, say) cannot
     * make the rest fail with a broken pipe, and frames meant to arrive together do.
     */
    WsWire send(byte[]... frames) throws IOException {
        if (frames.length == 1) {
            http.output().write(frames[0]);
        } else {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] f : frames) {
                all.writeBytes(f);
            }
            http.output().write(all.toByteArray());
        }
        http.output().flush();
        return this;
    }

    /** Reads one server frame; fails on a masked server frame. */
    ServerFrame read() throws IOException {
        ServerFrame frame = readAllowingMask();
        if (frame.masked()) {
            throw new AssertionError("the server masked a frame: " + frame);
        }
        return frame;
    }

    /** Reads one server frame, masked or not, and unmasks it. */
    ServerFrame readAllowingMask() throws IOException {
        return decode(http.input());
    }

    /** Decodes one frame from {@code in} (a server frame; also a client's, whose payload it unmasks). */
    static ServerFrame decode(InputStream in) throws IOException {
        int b0 = readByte(in);
        int b1 = readByte(in);
        boolean masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte(in) << 8) | readByte(in);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(in);
            }
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("frame length " + length + " cannot be held in one array");
        }
        byte[] mask = masked ? readExactly(in, 4) : null;
        byte[] payload = readExactly(in, (int) length);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new ServerFrame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, payload, masked);
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("the server closed the connection after " + bytes.length + " of " + n + " payload bytes");
        }
        return bytes;
    }

    /** Waits (bounded) until the server closes TCP; fails when more bytes arrive. */
    void awaitTcpClose(Duration timeout) throws IOException {
        http.socket().setSoTimeout(Math.toIntExact(timeout.toMillis()));
        try {
            int b = http.input().read();
            if (b >= 0) {
                throw new AssertionError("expected TCP close, got another byte: " + b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close TCP within " + timeout, e);
        } catch (IOException reset) {
            // closed with a reset
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
