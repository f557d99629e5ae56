package io.upgradebridge.containertests;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The client side of permessage-deflate (RFC 7692) for tests, written with the JDK's raw {@link Deflater} and
 * {@link Inflater} only: compresses whole messages the way a client must (sync flush, the {@code 00 00 ff ff} tail
 * taken off) and inflates the server's (tail put back). The windows are kept between messages unless the agreement
 * says otherwise. Not thread-safe; {@link #close()} frees the native memory.
 */
final class DeflateClient implements AutoCloseable {

    /** The tail a sync flush ends with, which a permessage-deflate sender removes (RFC 7692 section 7.2.1). */
    static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    /** No test message inflates to more than this: a bound against a runaway inflation. */
    private static final int MAX_INFLATED = 64 * 1024 * 1024;

    private final Deflater deflater;
    private final Inflater inflater = new Inflater(true);
    private final boolean resetDeflaterPerMessage;

    /**
     * @param level the {@link Deflater} level
     * @param clientNoContextTakeover whether the client's compressor starts afresh for every message
     */
    DeflateClient(int level, boolean clientNoContextTakeover) {
        this.deflater = new Deflater(level, true);
        this.resetDeflaterPerMessage = clientNoContextTakeover;
    }

    /**
     * The parameters of a {@code permessage-deflate} response header value, e.g.
     * {@code permessage-deflate; server_no_context_takeover} gives {@code {server_no_context_takeover=""}}; empty when
     * {@code headerValue} is {@code null} or names no permessage-deflate.
     */
    static Optional<Map<String, String>> responseParameters(String headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        for (String extension : headerValue.split(",")) {
            String[] parts = extension.split(";");
            if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
                continue;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] nameValue = parts[i].split("=", 2);
                String value = nameValue.length > 1 ? nameValue[1].trim().replace("\"", "") : "";
                parameters.put(nameValue[0].trim().toLowerCase(Locale.ROOT), value);
            }
            return Optional.of(parameters);
        }
        return Optional.empty();
    }

    /** Compresses one whole message into the payload of its frame(s) (for RSV1 on the first). */
    byte[] compress(byte[] message) {
        if (resetDeflaterPerMessage) {
            deflater.reset();
        }
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        // a sync flush is complete when the deflater filled less than the whole buffer
        for (int n = buffer.length; n == buffer.length; ) {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        }
        byte[] compressed = out.toByteArray();
        if (!endsWithTail(compressed)) {
            throw new IllegalStateException("a sync flush did not end with 00 00 ff ff: " + hex(compressed));
        }
        return Arrays.copyOf(compressed, compressed.length - TAIL.length);
    }

    /**
     * Inflates the payload of one whole compressed message from the server (its frames' payloads joined).
     *
     * @throws DataFormatException when the bytes are not a deflate stream that continues the earlier messages
     */
    byte[] inflate(byte[] payload) throws DataFormatException {
        if (inflater.finished()) {
            inflater.reset(); // the server ended its stream with a final block: the next message starts a new one
        }
        byte[] input = Arrays.copyOf(payload, payload.length + TAIL.length);
        System.arraycopy(TAIL, 0, input, payload.length, TAIL.length);
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!inflater.needsInput() && !inflater.finished()) {
            int n = inflater.inflate(buffer);
            if (n == 0 && !inflater.needsInput() && !inflater.finished()) {
                throw new DataFormatException(inflater.needsDictionary() ? "the stream asks for a preset dictionary"
                    : "the inflater makes no progress");
            }
            out.write(buffer, 0, n);
            if (out.size() > MAX_INFLATED) {
                throw new DataFormatException("inflates to more than " + MAX_INFLATED + " bytes");
            }
        }
        // after a final block come at most the empty stored block a sender appends (its first byte) and our tail
        if (inflater.finished() && inflater.getRemaining() > TAIL.length + 1) {
            throw new DataFormatException(inflater.getRemaining() + " bytes after the final deflate block");
        }
        return out.toByteArray();
    }

    /** Whether {@code bytes} ends with {@code 00 00 ff ff}. */
    static boolean endsWithTail(byte[] bytes) {
        return bytes.length >= TAIL.length
            && Arrays.equals(bytes, bytes.length - TAIL.length, bytes.length, TAIL, 0, TAIL.length);
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < bytes.length && i < 64; i++) {
            text.append(String.format("%02x ", bytes[i] & 0xFF));
        }
        return bytes.length > 64 ? text + "... (" + bytes.length + " bytes)" : text.toString().trim();
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
    }
}
