package io.upgradebridge.websockets.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Byte helpers for the permessage-deflate tests. */
final class DeflateTestSupport {

    private DeflateTestSupport() {
    }

    /** Bytes from hex pairs separated by spaces: {@code "f2 48 cd"}. */
    static byte[] hex(String pairs) {
        String[] parts = pairs.trim().isEmpty() ? new String[0] : pairs.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    /** The remaining bytes of {@code buffer}, without moving its position. */
    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Text-like data that compresses well but not trivially: words from a small vocabulary, seeded. */
    static byte[] words(Random random, int length) {
        String[] vocabulary = {"frame", "message", "deflate", "window", "context", "takeover", "server", "client",
                "payload", "socket", "Hello", "0123456789", "{\"id\":", "},", "\n"};
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 16);
        while (out.size() < length) {
            out.writeBytes(ascii(vocabulary[random.nextInt(vocabulary.length)]));
            out.write(' ');
        }
        byte[] all = out.toByteArray();
        byte[] exact = new byte[length];
        System.arraycopy(all, 0, exact, 0, length);
        return exact;
    }

    /** Data that does not compress. */
    static byte[] noise(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
