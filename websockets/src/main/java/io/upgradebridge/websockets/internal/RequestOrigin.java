package io.upgradebridge.websockets.internal;

import io.upgradebridge.content.Headers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The origin a request was addressed to ({@code scheme://host[:port]}, as a browser writes it in {@code Origin}):
 * from the {@code Host} header and whether the request came over TLS, or, when the peer that sent it is a trusted
 * proxy, from what the proxy says the client asked for: RFC 7239 {@code Forwarded} ({@code host=}, {@code proto=})
 * if present, else {@code X-Forwarded-Host}, {@code X-Forwarded-Proto} and {@code X-Forwarded-Port}.
 *
 * <p>Behind several proxies, {@code Forwarded} elements are walked from the right (the one the nearest proxy added)
 * while their {@code for=} names another trusted proxy; the element at which the chain reaches the client tells
 * the origin. {@code X-Forwarded-*} headers carry no such chain of custody: of a comma-separated list the right-most
 * value counts, the one the nearest (trusted) proxy set, never a value the client may have put in front.
 */
public final class RequestOrigin {

    /** A host as an origin writes it: a name or an IPv4 literal, or an IPv6 literal in brackets; then maybe a port. */
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?");
    private static final Pattern ORIGIN = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(.+)");

    private RequestOrigin() {
    }

    /**
     * @param headers       the request headers
     * @param secure        whether the request came over TLS
     * @param remoteAddress the peer as {@code ApplicationCall.remoteAddress()} gives it ({@code address:port})
     * @param trusted       the proxies whose forwarded headers count
     * @return the normalized origin (lower case, default port left out), or {@code null} when it cannot be told (no
     *         {@code Host}, or a trusted proxy's header that does not parse)
     */
    public static String of(Headers headers, boolean secure, String remoteAddress, TrustedProxies trusted) {
        String scheme = secure ? "https" : "http";
        String host = last(headers.getAll("Host"));
        if (!trusted.isEmpty() && trusted.trusts(peerAddress(remoteAddress))) {
            List<String> forwarded = headers.getAll("Forwarded");
            if (!forwarded.isEmpty()) {
                Map<String, String> element = clientElement(forwarded, trusted);
                if (element == null) {
                    return null;
                }
                scheme = element.getOrDefault("proto", scheme);
                host = element.getOrDefault("host", host);
            } else {
                String forwardedProto = last(headers.getAll("X-Forwarded-Proto"));
                String forwardedHost = last(headers.getAll("X-Forwarded-Host"));
                String forwardedPort = last(headers.getAll("X-Forwarded-Port"));
                if (forwardedProto != null) {
                    scheme = forwardedProto;
                }
                if (forwardedHost != null) {
                    host = forwardedHost;
                }
                if (forwardedPort != null && host != null && !hasPort(host)) {
                    host = host + ":" + forwardedPort;
                }
            }
        }
        return host == null ? null : normalize(scheme + "://" + host);
    }

    /**
     * @return {@code origin} (an {@code Origin} header value) lower case and without the scheme's default port, with
     *         {@code ws}/{@code wss} read as {@code http}/{@code https}; {@code null} when it is no
     *         {@code http(s)://host[:port]} (for instance {@code null}, the origin of a sandboxed page)
     */
    public static String normalize(String origin) {
        if (origin == null) {
            return null;
        }
        Matcher m = ORIGIN.matcher(origin.trim());
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        scheme = switch (scheme) {
            case "ws" -> "http";
            case "wss" -> "https";
            default -> scheme;
        };
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        Matcher host = HOST.matcher(m.group(2));
        if (!host.matches()) {
            return null;
        }
        String name = host.group(1).toLowerCase(Locale.ROOT);
        String port = host.group(2);
        if (port != null) {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                return null;
            }
            port = Integer.toString(number);
            if (port.equals(scheme.equals("https") ? "443" : "80")) {
                port = null;
            }
        }
        return scheme + "://" + name + (port != null ? ":" + port : "");
    }

    /**
     * The {@code Forwarded} element that says what the client asked for: walking from the right while the element's
     * {@code for=} is another trusted proxy. {@code null} when the header does not parse.
     */
    static Map<String, String> clientElement(List<String> headerLines, TrustedProxies trusted) {
        List<Map<String, String>> elements = parseForwarded(String.join(",", headerLines));
        if (elements == null || elements.isEmpty()) {
            return null;
        }
        int i = elements.size() - 1;
        while (i > 0 && trusted.trusts(nodeAddress(elements.get(i).get("for")))) {
            i--;
        }
        return elements.get(i);
    }

    /**
     * RFC 7239 section 4: {@code element *( "," element )}, element = {@code pair *( ";" pair )}, pair =
     * {@code token "=" ( token / quoted-string )}; parameter names lower case. {@code null} when malformed.
     */
    static List<Map<String, String>> parseForwarded(String value) {
        List<Map<String, String>> elements = new ArrayList<>();
        Map<String, String> element = new LinkedHashMap<>();
        int i = 0;
        int n = value.length();
        while (true) {
            i = skipSpaces(value, i);
            if (i < n && value.charAt(i) == ',') { // an empty element (RFC 7230's list rule allows them)
                i++;
                continue;
            }
            if (i >= n) {
                break;
            }
            int nameStart = i;
            while (i < n && isTokenChar(value.charAt(i))) {
                i++;
            }
            if (i == nameStart || i >= n || value.charAt(i) != '=') {
                return null;
            }
            String name = value.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i++;
            String parameter;
            if (i < n && value.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < n) {
                        quoted.append(value.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        quoted.append(c);
                    }
                }
                if (!closed) {
                    return null;
                }
                parameter = quoted.toString();
            } else {
                int valueStart = i;
                while (i < n && isTokenChar(value.charAt(i))) {
                    i++;
                }
                if (i == valueStart) {
                    return null;
                }
                parameter = value.substring(valueStart, i);
            }
            if (element.putIfAbsent(name, parameter) != null) {
                return null; // a parameter twice in one element (section 4: MUST NOT)
            }
            i = skipSpaces(value, i);
            if (i >= n) {
                break;
            }
            char separator = value.charAt(i++);
            if (separator == ',') {
                elements.add(element);
                element = new LinkedHashMap<>();
            } else if (separator != ';') {
                return null;
            }
        }
        if (!element.isEmpty()) {
            elements.add(element);
        }
        for (Map<String, String> e : elements) {
            String proto = e.get("proto");
            if (proto != null) {
                String lower = proto.toLowerCase(Locale.ROOT);
                if (!lower.equals("http") && !lower.equals("https") && !lower.equals("ws") && !lower.equals("wss")) {
                    return null;
                }
                e.put("proto", lower);
            }
            String host = e.get("host");
            if (host != null && !HOST.matcher(host).matches()) {
                return null;
            }
        }
        return elements;
    }

    /** The address of a {@code for=} node ({@code 192.0.2.43}, {@code [2001:db8::17]:4711}, {@code unknown}). */
    static String nodeAddress(String node) {
        if (node == null) {
            return null;
        }
        if (node.startsWith("[")) {
            int end = node.indexOf(']');
            return end > 0 ? node.substring(0, end + 1) : null;
        }
        int colon = node.indexOf(':');
        return colon >= 0 ? node.substring(0, colon) : node;
    }

    /** The address part of {@code address:port} (IPv6 addresses contain colons too: the port is after the last). */
    static String peerAddress(String remoteAddress) {
        if (remoteAddress == null) {
            return null;
        }
        int colon = remoteAddress.lastIndexOf(':');
        return colon > 0 ? remoteAddress.substring(0, colon) : remoteAddress;
    }

    private static boolean hasPort(String host) {
        int bracket = host.lastIndexOf(']');
        return host.indexOf(':', bracket + 1) >= 0;
    }

    /** The right-most value of a comma-separated header over all its lines, or {@code null}. */
    private static String last(List<String> lines) {
        for (int l = lines.size() - 1; l >= 0; l--) {
            String[] values = lines.get(l).split(",");
            for (int v = values.length - 1; v >= 0; v--) {
                String value = values[v].trim();
                if (!value.isEmpty()) {
                    return value;
                }
            }
        }
        return null;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** RFC 7230 tchar. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
