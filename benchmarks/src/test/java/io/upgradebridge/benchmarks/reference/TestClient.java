package io.upgradebridge.benchmarks.reference;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking test client for the reference servers: raw bytes, masked client frames, server frames read whole. */
final class TestClient implements AutoCloseable {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    /** RFC 6455 section 1.3: the accept value of {@link #KEY}. */
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final byte[] MASK = {0x11, (byte) 0xa5, 0x3c, (byte) 0xf0};

    /** One frame as the server sent it. */
    record Frame(int b0, byte[] payload) {
        boolean fin() {
            return (b0 & 0x80) != 0;
        }

        int opcode() {
            return b0 & 0x0F;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    TestClient(int port) throws IOException {
        socket = new Socket();
        // a small receive window: what the server sends fills its socket soon, and it must wait for OP_WRITE
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000); // a server that stops answering fails the test instead of hanging it
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static String request(String path, String key, String version) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + (key != null ? "Sec-WebSocket-Key: " + key + "\r\n" : "")
                + "Sec-WebSocket-Version: " + version + "\r\n\r\n";
    }

    /** Sends {@code request} and returns the response head (up to the blank line). */
    String exchangeHead(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return readHead();
    }

    String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Upgrades at /echo; fails unless the answer is a 101 with the right accept value. */
    TestClient upgrade() throws IOException {
        String head = exchangeHead(request("/echo", KEY, "13"));
        if (!head.startsWith("HTTP/1.1 101 ") || !head.contains("Sec-WebSocket-Accept: " + ACCEPT + "\r\n")) {
            throw new IOException("not upgraded: " + head);
        }
        return this;
    }

    /** A masked client frame: {@code b0} (fin, opcode) as given. */
    static byte[] frame(int b0, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(b0);
        int length = payload.length;
        if (length <= 125) {
            frame.write(0x80 | length);
        } else if (length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) length >>> (8 * i)));
            }
        }
        frame.writeBytes(MASK);
        for (int i = 0; i < length; i++) {
            frame.write(payload[i] ^ MASK[i & 3]);
        }
        return frame.toByteArray();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("a server frame must not be masked");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0, payload);
    }

    /** True when the server closes the connection next (nothing more arrives). */
    boolean atEof() throws IOException {
        return in.read() < 0;
    }


    @Override
    public void close() throws IOException {
        socket.close();
    }
}
