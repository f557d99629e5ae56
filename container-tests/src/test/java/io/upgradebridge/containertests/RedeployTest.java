package io.upgradebridge.containertests;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing of an undeployed application stays reachable: the sample WAR is deployed, serves the sample's kinds of
 * traffic (the {@code echo-lines} {@code ProtocolUpgrade}, raw WebSocket sessions, default sessions of the WebSockets
 * feature with and without permessage-deflate, a chat with a subprotocol; some ended by the client, some still open
 * when the application goes), is undeployed with the container still running, and its class loader must be garbage
 * collected (a weak reference, explicit GCs, a bounded wait); {@value #REDEPLOYS} times in a row on each container.
 *
 * <p>When a loader stays reachable on a container of this JVM, a heap dump is written to {@code target/} and named in
 * the failure: open it and follow the paths from the leaked {@code io.upgradebridge} instances to the GC roots.
 */
class RedeployTest {

    static final int REDEPLOYS = 10;

    /** Where an application serves each kind of session. */
    enum Application {
        /** The sample WAR: the bridge in its {@code WEB-INF/lib}, loaded by the web application's class loader. */
        SAMPLE_WAR("/lines", "/echo", "/chat", "/ws/echo", "/ws/chat", "/ws/echo"),
        /**
         * The test application with the bridge on the container's class path (a shared library, Tomcat's {@code lib/}):
         * the bridge's classes outlive the application, so nothing of theirs may keep the application's loader.
         */
        SHARED_BRIDGE("/upgrade/x?mode=echo", "/upgrade/ws/echo", "/upgrade/ws/chat", "/wsf/echo", "/wsf/proto",
            "/wsf/deflate");

        final String lines;
        final String rawEcho;
        final String rawChat;
        final String defaultEcho;
        final String defaultChat;
        final String deflate;

        Application(String lines, String rawEcho, String rawChat, String defaultEcho, String defaultChat, String deflate) {
            this.lines = lines;
            this.rawEcho = rawEcho;
            this.rawChat = rawChat;
            this.defaultEcho = defaultEcho;
            this.defaultChat = defaultChat;
            this.deflate = deflate;
        }
    }

    @RegisterExtension
    static final Containers sample = Containers.of(ContainerConfig.create().war(ContainerClassPath.warSample()));

    @RegisterExtension
    static final Containers shared = Containers.of(ContainerConfig.create()
        .filter("bridge", ProtocolUpgradeTest.FILTER, java.util.Map.of(), "/*")
        .servlet("echo-lines", ProtocolUpgradeTest.APP + "EchoUpgradeServlet", "/upgrade/*")
        .servlet("ws", ProtocolUpgradeTest.APP + "WebSocketTestServlet", "/upgrade/ws/*")
        .listener(ProtocolUpgradeTest.APP + "WebSocketFeatureRoutes"));

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> deployments() {
        return java.util.Arrays.stream(ContainerKind.values()).flatMap(kind -> java.util.Arrays.stream(Application.values())
            .map(app -> org.junit.jupiter.params.provider.Arguments.of(kind, app)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @org.junit.jupiter.params.provider.MethodSource("deployments")
    void everyUndeployedClassLoaderIsCollectedAfterServingSessions(ContainerKind kind, Application app) throws Exception {
        EmbeddedContainer container = (app == Application.SAMPLE_WAR ? sample : shared).get(kind);
        int collected = 0;
        List<Integer> kept = new ArrayList<>();
        String heapDump = null;
        for (int round = 1; round <= REDEPLOYS; round++) {
            if (!container.isDeployed()) {
                container.deploy();
            }
            serveAndUndeploy(container, app, round);
            if (container.undeployedClassLoaderCollected()) {
                collected++;
            } else {
                kept.add(round);
                if (heapDump == null) {
                    heapDump = dumpHeap(container);
                }
            }
        }
        System.out.println("[redeploy] " + kind + ", " + app + ": " + collected + " of " + REDEPLOYS
            + " undeployed class loaders collected" + (kept.isEmpty() ? "" : ", kept after rounds " + kept));
        String dump = heapDump;
        assertEquals(REDEPLOYS, collected, () -> "class loaders still reachable after undeploy (rounds " + kept + ")"
            + (dump != null ? "; heap dump: " + dump : ""));
        container.deploy();
        try (EchoLinesClient client = EchoLinesClient.open(container, app.lines)) {
            assertEquals("after " + REDEPLOYS + " redeploys\n", client.roundTrip("after " + REDEPLOYS + " redeploys"));
        }
    }

    /** One round of the sample's traffic; three connections stay open across the undeploy. */
    private static void serveAndUndeploy(EmbeddedContainer container, Application app, int round) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            // ProtocolUpgrade: one ended by the client, one left open
            try (EchoLinesClient lines = EchoLinesClient.open(container, app.lines)) {
                assertEquals("round " + round + "\n", lines.roundTrip("round " + round));
            }
            EchoLinesClient openLines = EchoLinesClient.open(container, app.lines);
            open.add(openLines);
            assertEquals("open\n", openLines.roundTrip("open"));

            // raw sessions: the JDK client with the close handshake, a chat with its subprotocol, one left open
            echoAndClose(client, container, app.rawEcho);
            chat(client, container, app.rawChat);
            WsWire raw = WsWire.open(container, app.rawEcho);
            open.add(raw);
            raw.send(WsWire.text("raw", true));
            assertEquals("raw", raw.read().text());

            // default sessions: echo (compression offered, so the session makes its deflater), chat, one left open
            echoAndClose(client, container, app.defaultEcho);
            chat(client, container, app.defaultChat);
            WsWire deflate = WsWire.open(container, app.deflate, "Sec-WebSocket-Extensions: permessage-deflate");
            open.add(deflate);
            deflate.send(WsWire.text("plain", true));
            assertEquals(0x1, deflate.read().opcode(), "a text message back");

            container.undeploy();
            for (AutoCloseable connection : open) {
                if (connection instanceof EchoLinesClient lines) {
                    lines.awaitServerClose(Duration.ofSeconds(10));
                } else {
                    WsWire ws = (WsWire) connection;
                    WsWire.ServerFrame close = ws.read();
                    assertEquals(0x8, close.opcode(), "a close frame");
                    assertEquals(1001, close.closeCode(), "going away");
                    ws.awaitTcpClose(Duration.ofSeconds(10));
                }
            }
        } finally {
            for (AutoCloseable connection : open) {
                connection.close();
            }
        }
    }

    private static void echoAndClose(HttpClient client, EmbeddedContainer container, String path) throws Exception {
        WebSocketTest.Collector events = new WebSocketTest.Collector();
        WebSocket ws = connect(client, container, path, events);
        ws.sendText("hello " + path, true).get(5, TimeUnit.SECONDS);
        assertEquals("hello " + path, events.next());
        ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
        events.next();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:bye", events.next());
    }

    private static void chat(HttpClient client, EmbeddedContainer container, String path) throws Exception {
        WebSocketTest.Collector events = new WebSocketTest.Collector();
        WebSocket ws = connect(client, container, path, events, "chat");
        ws.sendText("hi from " + path, true).get(5, TimeUnit.SECONDS);
        Object reply = events.next();
        assertTrue(String.valueOf(reply).endsWith("hi from " + path), () -> "the chat's answer: " + reply);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:", events.next());
    }

    private static WebSocket connect(HttpClient client, EmbeddedContainer container, String path,
                                     WebSocket.Listener listener, String... subprotocols) throws Exception {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0]);
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + container.port() + path), listener)
            .get(10, TimeUnit.SECONDS);
    }

    /** A heap dump of the container's JVM (live objects), for a loader that stayed reachable; its path, or why there is none. */
    private static String dumpHeap(EmbeddedContainer container) {
        try {
            Path dir = ContainerClassPath.path("containers.workDir", "target/container-work").getParent();
            Files.createDirectories(dir);
            Path file = dir.resolve("redeploy-" + container.kind().name().toLowerCase(java.util.Locale.ROOT) + "-"
                + System.nanoTime() + ".hprof");
            return container.dumpHeap(file).toString();
        } catch (Exception | LinkageError e) {
            return "(no heap dump: " + e + ")";
        }
    }
}
