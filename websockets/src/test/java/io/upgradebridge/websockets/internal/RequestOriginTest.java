package io.upgradebridge.websockets.internal;

import io.upgradebridge.content.Headers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request's own origin, with and without trusted proxies; the parsing of RFC 7239 {@code Forwarded}. */
class RequestOriginTest {

    private static final TrustedProxies PROXY = TrustedProxies.of(Set.of("10.0.0.2"));
    private static final TrustedProxies PROXIES = TrustedProxies.of(Set.of("10.0.0.0/24", "fd00::/8"));

    private static String origin(boolean secure, String peer, TrustedProxies trusted, String... headers) {
        return RequestOrigin.of(Headers.of(headers), secure, peer, trusted);
    }

    @Test
    void withoutAProxyTheOriginIsTheHostHeaderAndTheTransport() {
        assertEquals("http://example.com", origin(false, "192.0.2.1:5000", TrustedProxies.NONE, "Host", "Example.COM"));
        assertEquals("https://example.com:8443", origin(true, "192.0.2.1:5000", TrustedProxies.NONE, "Host", "example.com:8443"));
        assertEquals("https://example.com", origin(true, "192.0.2.1:5000", TrustedProxies.NONE, "Host", "example.com:443"),
            "the default port is left out");
        assertEquals("http://[::1]:8080", origin(false, "0:0:0:0:0:0:0:1:5000", TrustedProxies.NONE, "Host", "[::1]:8080"));
        assertNull(origin(false, "192.0.2.1:5000", TrustedProxies.NONE), "no Host: no origin");
    }

    @Test
    void forwardedHeadersFromAPeerThatIsNotTrustedAreIgnored() {
        String[] forged = {"Host", "internal:8080", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
            "Forwarded", "host=evil.example;proto=https"};
        assertEquals("http://internal:8080", origin(false, "10.0.0.3:5000", PROXY, forged));
        assertEquals("http://internal:8080", origin(false, "10.0.0.2:5000", TrustedProxies.NONE, forged),
            "never trusted by default");
    }

    @Test
    void aTrustedProxysXForwardedHeadersGiveTheOrigin() {
        assertEquals("https://example.com", origin(false, "10.0.0.2:5000", PROXY,
            "Host", "backend:8080", "X-Forwarded-Host", "example.com", "X-Forwarded-Proto", "https"));
        assertEquals("https://example.com:8443", origin(false, "10.0.0.2:5000", PROXY,
            "Host", "backend:8080", "X-Forwarded-Host", "example.com", "X-Forwarded-Proto", "https",
            "X-Forwarded-Port", "8443"), "X-Forwarded-Port when the host has none");
        assertEquals("https://example.com:9443", origin(false, "10.0.0.2:5000", PROXY,
            "Host", "backend:8080", "X-Forwarded-Host", "example.com:9443", "X-Forwarded-Proto", "https",
            "X-Forwarded-Port", "8443"), "the host's own port wins");
        assertEquals("https://backend:8080", origin(false, "10.0.0.2:5000", PROXY,
            "Host", "backend:8080", "X-Forwarded-Proto", "https"), "only the proto forwarded: Host stays");
        assertEquals("http://example.com", origin(false, "10.0.0.2:5000", PROXY,
            "Host", "backend", "X-Forwarded-Host", "spoofed.example, example.com"),
            "of a list, the right-most value: the one the trusted proxy set");
        assertNull(origin(false, "10.0.0.2:5000", PROXY, "Host", "backend", "X-Forwarded-Proto", "gopher"));
    }

    @Test
    void forwardedWinsOverXForwardedAndIsWalkedThroughTrustedProxies() {
        assertEquals("https://example.com", origin(false, "10.0.0.2:5000", PROXY, "Host", "backend",
            "X-Forwarded-Host", "other.example", "Forwarded", "for=192.0.2.60;proto=https;host=example.com"));
        // client -> 10.0.0.5 (trusted, set host and proto) -> 10.0.0.2 (trusted, appended its view) -> us
        assertEquals("https://example.com", origin(false, "10.0.0.2:5000", PROXIES, "Host", "backend",
            "Forwarded", "for=192.0.2.60;proto=https;host=example.com, for=10.0.0.5;proto=http;host=lb.internal"));
        // the same chain over two header lines, IPv6 proxy in quotes with a port
        assertEquals("https://example.com", origin(false, "10.0.0.2:5000", PROXIES, "Host", "backend",
            "Forwarded", "for=192.0.2.60;proto=https;host=example.com",
            "Forwarded", "for=\"[fd00::5]:4711\";proto=http;host=lb.internal"));
        // a client that wrote its own Forwarded element in front: the walk stops at the client
        assertEquals("http://lb.example", origin(false, "10.0.0.2:5000", PROXIES, "Host", "backend",
            "Forwarded", "for=10.0.0.9;host=evil.example;proto=https, for=192.0.2.60;host=lb.example;proto=http"));
        assertEquals("http://backend", origin(false, "10.0.0.2:5000", PROXY, "Host", "backend",
            "Forwarded", "for=192.0.2.60"), "an element without host or proto keeps the request's");
        assertNull(origin(false, "10.0.0.2:5000", PROXY, "Host", "backend", "Forwarded", "for=192.0.2.60;host="),
            "a malformed Forwarded from a trusted proxy: no origin, so no same-origin match");
    }

    @Test
    void parsesForwardedAsRfc7239SaysIncludingQuotedStrings() {
        assertEquals(List.of(Map.of("for", "192.0.2.60", "proto", "http", "by", "203.0.113.43"), Map.of("for", "[2001:db8:cafe::17]:4711")),
            RequestOrigin.parseForwarded("for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\""));
        assertEquals(List.of(Map.of("for", "unknown")), RequestOrigin.parseForwarded(" , for=unknown ,"));
        assertEquals(List.of(Map.of("by", "a, \"b\"", "for", "x")), RequestOrigin.parseForwarded("by=\"a, \\\"b\\\"\";for=x"),
            "a comma and escaped quotes inside a quoted string");
        assertNull(RequestOrigin.parseForwarded("for=\"unterminated"));
        assertNull(RequestOrigin.parseForwarded("for"));
        assertNull(RequestOrigin.parseForwarded("for=a;for=b"), "a parameter twice in one element");
        assertNull(RequestOrigin.parseForwarded("host=\"a b\""), "a host with a space is no host");
        assertNull(RequestOrigin.parseForwarded("proto=ftp"));
    }

    @Test
    void normalizesOrigins() {
        assertEquals("https://example.com", RequestOrigin.normalize("HTTPS://Example.com:443"));
        assertEquals("http://example.com", RequestOrigin.normalize("ws://example.com:80"));
        assertEquals("http://127.0.0.1:8080", RequestOrigin.normalize("http://127.0.0.1:08080"));
        assertNull(RequestOrigin.normalize("null"));
        assertNull(RequestOrigin.normalize("https://example.com/path"));
        assertNull(RequestOrigin.normalize("https://example.com:99999"));
        assertNull(RequestOrigin.normalize("chrome-extension://abc"));
    }

    @Test
    void trustedProxiesMatchAddressesAndBlocksAndNeverLookUpNames() {
        TrustedProxies proxies = TrustedProxies.of(Set.of("127.0.0.2", "10.1.0.0/16", "::1", "fd00::/8", "192.168.1.128/25"));
        assertTrue(proxies.trusts("127.0.0.2"));
        assertFalse(proxies.trusts("127.0.0.1"));
        assertTrue(proxies.trusts("10.1.255.3"));
        assertFalse(proxies.trusts("10.2.0.1"));
        assertTrue(proxies.trusts("192.168.1.200"));
        assertFalse(proxies.trusts("192.168.1.127"));
        assertTrue(proxies.trusts("0:0:0:0:0:0:0:1"), "Tomcat's form of ::1");
        assertTrue(proxies.trusts("[::1]"), "in brackets");
        assertTrue(proxies.trusts("fd12:3456::1"));
        assertTrue(proxies.trusts("::ffff:10.1.0.9"), "an IPv4-mapped address is the IPv4 address");
        assertFalse(proxies.trusts("localhost"));
        assertFalse(proxies.trusts("unknown"));
        assertFalse(proxies.trusts(null));
        assertFalse(TrustedProxies.NONE.trusts("127.0.0.1"));
        for (String bad : new String[] {"localhost", "proxy.example", "10.0.0.0/33", "10.0.0.0/x", "10", "", "::1/129"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(Set.of(bad)), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
