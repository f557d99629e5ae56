package io.upgradebridge.containertests;

import io.upgradebridge.containertests.app.WebSocketFeatureRoutes;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import static io.upgradebridge.containertests.ContainerConfig.SERVER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSockets feature ({@code WebSockets.install} and {@code webSocket(path, ...)} routes with the default
 * session) on every container, through the test application's {@code WebSocketFeatureRoutes} (routes under
 * {@code /wsf/}, installed by a {@code ServletContextListener}): each documented behaviour with the JDK client
 * ({@code java.net.http.WebSocket}, which offers no compression) and, for exact bytes and compression, a raw client.
 */
class WebSocketFeatureTest {

    private static final String ROUTES = ProtocolUpgradeTest.APP + "WebSocketFeatureRoutes";
    /** Same values as WebSocketFeatureRoutes' constants (the test side cannot load that class). */
    private static final String ALLOWED_ORIGIN = "http://allowed.example";
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final int MAX_FRAME = 1024;
    private static final String HANDLER_CLOSE_REASON = "closed by the handler";
    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";

    /** install() adds the filter itself. */
    @RegisterExtension
    static final Containers containers = Containers.of(application(false));

    /** The application declares ProtocolUpgradeFilter itself, as web.xml does; install() must live with it. */
    @RegisterExtension
    static final Containers withDeclaredFilter = Containers.of(application(true));

    private static ContainerConfig application(boolean declaresFilter) {
        ContainerConfig config = ContainerConfig.create();
        if (declaresFilter) {
            config.filter("bridge", ProtocolUpgradeTest.FILTER, Map.of(), "/*");
        }
        return config.listener(ROUTES).servlet("hello", SERVER + "HelloServlet", "/wsf/hello");
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void jdkClientEchoesTextFragmentsBinaryAndPingWithTheDefaultSettings(ContainerKind kind) throws Exception {
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(containers.get(kind), "/wsf/echo", c);
        try {
            ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertEquals("hello", c.next());
            ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
            ws.sendText("men", false).get(5, TimeUnit.SECONDS);
            ws.sendText("ted", true).get(5, TimeUnit.SECONDS);
            assertEquals("fragmented", c.next(), "the session puts fragments back together");
            byte[] binary = new byte[200_000];
            new Random(6).nextBytes(binary);
            ws.sendBinary(ByteBuffer.wrap(binary), true).get(5, TimeUnit.SECONDS);
            assertArrayEquals(binary, (byte[]) c.next());
            ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertEquals("pong:are you there", c.next(), "the session answers pings itself");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            Object closed = c.next();
            assertTrue(String.valueOf(closed).startsWith("close:1000:"), "the session answers the close with its code: " + closed);
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void rawClientGetsWholeMessagesAndTheCloseHandshakeEndsTcp(ContainerKind kind) throws Exception {
        try (WsPeer peer = WsPeer.open(containers.get(kind), "/wsf/echo")) {
            assertNull(peer.extensionsHeader(), "no extension without an offer");
            peer.send(WsWire.text("one-", false), WsWire.masked(false, WsWire.CONTINUATION, utf8("two-")),
                WsWire.masked(true, WsWire.CONTINUATION, utf8("three")));
            peer.expectEcho("one-two-three");
            peer.send(WsWire.close(4321, "my reason"));
            assertEquals(4321, peer.expectCloseAnswer(4321).closeCode());
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void protocolErrorsAndInvalidUtf8CloseWithTheirCodes(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/echo")) {
            peer.send(WsWire.frame(true, 0, WsWire.TEXT, utf8("unmasked"), false)).expectCloseFromServer(1002);
        }
        try (WsPeer peer = WsPeer.open(container, "/wsf/echo")) {
            // the first fragment is enough: the text is checked as it arrives
            peer.send(WsWire.masked(false, WsWire.TEXT, WsWire.bytes('o', 'k', 0xff))).expectCloseFromServer(1007);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void serverPingsAndDropsAPeerThatNeverAnswers(ContainerKind kind) throws Exception {
        // pingPeriod 200 ms, timeout 300 ms: the raw client below never answers a ping
        try (WsWire wire = WsWire.open(containers.get(kind), "/wsf/ping-timeout")) {
            wire.readTimeout(Duration.ofSeconds(3));
            int pings = 0;
            boolean tcpClosed = false;
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 50 && !tcpClosed; i++) {
                try {
                    WsWire.ServerFrame frame = wire.read();
                    seen.append(frame).append(" | ");
                    assertTrue(frame.opcode() == WsWire.PING || frame.opcode() == WsWire.CLOSE, () -> "unexpected " + seen);
                    pings += frame.opcode() == WsWire.PING ? 1 : 0;
                } catch (EOFException | java.net.SocketException end) {
                    tcpClosed = true;
                } catch (SocketTimeoutException quiet) {
                    throw new AssertionError("neither a frame nor the end of TCP within 3 s; so far: " + seen, quiet);
                }
            }
            assertTrue(pings >= 1, () -> "the server pings a quiet peer: " + seen);
            assertTrue(tcpClosed, () -> "a peer whose pong does not come is dropped: " + seen);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aJdkClientThatAnswersPingsStaysConnected(ContainerKind kind) throws Exception {
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(containers.get(kind), "/wsf/ping-timeout", c);
        try {
            Thread.sleep(1_000); // about five ping periods, each answered by the JDK client's automatic pong
            ws.sendText("still connected", true).get(5, TimeUnit.SECONDS);
            assertEquals("still connected", c.next());
            assertFalse(ws.isInputClosed(), "the server kept the session");
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aPeerThatSendsNothingIsClosedWith1001AfterTheIdleTimeout(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/idle")) {
            peer.expectCloseFromServer(1001);
        }
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(container, "/wsf/idle", c);
        try {
            Object closed = c.next();
            assertTrue(String.valueOf(closed).startsWith("close:1001:"), "the JDK client hears 1001: " + closed);
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void onlyAllowedOriginsMayConnect(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        RawHttpClient.ResponseHead other = WsWire.handshake(container, "/wsf/origin", "Origin: http://evil.example");
        assertEquals(403, other.status(), other::toString);
        assertTrue(other.header("Upgrade").isEmpty(), other::toString);
        assertEquals(101, WsWire.handshake(container, "/wsf/origin", "Origin: " + ALLOWED_ORIGIN).status());
        assertEquals(101, WsWire.handshake(container, "/wsf/origin", "Origin: HTTP://Allowed.Example").status(),
            "origins compare ignoring case");
        assertEquals(101, WsWire.handshake(container, "/wsf/origin").status(), "no Origin: not a browser, accepted");
        assertEquals(101, WsWire.handshake(container, "/wsf/echo", "Origin: http://evil.example").status(),
            "no allowed origins configured: any origin");
        try (WsPeer peer = WsPeer.open(container, "/wsf/origin", "Origin: " + ALLOWED_ORIGIN)) {
            peer.sendMessage(WsWire.TEXT, utf8("from the allowed origin")).expectEcho("from the allowed origin");
            peer.closeNormally();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void messagesOverTheMaximumMessageSizeCloseWith1009(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        byte[] limit = ConformanceSuite.random(MAX_MESSAGE, 1);
        try (WsPeer peer = WsPeer.open(container, "/wsf/max-message")) {
            peer.sendMessage(WsWire.BINARY, limit).expectEcho(WsWire.BINARY, limit);
            peer.sendMessage(WsWire.BINARY, new byte[MAX_MESSAGE + 1]).expectCloseFromServer(1009);
        }
        try (WsPeer peer = WsPeer.open(container, "/wsf/max-message")) {
            byte[] half = new byte[MAX_MESSAGE / 2 + 1];
            peer.send(WsWire.masked(false, WsWire.BINARY, half), WsWire.masked(true, WsWire.CONTINUATION, half))
                .expectCloseFromServer(1009);
        }
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(container, "/wsf/max-message", c);
        try {
            ws.sendBinary(ByteBuffer.wrap(new byte[MAX_MESSAGE + 1]), true).get(5, TimeUnit.SECONDS);
            Object closed = c.next();
            assertTrue(String.valueOf(closed).startsWith("close:1009:"), "the JDK client hears 1009: " + closed);
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void framesOverTheMaximumFrameSizeCloseWith1009(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/max-frame")) {
            byte[] part = ConformanceSuite.random(MAX_FRAME, 2);
            peer.sendMessage(WsWire.BINARY, part).expectEcho(WsWire.BINARY, part);
            byte[] whole = ConformanceSuite.random(3 * MAX_FRAME, 3);
            peer.send(WsWire.masked(false, WsWire.BINARY, java.util.Arrays.copyOfRange(whole, 0, MAX_FRAME)),
                WsWire.masked(false, WsWire.CONTINUATION, java.util.Arrays.copyOfRange(whole, MAX_FRAME, 2 * MAX_FRAME)),
                WsWire.masked(true, WsWire.CONTINUATION, java.util.Arrays.copyOfRange(whole, 2 * MAX_FRAME, 3 * MAX_FRAME)));
            peer.expectEcho(WsWire.BINARY, whole); // a message may be larger than a frame
            peer.sendMessage(WsWire.BINARY, new byte[MAX_FRAME + 1]).expectCloseFromServer(1009);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void withMaskingTheServerMasksItsFrames(ContainerKind kind) throws Exception {
        try (WsWire wire = WsWire.open(containers.get(kind), "/wsf/masked")) {
            wire.readTimeout(WsPeer.WAIT);
            wire.send(WsWire.text("mask me", true));
            WsWire.ServerFrame echo = wire.readAllowingMask();
            assertTrue(echo.masked(), echo::toString);
            assertEquals("mask me", echo.text());
            wire.send(WsWire.close(1000, ""));
            assertEquals(1000, wire.readAllowingMask().closeCode());
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void rawClientNegotiatesPermessageDeflateAndBothSidesCompress(ContainerKind kind) throws Exception {
        try (WsPeer peer = WsPeer.open(containers.get(kind), "/wsf/deflate", OFFER)) {
            assertNotNull(peer.deflateParameters(), () -> "Sec-WebSocket-Extensions: " + peer.extensionsHeader());
            assertTrue(peer.extensionsHeader().startsWith("permessage-deflate"), peer.extensionsHeader());
            for (int i = 0; i < 3; i++) {
                byte[] message = ConformanceSuite.asciiText(5_000 + i);
                byte[][] frames = peer.compressedFrames(WsWire.TEXT, message, 1);
                assertTrue(frames[0].length < message.length / 4, "the client compressed: " + frames[0].length);
                WsPeer.Message echo = peer.send(frames).expectEcho(WsWire.TEXT, message);
                assertTrue(echo.compressed(), "the server compresses every message (minSizeToCompress 0): " + echo);
            }
            peer.closeNormally();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aCompressedMessageThatInflatesPastTheMaximumMessageSizeClosesWith1009(ContainerKind kind) throws Exception {
        try (WsPeer peer = WsPeer.open(containers.get(kind), "/wsf/deflate-max-message", OFFER)) {
            assertNotNull(peer.deflateParameters(), () -> "Sec-WebSocket-Extensions: " + peer.extensionsHeader());
            byte[] atTheLimit = new byte[MAX_MESSAGE];
            peer.send(peer.compressedFrames(WsWire.BINARY, atTheLimit, 1)).expectEcho(WsWire.BINARY, atTheLimit);
            byte[] bomb = new byte[64 * MAX_MESSAGE]; // 4 MiB of zeros: a few KiB on the wire
            byte[][] frames = peer.compressedFrames(WsWire.BINARY, bomb, 1);
            assertTrue(frames[0].length < MAX_MESSAGE / 8, "small on the wire: " + frames[0].length);
            peer.send(frames).expectCloseFromServer(1009);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aHandlerThatAsksForFramesGetsFragmentsAsTheyComeAndSeesTheCloseReason(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsWire ws = WsWire.open(container, "/wsf/frames")) {
            ws.send(WsWire.masked(false, WsWire.TEXT, utf8("frag")));
            ws.send(WsWire.masked(true, WsWire.PING, utf8("in between")));
            ws.send(WsWire.masked(false, WsWire.CONTINUATION, utf8("men")), WsWire.masked(true, WsWire.CONTINUATION, utf8("ted")));
            List<String> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                WsWire.ServerFrame f = ws.read();
                seen.add(f.opcode() + (f.fin() ? " fin " : " ") + f.text());
            }
            // the pong may come before or after the first fragment's echo; the data frames keep their order
            assertTrue(seen.contains(WsWire.PONG + " fin in between"), () -> "the session answered the ping: " + seen);
            seen.remove(WsWire.PONG + " fin in between");
            assertEquals(List.of(WsWire.TEXT + " frag", WsWire.CONTINUATION + " men", WsWire.CONTINUATION + " fin ted"), seen,
                "each data frame echoed as it came, not as one message");
            ws.send(WsWire.close(4001, "bye"));
            WsWire.ServerFrame close = ws.read();
            assertEquals(4001, close.closeCode(), close::toString);
            ws.awaitTcpClose(Duration.ofSeconds(5));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (container.logLinesContaining(WebSocketFeatureRoutes.CLOSE_REASON_LOG + "4001 bye").isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, container.logLinesContaining(WebSocketFeatureRoutes.CLOSE_REASON_LOG + "4001 bye").size(),
            () -> "closeReason() completed with the peer's close: " + container.logLinesContaining(WebSocketFeatureRoutes.CLOSE_REASON_LOG));
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aHandlerThatDoesNotReadHoldsThePeerBackWithBoundedMemory(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsWire ws = WsWire.open(container, "/wsf/not-reading")) {
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            byte[] frame = WsWire.masked(true, WsWire.BINARY, new byte[64 * 1024]);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 1024; i++) { // at most 64 MiB
                        ws.send(frame);
                        written.addAndGet(frame.length);
                    }
                } catch (java.io.IOException expected) {
                    // the server closes the connection after 5 s
                }
            }, "not-reading-writer");
            writer.setDaemon(true);
            writer.start();
            WriteStall.await(written, Duration.ofSeconds(4)); // at most 4 s (the handler ends after 5); stops once 1 s passes without progress
            assertTrue(writer.isAlive(), "the peer's write blocks: the session stopped reading the socket");
            assertTrue(written.get() < 48L * 1024 * 1024, "the peer could write " + written.get() + " bytes");
            writer.join(15_000); // the handler ends after 5 s: the server closes, the blocked write fails
            assertTrue(!writer.isAlive(), "the blocked write ended when the session ended");
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void serverNoContextTakeoverIsAnsweredAndKept(ContainerKind kind) throws Exception {
        try (WsPeer peer = WsPeer.open(containers.get(kind), "/wsf/deflate-no-context", OFFER)) {
            assertNotNull(peer.deflateParameters(), () -> "Sec-WebSocket-Extensions: " + peer.extensionsHeader());
            assertTrue(peer.deflateParameters().containsKey("server_no_context_takeover"), peer.extensionsHeader());
            byte[] message = utf8("the same message, the same message, the same message");
            for (int i = 0; i < 3; i++) {
                peer.send(peer.compressedFrames(WsWire.TEXT, message, 1));
                WsWire.ServerFrame echo = peer.next();
                assertTrue(echo.fin() && (echo.rsv() & WsWire.RSV1) != 0, echo::toString);
                try (DeflateClient fresh = new DeflateClient(Deflater.DEFAULT_COMPRESSION, true)) {
                    assertArrayEquals(message, fresh.inflate(echo.payload()), "echo " + i + " inflates on its own");
                }
            }
            peer.closeNormally();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void withoutAnOfferOrWithDeflateDisabledNothingIsCompressed(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/echo", OFFER)) {
            assertNull(peer.extensionsHeader(), "deflate is off by default");
            peer.sendMessage(WsWire.TEXT, utf8("plain")).expectEcho("plain");
        }
        try (WsPeer peer = WsPeer.open(container, "/wsf/deflate")) {
            assertNull(peer.extensionsHeader(), "not offered, not used");
            WsPeer.Message echo = peer.sendMessage(WsWire.TEXT, utf8("plain")).expectEcho("plain");
            assertFalse(echo.compressed());
        }
        // the JDK client offers no extension: it would fail on a frame with RSV1
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(container, "/wsf/deflate", c);
        try {
            ws.sendText("x".repeat(10_000), true).get(5, TimeUnit.SECONDS);
            assertEquals("x".repeat(10_000), c.next());
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aHandlerThatThrowsClosesWith1011(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/fail")) {
            peer.sendMessage(WsWire.TEXT, utf8("trigger")).expectCloseFromServer(1011);
        }
        try (WsPeer peer = WsPeer.open(container, "/wsf/throw")) {
            peer.expectCloseFromServer(1011);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aHandlerClosesWithItsOwnCodeAndTheCloseWaitsForThePeerOnlyUpToTheTimeout(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/close-4000")) {
            WsWire.ServerFrame close = peer.sendMessage(WsWire.TEXT, utf8("go")).expectCloseFromServer(4000);
            assertEquals(HANDLER_CLOSE_REASON, close.closeReason());
        }
        try (WsPeer peer = WsPeer.open(container, "/wsf/close-4000")) {
            peer.sendMessage(WsWire.TEXT, utf8("go"));
            WsWire.ServerFrame close = peer.next();
            assertEquals(4000, close.closeCode(), close::toString);
            peer.awaitTcpClose(); // never answered: dropped after the route's 300 ms timeout
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void twoRoutesOnOnePathAreChosenBySubprotocol(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        for (String protocol : new String[] {"chat", "superchat"}) {
            WebSocketTest.Collector c = new WebSocketTest.Collector();
            WebSocket ws = connect(container, "/wsf/proto", c, protocol);
            try {
                assertEquals(protocol, ws.getSubprotocol());
                ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
                assertEquals(protocol + ":hi", c.next());
            } finally {
                ws.abort();
            }
        }
        RawHttpClient.ResponseHead none = WsWire.handshake(container, "/wsf/proto", "Sec-WebSocket-Protocol: other");
        assertNotEquals(101, none.status(), () -> "no route for subprotocol 'other': " + none);
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void unknownPathsFallThroughToTheServlets(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        assertFallThrough(container);
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void installLivesWithAProtocolUpgradeFilterTheApplicationDeclared(ContainerKind kind) throws Exception {
        EmbeddedContainer container = withDeclaredFilter.get(kind);
        try (WsPeer peer = WsPeer.open(container, "/wsf/deflate", OFFER)) {
            byte[] message = ConformanceSuite.asciiText(1000);
            peer.send(peer.compressedFrames(WsWire.TEXT, message, 1)).expectEcho(WsWire.TEXT, message);
            peer.closeNormally();
        }
        assertFallThrough(container);
        assertTrue(container.logLinesContaining("SEVERE").isEmpty(), () -> String.join("\n", container.logLines()));
    }

    private static void assertFallThrough(EmbeddedContainer container) throws IOException {
        RawHttpClient.Response hello = RawHttpClient.get(container.port(), "/wsf/hello");
        assertEquals(200, hello.status(), hello::bodyText);
        assertTrue(hello.bodyText().startsWith("hello from "), hello::bodyText);
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            http.sendHead("GET /wsf/hello HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");
            RawHttpClient.ResponseHead head = http.readResponseHead();
            String body = new String(http.readBody(head), StandardCharsets.UTF_8);
            assertEquals(200, head.status(), () -> "a handshake on a path without a route reaches the servlet: " + head + body);
            assertTrue(body.startsWith("hello from "), body);
        }
        RawHttpClient.ResponseHead nowhere = WsWire.handshake(container, "/wsf/nowhere");
        assertEquals(404, nowhere.status(), nowhere::toString);
    }

    private static WebSocket connect(EmbeddedContainer container, String path, WebSocket.Listener listener,
                                     String... subprotocols) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        try {
            return builder.buildAsync(URI.create("ws://127.0.0.1:" + container.port() + path), listener).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the JDK client could not connect to " + path + ": " + e.getCause(), e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
