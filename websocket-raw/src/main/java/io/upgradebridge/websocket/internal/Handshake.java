package io.upgradebridge.websocket.internal;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.servlet.ApplicationCall;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The server side of the RFC 6455 section 4.2 opening handshake, and of its HTTP/2 form (RFC 8441's extended CONNECT):
 * the checks and the accept key.
 */
public final class Handshake {

    /** The GUID RFC 6455 appends to the client's key. */
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The {@code :protocol} of RFC 8441's extended CONNECT for a WebSocket. */
    public static final String CONNECT_PROTOCOL = "websocket";

    private Handshake() {
    }

    /** {@link #GUID} as the bytes hashed after the key. */
    private static final byte[] GUID_BYTES = GUID.getBytes(StandardCharsets.ISO_8859_1);

    /**
     * A SHA-1 digest that is never used itself, only cloned: a clone skips the provider lookup and reflective
     * construction of {@code MessageDigest.getInstance} on every handshake. {@code null} when this JVM's SHA-1 cannot
     * be cloned (or is missing): each handshake then asks {@code getInstance}. Race: none, threads only clone it.
     */
    private static final MessageDigest SHA1_PROTOTYPE = sha1Prototype();

    private static MessageDigest sha1Prototype() {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.clone(); // throws here, once, where this provider's SHA-1 cannot be cloned
            return sha1;
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            return null;
        }
    }

    private static MessageDigest sha1() throws NoSuchAlgorithmException {
        MessageDigest prototype = SHA1_PROTOTYPE;
        if (prototype != null) {
            try {
                return (MessageDigest) prototype.clone();
            } catch (CloneNotSupportedException e) {
                // checked when the prototype was made; fall back all the same
            }
        }
        return MessageDigest.getInstance("SHA-1");
    }

    /** {@code Sec-WebSocket-Accept} for a client's {@code Sec-WebSocket-Key}. */
    public static String acceptKey(String clientKey) {
        try {
            MessageDigest sha1 = sha1();
            sha1.update(clientKey.trim().getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1.digest(GUID_BYTES));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which RFC 6455 requires", e);
        }
    }

    /**
     * The answer's headers: {@code Upgrade: websocket}, {@code Connection: Upgrade}, {@code Sec-WebSocket-Accept}
     * (not over an extended CONNECT, which has no key to answer); with a protocol {@code Sec-WebSocket-Protocol}, with
     * extensions {@code Sec-WebSocket-Extensions}.
     */
    public static Headers responseHeaders(ApplicationCall call, String protocol, List<String> extensions) {
        Headers.Builder b = Headers.builder()
            .append("Upgrade", "websocket")
            .append("Connection", "Upgrade");
        String key = call.requestHeaders().get("Sec-WebSocket-Key");
        if (key != null && call.connectProtocol() == null) {
            b.append("Sec-WebSocket-Accept", acceptKey(key));
        }
        if (protocol != null) {
            b.append("Sec-WebSocket-Protocol", protocol);
        }
        if (!extensions.isEmpty()) {
            b.append("Sec-WebSocket-Extensions", String.join(", ", extensions));
        }
        return b.build();
    }

    /**
     * Checks the request; {@code null} when it is a valid WebSocket opening handshake that may use
     * {@code protocol}, else the error response (status and a one-line reason).
     */
    public static OutgoingContent refusal(ApplicationCall call, String protocol) {
        if (call.connectProtocol() != null) {
            return extendedConnectRefusal(call.connectProtocol(), call.requestHeaders(), protocol);
        }
        return refusal(call.method(), call.protocol(), call.requestHeaders(), protocol);
    }

    /**
     * The checks of RFC 8441 section 5 for an HTTP/2 extended CONNECT with {@code :protocol connectProtocol}: it must
     * be {@code websocket}, with {@code Sec-WebSocket-Version: 13}; there is no key (and no {@code Upgrade} or
     * {@code Connection}, which HTTP/2 forbids). {@code null} when it may be upgraded.
     */
    public static OutgoingContent extendedConnectRefusal(String connectProtocol, Headers request, String protocol) {
        if (!"websocket".equalsIgnoreCase(connectProtocol)) {
            return error(HttpStatusCode.BAD_REQUEST, "an HTTP/2 extended CONNECT for :protocol " + connectProtocol
                + " is not a WebSocket handshake (:protocol websocket)");
        }
        OutgoingContent refusal = versionRefusal(request);
        return refusal != null ? refusal : protocolRefusal(request, protocol);
    }

    /** The same checks on the request's parts. */
    public static OutgoingContent refusal(String method, String httpVersion, Headers request, String protocol) {
        if (!"GET".equals(method)) {
            return error(HttpStatusCode.METHOD_NOT_ALLOWED, "a WebSocket handshake must be a GET request, not " + method,
                "Allow", "GET");
        }
        if (!"HTTP/1.1".equals(httpVersion)) {
            return error(HttpStatusCode.BAD_REQUEST, "a WebSocket handshake needs HTTP/1.1, this request came over " + httpVersion);
        }
        if (!hasToken(request.getAll("Upgrade"), "websocket")) {
            return error(HttpStatusCode.BAD_REQUEST, "the request has no 'Upgrade: websocket' header");
        }
        if (!hasToken(request.getAll("Connection"), "upgrade")) {
            return error(HttpStatusCode.BAD_REQUEST, "the request has no 'Connection: Upgrade' header");
        }
        OutgoingContent wrongVersion = versionRefusal(request);
        if (wrongVersion != null) {
            return wrongVersion;
        }
        List<String> keys = request.getAll("Sec-WebSocket-Key");
        if (keys.size() != 1 || !isSixteenBytesOfBase64(keys.get(0).trim())) {
            return error(HttpStatusCode.BAD_REQUEST, keys.isEmpty() ? "the request has no Sec-WebSocket-Key header"
                : "Sec-WebSocket-Key must be one value of 16 bytes in base64, was " + String.join(", ", keys));
        }
        return protocolRefusal(request, protocol);
    }

    private static OutgoingContent versionRefusal(Headers request) {
        List<String> versions = request.getAll("Sec-WebSocket-Version");
        if (versions.size() != 1 || !versions.get(0).trim().equals("13")) {
            return error(HttpStatusCode.UPGRADE_REQUIRED, "this server speaks WebSocket version 13 only; the request asked for "
                + (versions.isEmpty() ? "no version" : String.join(", ", versions)), "Sec-WebSocket-Version", "13");
        }
        return null;
    }

    private static OutgoingContent protocolRefusal(Headers request, String protocol) {
        if (protocol != null) {
            List<String> offered = tokens(request.getAll("Sec-WebSocket-Protocol"));
            if (!offered.contains(protocol)) {
                return error(HttpStatusCode.BAD_REQUEST, "the server answers with subprotocol '" + protocol + "', which the client did not offer "
                    + (offered.isEmpty() ? "(it offered none)" : "(it offered " + String.join(", ", offered) + ")"));
            }
        }
        return null;
    }

    private static OutgoingContent error(HttpStatusCode status, String reason, String... headerNameValues) {
        OutgoingContent content = new TextContent(reason + "\n", ContentType.TEXT_PLAIN, status);
        if (headerNameValues.length == 0) {
            return content;
        }
        return content.wrapHeaders(h -> {
            Headers.Builder b = h.toBuilder();
            for (int i = 0; i < headerNameValues.length; i += 2) {
                b.set(headerNameValues[i], headerNameValues[i + 1]);
            }
            return b.build();
        });
    }

    /**
     * Whether {@code key} is what {@code Base64.getDecoder()} decodes to 16 bytes: 24 characters, that is 22 of the
     * base64 alphabet then the padding {@code ==} (the decoder does not look at the unused low bits of the last
     * character). Checked in place, without decoding into a byte array.
     */
    static boolean isSixteenBytesOfBase64(String key) {
        if (key.length() != 24 || key.charAt(22) != '=' || key.charAt(23) != '=') {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            char c = key.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether one of the comma-separated, trimmed parts of {@code values} is {@code token} (lower-case ASCII) once
     * lower-cased ({@code Locale.ROOT}). Compared in place: no split, list or lower-cased copy per request.
     */
    private static boolean hasToken(List<String> values, String token) {
        for (String value : values) {
            int from = 0;
            while (true) {
                int comma = value.indexOf(',', from);
                int to = comma < 0 ? value.length() : comma;
                if (isToken(value, from, to, token)) {
                    return true;
                }
                if (comma < 0) {
                    break;
                }
                from = comma + 1;
            }
        }
        return false;
    }

    /** Whether {@code value}'s characters {@code from} to {@code to}, trimmed as {@link String#trim()} does, are {@code token}. */
    private static boolean isToken(String value, int from, int to, String token) {
        while (from < to && value.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && value.charAt(to - 1) <= ' ') {
            to--;
        }
        for (int i = from; i < to; i++) {
            if (value.charAt(i) >= 0x80) {
                // lower case beyond ASCII (a Kelvin sign is a 'k'): as String.toLowerCase has it
                return value.substring(from, to).toLowerCase(Locale.ROOT).equals(token);
            }
        }
        return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
    }

    private static List<String> tokens(List<String> values) {
        List<String> tokens = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                String t = part.trim();
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }
}
