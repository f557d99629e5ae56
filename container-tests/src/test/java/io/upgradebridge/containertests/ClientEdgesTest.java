package io.upgradebridge.containertests;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What real clients notice at the edges of a session, against the sample WAR on every container: a client that
 * writes its whole message before it reads (as OkHttp and Node's {@code ws} do) gets the close frame that refused the
 * message, not a reset; a peer that resets is normal traffic in the server's log, not a failing handler.
 */
class ClientEdgesTest {

    private static final int TRIES = 10;
    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create().war(ContainerClassPath.warSample()));

    private static final OkHttpClient OK_HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30))
        .writeTimeout(Duration.ofSeconds(30)).build();

    @AfterAll
    static void stopOkHttp() {
        OK_HTTP.dispatcher().executorService().shutdown();
        OK_HTTP.connectionPool().evictAll();
    }

    /**
     * One 8 MiB binary frame to the raw {@code /echo} (1 MiB frames: refused from its header) and 8 MiB as eight 1 MiB
     * fragments to {@code /ws/chat} (4 MiB messages: refused at the fifth fragment), each written whole before the
     * client reads: the client reads the server's close frame with 1009 every time, because the server half-closes and
     * drops the rest of the input instead of resetting the connection under it. Our raw client and OkHttp, 10 tries
     * each; the figures are printed.
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aClientThatWritesItsWholeMessageBeforeReadingGetsTheCloseFrame(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        byte[] data = ConformanceSuite.random(EIGHT_MIB, 8);
        byte[] oneFrame = WsWire.masked(true, WsWire.BINARY, data);
        byte[][] fragments = new byte[8][];
        for (int i = 0; i < 8; i++) {
            fragments[i] = WsWire.masked(i == 7, i == 0 ? WsWire.TEXT : WsWire.CONTINUATION,
                ConformanceSuite.asciiText(EIGHT_MIB / 8));
        }
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        tally(report, failures, kind + " raw client, /echo, one 8 MiB frame",
            () -> rawClient(container, "/echo", new String[0], oneFrame));
        tally(report, failures, kind + " raw client, /ws/chat, 8 MiB as 8 fragments",
            () -> rawClient(container, "/ws/chat", new String[] {"Sec-WebSocket-Protocol: chat"}, fragments));
        tally(report, failures, kind + " OkHttp " + okhttp3.OkHttp.VERSION + ", /echo, one 8 MiB message",
            () -> okHttp(container, "/echo", null, data));
        tally(report, failures, kind + " OkHttp " + okhttp3.OkHttp.VERSION + ", /ws/chat, one 8 MiB message",
            () -> okHttp(container, "/ws/chat", "chat", data));
        System.out.println(String.join("\n", report));
        assertTrue(failures.isEmpty(), () -> String.join("\n", report) + "\n" + String.join("\n", failures));
    }

    /**
     * A peer that gets the close frame and its FIN but never closes its side, and goes silent: the lingering close
     * does not keep the connection for good; after its silence bound (5 s) the server closes, and the peer's next
     * writes fail.
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aLingeringCloseEndsWhenThePeerStaysSilent(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        byte[] over = WsWire.masked(true, WsWire.BINARY, new byte[2 * 1024 * 1024]); // over /echo's 1 MiB frames
        try (WsWire ws = WsWire.open(container, "/echo").readTimeout(Duration.ofSeconds(30))) {
            ws.send(over);
            WsWire.ServerFrame close = ws.read();
            assertEquals(1009, close.closeCode(), close::toString);
            assertEquals(-1, ws.http.input().read(), "the server half-closed after its close frame");
            long start = System.nanoTime();
            Thread.sleep(6_500); // silent, and our side stays open
            IOException refused = null;
            for (int i = 0; i < 50 && refused == null; i++) {
                try {
                    ws.http.output().write(new byte[] {1});
                    ws.http.output().flush();
                    Thread.sleep(100);
                } catch (IOException e) {
                    refused = e; // the server closed: a reset answers our byte, the next write fails
                }
            }
            assertTrue(refused != null, kind + ": the server still takes bytes "
                + (System.nanoTime() - start) / 1_000_000 + " ms after its close frame");
        }
    }

    @FunctionalInterface
    private interface Try {
        /** @return the close code the client received, or throws with what it saw instead */
        int run() throws Exception;
    }

    private static void tally(List<String> report, List<String> failures, String what, Try attempt) {
        int received = 0;
        for (int i = 0; i < TRIES; i++) {
            try {
                int code = attempt.run();
                if (code == 1009) {
                    received++;
                } else {
                    failures.add(what + " try " + (i + 1) + ": close code " + code);
                }
            } catch (Exception | AssertionError e) {
                failures.add(what + " try " + (i + 1) + ": " + e);
            }
        }
        report.add("close frames received (1009): " + received + " of " + TRIES + " - " + what);
    }

    /** Writes every frame, then reads up to the server's close frame; returns its code. */
    private static int rawClient(EmbeddedContainer container, String path, String[] headers, byte[]... frames)
            throws Exception {
        try (WsWire ws = WsWire.open(container, path, headers).readTimeout(Duration.ofSeconds(30))) {
            for (byte[] frame : frames) {
                ws.send(frame); // a write per frame, as a client that sends fragments does
            }
            for (int skipped = 0; skipped < 16; skipped++) {
                WsWire.ServerFrame frame = ws.read();
                if (frame.opcode() == WsWire.CLOSE) {
                    return frame.closeCode();
                }
            }
            throw new AssertionError("no close frame among the first 16 frames");
        }
    }

    /** OkHttp sends the message as one frame once the handshake is done, then reads; returns the close code. */
    private static int okHttp(EmbeddedContainer container, String path, String protocol, byte[] data) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        Request.Builder request = new Request.Builder().url("ws://127.0.0.1:" + container.port() + path);
        if (protocol != null) {
            request.header("Sec-WebSocket-Protocol", protocol);
        }
        WebSocket ws = OK_HTTP.newWebSocket(request.build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                webSocket.send(ByteString.of(data));
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                closed.complete(code);
                webSocket.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                closed.completeExceptionally(new IOException("OkHttp reports a failure instead of the close frame: " + t, t));
            }
        });
        try {
            return closed.get(30, TimeUnit.SECONDS);
        } finally {
            ws.cancel();
        }
    }

    /**
     * A peer that resets while the server still writes to it (it sent a lot and reads nothing) is normal traffic: on
     * the raw {@code /echo}, the default session's {@code /ws/echo} and the {@code ProtocolUpgrade} of {@code /lines},
     * no WARNING (and no stack trace) about that connection, and at most one line at the debug level (FINE here,
     * switched on for this test).
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aPeerThatResetsIsLoggedAsNormalTrafficNotAsAFailure(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        Level before = container.setLogLevel("io.upgradebridge", Level.FINE);
        try {
            List<Integer> ports = new ArrayList<>();
            byte[] text = WsWire.text(new String(ConformanceSuite.asciiText(60_000), StandardCharsets.US_ASCII), true);
            for (String path : List.of("/echo", "/ws/echo")) {
                WsWire ws = WsWire.open(container, path);
                ports.add(ws.http.socket().getLocalPort());
                floodThenReset(ws.http.socket(), text);
            }
            try (RawHttpClient http = RawHttpClient.connect(container.port())) {
                http.sendHead("GET /lines HTTP/1.1", "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: echo-lines");
                assertEquals(101, http.readResponseHead().status());
                ports.add(http.socket().getLocalPort());
                byte[] lines = "a line to echo, again and again\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
                floodThenReset(http.socket(), lines);
            }
            Thread.sleep(2_000); // the server finds out as it writes; nothing more is awaited
            for (int port : ports) {
                List<String> about = container.logLines().stream()
                    .filter(l -> l.contains("127.0.0.1:" + port) || l.contains("/127.0.0.1:" + port)).toList();
                List<String> warnings = about.stream().filter(l -> l.startsWith("WARNING") || l.startsWith("SEVERE")).toList();
                assertTrue(warnings.isEmpty(), () -> kind + " port " + port + ": a reset logged as a failure:\n" + warnings);
                List<String> bridgeLines = about.stream().filter(l -> l.contains("[io.upgradebridge")).toList();
                assertTrue(bridgeLines.size() <= 1, () -> kind + " port " + port + ": more than one line:\n" + bridgeLines);
                assertTrue(bridgeLines.stream().noneMatch(l -> l.contains("\n\tat ")), () -> "no stack trace: " + bridgeLines);
            }
        } finally {
            container.setLogLevel("io.upgradebridge", before);
        }
    }

    /** Writes {@code chunk} for up to a second (or until the server stops reading), then resets the connection. */
    private static void floodThenReset(Socket socket, byte[] chunk) throws Exception {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    socket.getOutputStream().write(chunk);
                }
            } catch (IOException stopped) {
                // the reset below ends a write the server no longer takes
            }
        });
        try {
            writing.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillWriting) {
            // the server stopped reading because we do not read its echo: that is the point
        }
        socket.setSoLinger(true, 0);
        socket.close(); // RST
        writing.handle((v, e) -> null).get(5, TimeUnit.SECONDS);
    }
}
