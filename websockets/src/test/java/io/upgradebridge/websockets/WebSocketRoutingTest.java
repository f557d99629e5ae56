package io.upgradebridge.websockets;

import io.upgradebridge.websockets.WebSocketsApp.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.upgradebridge.websockets.WebSocketsApp.handshake;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests through {@link io.upgradebridge.servlet.ProtocolUpgradeFilter} to an application with
 * {@code webSocket(...)} routes: which route answers, what a request that is no handshake hears, the origin check.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WebSocketRoutingTest {

    private static final WebSocketHandler NOTHING = session -> CompletableFuture.completedFuture(null);
    private final WebSocketsApp app = new WebSocketsApp();

    @AfterEach
    void stop() {
        app.stopFilter();
    }

    @Test
    void aHandshakeToARouteIsUpgradedAndOtherPathsGoToTheApplication() throws Exception {
        WebSockets.install(app.context()).webSocket("/ws/echo", NOTHING);

        Exchange upgraded = app.get("/ws/echo", handshake());
        assertEquals(101, upgraded.status(), upgraded::toString);
        assertEquals(1, upgraded.upgrades(), upgraded::toString);
        assertFalse(upgraded.chainCalled, "a route's request does not reach the application");
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", upgraded.header("Sec-WebSocket-Accept"), "RFC 6455's example key");
        assertEquals("websocket", upgraded.header("Upgrade"));
        assertNull(upgraded.header("Sec-WebSocket-Protocol"));
        assertNull(upgraded.header("Sec-WebSocket-Extensions"), "permessage-deflate is off by default");

        for (String path : new String[] {"/ws/echo/", "/ws", "/ws/ech", "/index.html"}) {
            Exchange other = app.get(path, handshake());
            assertTrue(other.chainCalled, other::toString);
            assertEquals(0, other.upgrades(), other::toString);
        }
    }

    @Test
    void aRequestToARouteThatIsNoHandshakeGetsTheRawRefusal() throws Exception {
        WebSockets.install(app.context()).webSocket("/ws/echo", NOTHING).webSocket("/ws/chat", "chat", NOTHING);

        Exchange plainGet = app.get("/ws/echo");
        assertEquals(400, plainGet.status(), plainGet::toString);
        assertTrue(plainGet.bodyText().contains("Upgrade: websocket"), plainGet::toString);
        assertFalse(plainGet.chainCalled);

        Exchange version = app.get("/ws/echo", "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "8",
            "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        assertEquals(426, version.status(), version::toString);
        assertEquals("13", version.header("Sec-WebSocket-Version"));

        Exchange post = app.send("POST", "/ws/echo", handshake());
        assertEquals(405, post.status(), post::toString);

        Exchange chatPlainGet = app.get("/ws/chat");
        assertEquals(400, chatPlainGet.status(), chatPlainGet::toString);
        assertTrue(chatPlainGet.bodyText().contains("Upgrade: websocket"), "the handshake is checked before the protocol: "
            + chatPlainGet);
        assertEquals(0, plainGet.upgrades() + version.upgrades() + post.upgrades() + chatPlainGet.upgrades());
    }

    @Test
    void theRouteForTheSubprotocolTheClientOfferedFirstAnswers() throws Exception {
        WebSockets.install(app.context())
            .webSocket("/multi", "a", NOTHING)
            .webSocket("/multi", "b", NOTHING)
            .webSocket("/multi", null, NOTHING);

        assertEquals("b", app.get("/multi", handshake("Sec-WebSocket-Protocol", "b, a")).header("Sec-WebSocket-Protocol"));
        assertEquals("a", app.get("/multi", handshake("Sec-WebSocket-Protocol", "x", "Sec-WebSocket-Protocol", "a, b"))
            .header("Sec-WebSocket-Protocol"), "offers over several header lines count in order");
        Exchange unknown = app.get("/multi", handshake("Sec-WebSocket-Protocol", "x, y"));
        assertEquals(101, unknown.status(), unknown::toString);
        assertNull(unknown.header("Sec-WebSocket-Protocol"), "the route without subprotocol takes unknown offers");
        Exchange none = app.get("/multi", handshake());
        assertEquals(101, none.status(), none::toString);
        assertNull(none.header("Sec-WebSocket-Protocol"));
    }

    @Test
    void aClientThatOffersNoneOfAPathsSubprotocolsGets400NamingThem() throws Exception {
        WebSockets.install(app.context()).webSocket("/chat", "chat", NOTHING).webSocket("/chat", "chat.v2", NOTHING);

        Exchange none = app.get("/chat", handshake());
        assertEquals(400, none.status(), none::toString);
        assertTrue(none.bodyText().contains("chat, chat.v2") && none.bodyText().contains("offered none"), none::toString);
        Exchange other = app.get("/chat", handshake("Sec-WebSocket-Protocol", "mqtt"));
        assertEquals(400, other.status(), other::toString);
        assertTrue(other.bodyText().contains("offered mqtt"), other::toString);
        assertEquals(0, none.upgrades() + other.upgrades());
        assertEquals("chat.v2", app.get("/chat", handshake("Sec-WebSocket-Protocol", "chat.v2, chat"))
            .header("Sec-WebSocket-Protocol"));
    }

    @Test
    void withAllowedOriginsAHandshakeFromAnotherOriginGets403() throws Exception {
        WebSockets.install(app.context(), WebSocketSettings.defaults().withAllowedOrigins(Set.of("https://good.example")))
            .webSocket("/ws", NOTHING);

        Exchange evil = app.get("/ws", handshake("Origin", "https://evil.example"));
        assertEquals(403, evil.status(), evil::toString);
        assertEquals("WebSocket handshakes from origin https://evil.example are not allowed here", evil.bodyText().strip());
        assertEquals(0, evil.upgrades());
        Exchange evilPlain = app.get("/ws", "Origin", "https://evil.example");
        assertEquals(403, evilPlain.status(), "the origin is checked first: " + evilPlain);
        Exchange nullOrigin = app.get("/ws", handshake("Origin", "null"));
        assertEquals(403, nullOrigin.status(), "a sandboxed page's origin 'null' is no allowed origin: " + nullOrigin);

        Exchange good = app.get("/ws", handshake("Origin", "HTTPS://Good.Example"));
        assertEquals(101, good.status(), "origins compare ignoring case: " + good);
        Exchange noOrigin = app.get("/ws", handshake());
        assertEquals(101, noOrigin.status(), "a client without Origin is not a browser: " + noOrigin);
    }

    /** The fake request comes from 127.0.0.1, without TLS. */
    @Test
    void sameOriginAcceptsTheRequestsOwnOriginAndBelievesForwardedHeadersOnlyFromTrustedProxies() throws Exception {
        WebSockets.install(app.context(), WebSocketSettings.defaults().withSameOrigin(true)
                .withAllowedOrigins(Set.of("https://partner.example")))
            .webSocket("/ws", NOTHING)
            .webSocket("/behind-proxy", null, s -> s.withTrustedProxies(Set.of("127.0.0.0/8")), NOTHING);

        assertEquals(101, app.get("/ws", handshake("Origin", "http://127.0.0.1")).status(), "the Host header's origin");
        assertEquals(101, app.get("/ws", handshake("Origin", "http://127.0.0.1:80")).status(), "default port ignored");
        assertEquals(101, app.get("/ws", handshake("Origin", "https://partner.example")).status(), "a listed origin");
        assertEquals(101, app.get("/ws", handshake()).status(), "no Origin: not a browser");
        assertEquals(403, app.get("/ws", handshake("Origin", "https://127.0.0.1")).status(), "another scheme");
        assertEquals(403, app.get("/ws", handshake("Origin", "http://127.0.0.1:8080")).status(), "another port");
        Exchange forged = app.get("/ws", handshake("Origin", "https://evil.example",
            "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "Forwarded", "host=evil.example;proto=https"));
        assertEquals(403, forged.status(), "forwarded headers are not believed by default: " + forged);
        assertEquals("WebSocket handshakes from origin https://evil.example are not allowed here", forged.bodyText().strip());

        assertEquals(101, app.get("/behind-proxy", handshake("Origin", "https://app.example",
            "X-Forwarded-Host", "app.example", "X-Forwarded-Proto", "https")).status(), "a trusted proxy's X-Forwarded-*");
        assertEquals(101, app.get("/behind-proxy", handshake("Origin", "https://app.example:8443",
            "Forwarded", "for=192.0.2.1;host=\"app.example:8443\";proto=https")).status(), "a trusted proxy's Forwarded");
        assertEquals(403, app.get("/behind-proxy", handshake("Origin", "http://127.0.0.1",
            "X-Forwarded-Host", "app.example", "X-Forwarded-Proto", "https")).status(),
            "behind the proxy the origin is the forwarded one, not the Host header's");
        assertEquals(403, app.get("/behind-proxy", handshake("Origin", "https://app.example",
            "Forwarded", "host=app.example;proto=https;proto=http")).status(), "a malformed Forwarded matches nothing");
    }

    @Test
    void byDefaultEveryOriginIsAcceptedAndARouteMayRestrictItsOwn() throws Exception {
        WebSockets.install(app.context())
            .webSocket("/open", NOTHING)
            .webSocket("/closed", null, s -> s.withAllowedOrigins(Set.of("https://good.example")), NOTHING);

        assertEquals(101, app.get("/open", handshake("Origin", "https://evil.example")).status());
        assertEquals(403, app.get("/closed", handshake("Origin", "https://evil.example")).status());
        assertEquals(101, app.get("/closed", handshake("Origin", "https://good.example")).status());
    }

    @Test
    void routesAddedAfterTheFilterStartedAreServed() throws Exception {
        WebSockets ws = WebSockets.install(app.context());
        app.startFilter();
        assertTrue(app.get("/late", handshake()).chainCalled);
        ws.webSocket("/late", NOTHING);
        assertEquals(101, app.get("/late", handshake()).status());
    }

    @Test
    void afterTheFilterIsDestroyedNewSessionsAreRefusedWith503() throws Exception {
        WebSockets.install(app.context()).webSocket("/ws", NOTHING);
        assertEquals(101, app.get("/ws", handshake()).status());
        app.stopFilter();
        // a filter started on the same context again (a late request): the timer is gone for good
        Exchange late = app.get("/ws", handshake());
        assertEquals(503, late.status(), late::toString);
        assertTrue(late.bodyText().contains("stopping"), late::toString);
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().startsWith("upgrade-bridge-") && t.isAlive()), "no bridge thread is left");
    }
}
