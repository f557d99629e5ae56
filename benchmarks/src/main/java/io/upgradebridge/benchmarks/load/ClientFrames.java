package io.upgradebridge.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Client frames built and masked once, up front (RFC 6455 5.3), so that the load loop only copies bytes. One
 * fixed mask key per frame: a server cannot tell and the cost of masking stays out of the measurement.
 */
final class ClientFrames {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PONG = 0xA;

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private ClientFrames() {
    }

    /** A final frame of {@code opcode} carrying {@code payload}, masked. */
    static byte[] masked(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + 4 + length];
        frame[0] = (byte) (0x80 | opcode);
        if (length <= 125) {
            frame[1] = (byte) (0x80 | length);
        } else if (length <= 0xFFFF) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(MASK, 0, frame, header, 4);
        int start = header + 4;
        for (int i = 0; i < length; i++) {
            frame[start + i] = (byte) (payload[i] ^ MASK[i & 3]);
        }
        return frame;
    }

    static byte[] text(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        return masked(TEXT, payload);
    }

    static byte[] binary(int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (i * 31);
        }
        return masked(BINARY, payload);
    }

    /** A close frame with status 1000 and no reason. */
    static byte[] close() {
        return masked(CLOSE, new byte[] {0x03, (byte) 0xe8});
    }

    /** The upgrade request, with a fixed key whose accept value is {@link #ACCEPT}. */
    static byte[] upgradeRequest(int port, String path) {
        return upgradeRequest(port, path, null);
    }

    /** {@link #upgradeRequest(int, String)} offering the subprotocol {@code protocol} (none when null). */
    static byte[] upgradeRequest(int port, String path, String protocol) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + (protocol != null ? "Sec-WebSocket-Protocol: " + protocol + "\r\n" : "")
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 6455's example: the accept value for the key above. */
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
}
