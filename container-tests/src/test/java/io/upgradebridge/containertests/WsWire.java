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

    /** One frame from the server. */
    record ServerFrame(boolean fin, int rsv, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
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
        byte[] keyBytes = new byte[16];
        RANDOM.nextBytes(keyBytes);
        String key = Base64.getEncoder().encodeToString(keyBytes);
        RawHttpClient http = RawHttpClient.connect(container.port());
        String[] headers = new String[5 + extraHeaders.length];
        headers[0] = "Host: 127.0.0.1:" + container.port();
        headers[1] = "Upgrade: websocket";
        headers[2] = "Connection: Upgrade";
        headers[3] = "Sec-WebSocket-Key: " + key;
        headers[4] = "Sec-WebSocket-Version: 13";
        System.arraycopy(extraHeaders, 0, headers, 5, extraHeaders.length);
        http.sendHead("GET " + path + " HTTP/1.1", headers);
        RawHttpClient.ResponseHead head = http.readResponseHead();
        assertEquals(101, head.status(), () -> container.kind() + ": " + head);
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(accept, head.header("Sec-WebSocket-Accept").orElse(null), head::toString);
        assertEquals(1, head.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("Upgrade")).count(),
            () -> "exactly one Upgrade header: " + head);
        return new WsWire(http, head);
    }

    /** A client frame: masked unless told otherwise. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
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
        byte[] mask = new byte[4];
        if (masked) {
            RANDOM.nextBytes(mask);
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

    WsWire send(byte[]... frames) throws IOException {
        for (byte[] f : frames) {
            http.output().write(f);
        }
        http.output().flush();
        return this;
    }

    /** Reads one server frame; fails on a masked server frame. */
    ServerFrame read() throws IOException {
        InputStream in = http.input();
        int b0 = readByte(in);
        int b1 = readByte(in);
        if ((b1 & 0x80) != 0) {
            throw new AssertionError("the server masked a frame");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte(in) << 8) | readByte(in);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(in);
            }
        }
        byte[] payload = http.readExactly(Math.toIntExact(length));
        return new ServerFrame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, payload);
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
