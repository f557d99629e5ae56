package io.upgradebridge.benchmarks.reference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The server side of the RFC 6455 opening handshake: checks one HTTP/1.1 request head and gives the response to
 * send, a 101 with {@code Sec-WebSocket-Accept} or an error status that says what is wrong.
 */
final class WebSocketHandshake {

    /** The one path served. */
    static final String PATH = "/echo";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    });

    /** The response to a request head, and whether the connection is upgraded by it. */
    record Response(byte[] bytes, boolean upgraded) {
    }

    private WebSocketHandshake() {
    }

    /** The value of {@code Sec-WebSocket-Accept} for a {@code Sec-WebSocket-Key}. */
    static String accept(String key) {
        MessageDigest sha1 = SHA1.get();
        sha1.reset();
        byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
    }

    /** Answers a request head (request line and header lines, without the blank line), ISO-8859-1. */
    static Response answer(String head) {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            return error(400, "Bad Request", "not an HTTP/1.1 request line: " + lines[0], "");
        }
        if (!requestLine[0].equals("GET")) {
            return error(405, "Method Not Allowed", "a WebSocket upgrade is a GET", "Allow: GET\r\n");
        }
        String path = requestLine[1];
        int query = path.indexOf('?');
        if (!(query < 0 ? path : path.substring(0, query)).equals(PATH)) {
            return error(404, "Not Found", "only " + PATH + " is served", "");
        }
        String upgrade = null;
        String connection = null;
        String version = null;
        String key = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return error(400, "Bad Request", "not a header line: " + lines[i], "");
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "upgrade" -> upgrade = value;
                case "connection" -> connection = value;
                case "sec-websocket-version" -> version = value;
                case "sec-websocket-key" -> key = value;
                default -> { }
            }
        }
        if (upgrade == null || !hasToken(upgrade, "websocket") || connection == null
                || !hasToken(connection, "upgrade")) {
            return error(426, "Upgrade Required", "send Upgrade: websocket and Connection: Upgrade",
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n");
        }
        if (!"13".equals(version)) {
            return error(426, "Upgrade Required", "only Sec-WebSocket-Version 13 is spoken",
                    "Sec-WebSocket-Version: 13\r\n");
        }
        if (key == null || !isNonce(key)) {
            return error(400, "Bad Request", "Sec-WebSocket-Key must be 16 bytes in base64", "");
        }
        String response = "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n";
        return new Response(response.getBytes(StandardCharsets.ISO_8859_1), true);
    }

    /** An error response that closes the connection, with the reason as its body. */
    static Response error(int status, String phrase, String reason, String extraHeaders) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + phrase + "\r\n"
                + extraHeaders
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return new Response(bytes, false);
    }

    private static boolean hasToken(String value, String token) {
        for (String part : value.split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNonce(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
