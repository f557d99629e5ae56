package io.upgradebridge.containertests;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw WebSocket session on every container: a JDK client, raw-socket protocol violations, bad handshakes, scale. */
class WebSocketTest {

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create()
        .filter("bridge", ProtocolUpgradeTest.FILTER, Map.of(), "/*")
        .servlet("ws", ProtocolUpgradeTest.APP + "WebSocketTestServlet", "/ws/*")
        .servlet("wrapped", ProtocolUpgradeTest.APP + "WrappedContentServlet", "/wrapped/*")
        .servlet("page", ProtocolUpgradeTest.APP + "EchoPageServlet", "/page.html")
        .servlet("stats", ProtocolUpgradeTest.APP + "StatsServlet", "/stats"));

    /** Collects what a JDK WebSocket receives. */
    static final class Collector implements WebSocket.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes); // the JDK client hands a large message over in parts
            if (last) {
                events.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            events.add("pong:" + StandardCharsets.UTF_8.decode(message));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add("close:" + statusCode + ":" + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add(error);
        }

        Object next() throws InterruptedException {
            Object e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("nothing received within 10 s");
            }
            return e;
        }
    }

    private static WebSocket connect(HttpClient client, EmbeddedContainer container, String path, Collector collector,
                                     String... subprotocols) throws Exception {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + container.port() + path), collector).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void jdkClientEchoesTextBinaryPingAndCloses(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/ws/echo", "/ws/echo-blocking")) {
            Collector c = new Collector();
            WebSocket ws = connect(client, container, path, c);
            ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertEquals("hello", c.next(), path);
            ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
            ws.sendText("mented", true).get(5, TimeUnit.SECONDS);
            assertEquals("fragmented", c.next(), path);
            byte[] binary = new byte[100_000];
            new java.util.Random(1).nextBytes(binary);
            ws.sendBinary(ByteBuffer.wrap(binary), true).get(5, TimeUnit.SECONDS);
            assertArrayEquals(binary, (byte[]) c.next(), path);
            ws.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertEquals("pong:p1", c.next(), path);
            ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            assertEquals("close:1000:bye", c.next(), path + ": the handler completes the close handshake by hand");
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void subprotocolIsNegotiatedOrRefusedClearly(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        HttpClient client = HttpClient.newHttpClient();
        Collector c = new Collector();
        WebSocket ws = connect(client, container, "/ws/chat", c, "superchat", "chat");
        assertEquals("chat", ws.getSubprotocol());
        ws.sendText("hi", true);
        assertEquals("hi", c.next());
        ws.abort();
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            http.sendHead("GET /ws/wrong-protocol HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: chat");
            RawHttpClient.ResponseHead head = http.readResponseHead();
            String body = new String(http.readBody(head), StandardCharsets.UTF_8);
            assertEquals(400, head.status(), body);
            assertTrue(body.contains("'not-offered', which the client did not offer (it offered chat)"), body);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void badHandshakesGetAClearAnswerAndNothingIsUpgraded(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
        record Case(String requestLine, List<String> headers, int status, String reasonPart, String header) { }
        List<Case> cases = List.of(
            new Case("POST /ws/echo HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", key, "Sec-WebSocket-Version: 13", "Content-Length: 0"),
                405, "must be a GET", "Allow: GET"),
            new Case("GET /ws/echo HTTP/1.0", List.of("Upgrade: websocket", "Connection: Upgrade", key, "Sec-WebSocket-Version: 13"),
                400, "needs HTTP/1.1", null),
            new Case("GET /ws/echo HTTP/1.1", List.of("Connection: Upgrade", key, "Sec-WebSocket-Version: 13"),
                400, "no 'Upgrade: websocket'", null),
            new Case("GET /ws/echo HTTP/1.1", List.of("Upgrade: websocket", key, "Sec-WebSocket-Version: 13"),
                400, "no 'Connection: Upgrade'", null),
            new Case("GET /ws/echo HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"),
                400, "no Sec-WebSocket-Key", null),
            new Case("GET /ws/echo HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: c2hvcnQ=", "Sec-WebSocket-Version: 13"),
                400, "16 bytes in base64", null),
            new Case("GET /ws/echo HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", key, "Sec-WebSocket-Version: 8"),
                426, "version 13 only", "Sec-WebSocket-Version: 13"));
        for (Case c : cases) {
            try (RawHttpClient http = RawHttpClient.connect(container.port())) {
                List<String> headers = new ArrayList<>(c.headers());
                headers.add(0, "Host: 127.0.0.1");
                http.sendHead(c.requestLine(), headers.toArray(String[]::new));
                RawHttpClient.ResponseHead head = http.readResponseHead();
                String body = new String(http.readBody(head), StandardCharsets.UTF_8);
                assertEquals(c.status(), head.status(), c + " -> " + head + " " + body);
                boolean answeredByJetty = kind.isJetty() && c.reasonPart().contains("Connection");
                if (!answeredByJetty) { // Jetty itself refuses 'Upgrade' without 'Connection: Upgrade' ("Invalid h2c upgrade headers")
                    assertTrue(body.contains(c.reasonPart()), c + " -> " + body);
                }
                assertTrue(head.header("Upgrade").isEmpty(), "no Upgrade header on a refusal: " + head);
                if (c.header() != null) {
                    String[] nv = c.header().split(": ");
                    assertEquals(nv[1], head.header(nv[0]).orElse(null), head::toString);
                }
            }
        }
    }

    /**
     * {@code OutgoingContent.wrapHeaders} on every variant, through a real container: the added header is sent with
     * each, the body or upgrade is the original's, and an upgrade's handshake check still applies to the wrapper (a
     * wrapped {@code WebSocketUpgrade} refuses a POST, a request without key and a wrong version; a wrapped
     * {@code ProtocolUpgrade} refuses a request that does not ask for its protocol).
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void wrapHeadersKeepsEveryVariantAndTheUpgradesChecks(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        record Plain(String variant, int status, String body) { }
        for (Plain p : List.of(new Plain("no-content", 204, ""), new Plain("bytes", 200, "bytes body\n"),
                new Plain("write-channel", 200, "written body\n"), new Plain("read-channel", 200, "read body\n"))) {
            RawHttpClient.Response response = RawHttpClient.get(container.port(), "/wrapped/" + p.variant());
            assertEquals(p.status(), response.head().status(), () -> p + " -> " + response.head());
            assertEquals(p.variant(), response.head().header("X-Wrapped").orElse(null), () -> p + " -> " + response.head());
            assertEquals(p.body(), new String(response.body(), StandardCharsets.UTF_8), p::toString);
        }
        // the wrapped WebSocketUpgrade: a valid handshake is upgraded, with the added header, and echoes
        try (WsWire ws = WsWire.open(container, "/wrapped/websocket")) {
            assertEquals("websocket", ws.head.header("X-Wrapped").orElse(null), ws.head::toString);
            ws.send(WsWire.text("through the wrapper", true));
            assertEquals("through the wrapper", ws.read().text());
        }
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
        record Refused(String requestLine, List<String> headers, int status, String reasonPart) { }
        List<Refused> refusals = List.of(
            new Refused("POST /wrapped/websocket HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", key,
                "Sec-WebSocket-Version: 13", "Content-Length: 0"), 405, "must be a GET"),
            new Refused("GET /wrapped/websocket HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13"), 400, "no Sec-WebSocket-Key"),
            new Refused("GET /wrapped/websocket HTTP/1.1", List.of("Upgrade: websocket", "Connection: Upgrade", key,
                "Sec-WebSocket-Version: 8"), 426, "version 13 only"),
            new Refused("GET /wrapped/echo-lines HTTP/1.1", List.of(), 426, "send Upgrade: echo-lines"));
        for (Refused r : refusals) {
            try (RawHttpClient http = RawHttpClient.connect(container.port())) {
                List<String> headers = new ArrayList<>(r.headers());
                headers.add(0, "Host: 127.0.0.1");
                http.sendHead(r.requestLine(), headers.toArray(String[]::new));
                RawHttpClient.ResponseHead head = http.readResponseHead();
                String body = new String(http.readBody(head), StandardCharsets.UTF_8);
                assertEquals(r.status(), head.status(), () -> r + " -> " + head + " " + body);
                assertTrue(body.contains(r.reasonPart()), () -> r + " -> " + body);
                assertTrue(head.header("Upgrade").isEmpty(), () -> "not upgraded: " + head);
            }
        }
        // the wrapped ProtocolUpgrade asked for its protocol: upgraded, with the added header
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            http.sendHead("GET /wrapped/echo-lines HTTP/1.1", "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: echo-lines");
            RawHttpClient.ResponseHead head = http.readResponseHead();
            assertEquals(101, head.status(), head::toString);
            assertEquals("echo-lines", head.header("X-Wrapped").orElse(null), head::toString);
            http.send("ping\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("ping\n", new String(http.readExactly(5), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void protocolViolationsCloseWithTheirCodeAndThenTcp(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
        record Violation(String name, byte[] bytes, int code) { }
        byte[] over = new byte[10];
        over[0] = (byte) 0x82;
        over[1] = (byte) (0x80 | 127);
        over[5] = 0x20; // 2 MiB announced: over the default 1 MiB maximum frame size
        List<Violation> violations = List.of(
            new Violation("unmasked client frame", WsWire.frame(true, 0, 0x1, hi, false), 1002),
            new Violation("rsv bit without an extension", WsWire.frame(true, 4, 0x1, hi, true), 1002),
            new Violation("unknown opcode", WsWire.frame(true, 0, 0x3, hi, true), 1002),
            new Violation("fragmented control frame", WsWire.frame(false, 0, 0x9, hi, true), 1002),
            new Violation("control frame over 125 bytes", WsWire.frame(true, 0, 0x9, new byte[126], true), 1002),
            new Violation("continuation without a start", WsWire.frame(true, 0, 0x0, hi, true), 1002),
            new Violation("new start inside a fragmented message",
                concat(WsWire.text("a", false), WsWire.text("b", true)), 1002),
            new Violation("frame over the maximum frame size", concat(over, new byte[] {1, 2, 3, 4}), 1009));
        for (Violation v : violations) {
            try (WsWire ws = WsWire.open(container, "/ws/echo")) {
                ws.send(v.bytes());
                WsWire.ServerFrame frame = ws.read();
                for (int i = 0; i < 4 && frame.opcode() != 0x8; i++) {
                    frame = ws.read(); // valid frames before the violation are echoed first
                }
                assertEquals(0x8, frame.opcode(), v.name() + ": a close frame");
                assertEquals(v.code(), frame.closeCode(), v.name());
                ws.awaitTcpClose(Duration.ofSeconds(5));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void fragmentsWithAPingInTheMiddleAndEarlyFramesAreNotLost(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (WsWire ws = WsWire.open(container, "/ws/echo")) {
            ws.send(WsWire.text("one-", false), WsWire.frame(true, 0, 0x9, "ping".getBytes(StandardCharsets.UTF_8), true),
                WsWire.frame(false, 0, 0x0, "two-".getBytes(StandardCharsets.UTF_8), true),
                WsWire.frame(true, 0, 0x0, "three".getBytes(StandardCharsets.UTF_8), true));
            WsWire.ServerFrame first = ws.read();
            assertEquals(0x1, first.opcode());
            assertTrue(!first.fin());
            assertEquals("one-", first.text());
            WsWire.ServerFrame pong = ws.read();
            assertEquals(0xA, pong.opcode());
            assertEquals("ping", pong.text());
            assertEquals("two-", ws.read().text());
            WsWire.ServerFrame last = ws.read();
            assertEquals(0x0, last.opcode());
            assertTrue(last.fin());
            assertEquals("three", last.text());
            ws.send(WsWire.frame(true, 0, 0x8, new byte[] {0x03, (byte) 0xE8}, true));
            assertEquals(1000, ws.read().closeCode());
            ws.awaitTcpClose(Duration.ofSeconds(5));
        }
        // a frame sent in the same packet as the handshake, before the 101 arrived
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            String head = "GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            http.send(concat(head.getBytes(StandardCharsets.ISO_8859_1), WsWire.text("early", true)));
            assertEquals(101, http.readResponseHead().status());
            byte[] frame = http.readExactly(7);
            assertEquals("early", new String(frame, 2, 5, StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void handlerFailureClosesWith1011(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        int port;
        try (WsWire ws = WsWire.open(container, "/ws/fail")) {
            port = ws.http.socket().getLocalPort();
            ws.send(WsWire.text("trigger", true));
            assertEquals(1011, ws.read().closeCode());
            ws.awaitTcpClose(Duration.ofSeconds(5));
        }
        // a handler that really threw: one WARNING, with its stack trace (a reset peer gets none: ClientEdgesTest);
        // a container in a JVM of its own writes its log a little later: wait (bounded) for the line
        String from = "/ws/fail from 127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> warnings = container.logLines().stream().filter(l -> l.startsWith("WARNING") && l.contains(from)).toList();
        while (warnings.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            warnings = container.logLines().stream().filter(l -> l.startsWith("WARNING") && l.contains(from)).toList();
        }
        List<String> found = warnings;
        assertEquals(1, found.size(), () -> "one warning: " + found);
        assertTrue(found.get(0).contains("failed; closing the session with 1011")
            && found.get(0).contains("IllegalStateException: the handler failed on purpose")
            && found.get(0).contains("\tat "), found.get(0));
    }

    /**
     * HtmlUnit's JavaScript WebSocket echoes through the bridge and sees the server's close. Its sockets come from
     * {@link HtmlUnitWebSockets}, which delivers their events after the page's script, as a browser does (HtmlUnit's own
     * loses an event that comes before the script has assigned its handler); no retry.
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void htmlUnitPageEchoesThroughTheBrowsersWebSocket(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        HtmlUnitWebSockets sockets = new HtmlUnitWebSockets();
        try (org.htmlunit.WebClient browser = sockets.newBrowser()) {
            org.htmlunit.html.HtmlPage page = browser.getPage("http://127.0.0.1:" + container.port() + "/page.html");
            // bounded: HtmlUnit starts a WebSocket client for each page, which takes long on a loaded machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String state = "";
            while (System.nanoTime() < deadline) {
                browser.waitForBackgroundJavaScript(100);
                state = page.getElementById("state").getTextContent();
                if (state.startsWith("closed")) {
                    break;
                }
            }
            String told = "; the socket was told " + sockets.events();
            assertEquals("hello from the page", page.getElementById("echo").getTextContent(), told);
            assertEquals("closed 1000", state, "reason: " + page.getElementById("reason").getTextContent() + told);
            assertEquals("server done", page.getElementById("reason").getTextContent(), told);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void thousandConcurrentSessions(ContainerKind kind) throws Exception {
        concurrentSessionsEchoOnce(containers.get(kind), "/ws/echo", 1000);
    }

    /**
     * More blocking handlers at once than a bounded pool has threads (200 on the bridge's own pool and on Jetty's
     * pool): each keeps a thread while it waits for its next frame, and none may keep the bridge's own work (parsing,
     * writing, completing sends) from running, or every session hangs.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(ContainerKind.class)
    void moreBlockingHandlersThanPoolThreads(ContainerKind kind) throws Exception {
        concurrentSessionsEchoOnce(containers.get(kind), "/ws/echo-blocking", 300);
    }

    /** Opens {@code count} sessions on {@code path} (all open at once), echoes one message on each, then aborts them. */
    private static void concurrentSessionsEchoOnce(EmbeddedContainer container, String path, int count) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        int before = Integer.parseInt(EchoLinesClient.stats(container, null).get("openUpgrades"));
        List<WebSocket> sockets = new ArrayList<>();
        List<Collector> collectors = new ArrayList<>();
        try {
            List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Collector c = new Collector();
                collectors.add(c);
                opening.add(client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(URI.create("ws://127.0.0.1:" + container.port() + path), c));
                if (opening.size() % 100 == 0) {
                    CompletableFuture.allOf(opening.subList(opening.size() - 100, opening.size()).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<WebSocket> f : opening) {
                sockets.add(f.get(60, TimeUnit.SECONDS));
            }
            for (int i = 0; i < sockets.size(); i++) {
                sockets.get(i).sendText("session " + i, true);
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertEquals("session " + i, collectors.get(i).next(), "echo on session " + i + " of " + count + " on " + path);
            }
        } finally {
            for (WebSocket ws : sockets) {
                ws.abort();
            }
        }
        EchoLinesClient.awaitStats(container, null, m -> Integer.parseInt(m.get("openUpgrades")) <= before, Duration.ofSeconds(30),
            "all " + count + " sessions on " + path + " ending");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
