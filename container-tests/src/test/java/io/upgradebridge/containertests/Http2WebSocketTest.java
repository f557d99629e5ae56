package io.upgradebridge.containertests;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.JettyUpgradeListener;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * WebSocket with TLS and HTTP/2, every container set up as in production: a TLS connector offering {@code h2} and
 * {@code http/1.1} by ALPN (Jetty: its {@code http2} module, which advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL};
 * Tomcat: its {@code Http2Protocol} upgrade protocol; Undertow: an HTTPS listener with {@code ENABLE_HTTP2}; Payara:
 * its HTTPS listener, HTTP/2 on by default; none of the last three advertises it), a certificate made by the test.
 *
 * <p>On Jetty a browser opens every WebSocket as an HTTP/2 extended CONNECT (RFC 8441) and does not fall back; the
 * bridge runs the same sessions over the HTTP/2 stream. Elsewhere the browser loads the page over HTTP/2 and opens
 * its WebSockets over HTTP/1.1 connections. Which way each socket went is read from the container's own request log
 * (the method, path and protocol the container saw, before any application code; Payara: its access log), not from
 * the client.
 */
class Http2WebSocketTest {

    private static final String REQUESTS = "[containertests.requests] ";

    @RegisterExtension
    static final Containers sample = Containers.of(ContainerConfig.create().war(ContainerClassPath.warSample())
        .tls(TestCertificate.shared().keyStore(), TestCertificate.PASSWORD).logRequests());

    @RegisterExtension
    static final Containers app = Containers.of(ContainerConfig.create()
        .tls(TestCertificate.shared().keyStore(), TestCertificate.PASSWORD).logRequests()
        .filter("bridge", ProtocolUpgradeTest.FILTER, Map.of(), "/upgrade/*")
        .servlet("echo-lines", ProtocolUpgradeTest.APP + "EchoUpgradeServlet", "/upgrade/*")
        .servlet("ws", ProtocolUpgradeTest.APP + "WebSocketTestServlet", "/upgrade/ws/*"));

    private static HttpClient http2;
    private static WebSocketClient webSockets;
    private static HTTP2Client rawHttp2;
    private static SslContextFactory.Client trustAll;

    @BeforeAll
    static void startJettyClients() throws Exception {
        ClientConnector connector = new ClientConnector();
        trustAll = new SslContextFactory.Client(true); // the test's own certificate
        connector.setSslContextFactory(trustAll);
        rawHttp2 = new HTTP2Client(connector);
        http2 = new HttpClient(new HttpClientTransportOverHTTP2(rawHttp2)); // WebSockets as RFC 8441 extended CONNECTs
        webSockets = new WebSocketClient(http2);
        webSockets.setMaxBinaryMessageSize(1 << 20);
        webSockets.start();
    }

    @AfterAll
    static void stopJettyClients() throws Exception {
        if (webSockets != null) {
            webSockets.stop();
        }
        if (http2 != null) {
            http2.stop();
        }
    }

    static Stream<Arguments> kindsAndPageModes() {
        return Arrays.stream(ContainerKind.values())
            .flatMap(kind -> Stream.of("?auto", "?auto&session=default").map(query -> Arguments.of(kind, query)));
    }

    /**
     * Headless Chromium runs {@code index.html?auto} over https (echo and chat, on the raw servlets or on the
     * default-session routes); the container's request log then shows the page loaded over HTTP/2 and each WebSocket
     * as Jetty's {@code CONNECT ... HTTP/2.0 :protocol websocket} or Tomcat's {@code GET ... HTTP/1.1}.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndPageModes")
    void chromiumRunsThePageOverHttpsWithWebSocketsOverHttp2WhereTheContainerOffersIt(ContainerKind kind, String query)
            throws Exception {
        assumeTrue(Files.isExecutable(SampleWebAppTest.CHROMIUM), "Chromium is not installed: skipped");
        EmbeddedContainer container = sample.get(kind);
        int logged = container.logLines().size();
        try (SampleWebAppTest.HeadlessChromium chromium = SampleWebAppTest.HeadlessChromium.start()) {
            SampleWebAppTest.assertThePageEchoedAndChatted(chromium, container.uri("/index.html" + query),
                () -> "; requests: " + requestsSince(container, logged));
        }
        String prefix = query.contains("session=default") ? "/ws" : "";
        awaitRequest(container, logged, "GET /index.html" + query + " HTTP/2.0");
        for (String socket : List.of(prefix + "/echo", prefix + "/chat")) {
            awaitRequest(container, logged, kind.isJetty() ? "CONNECT " + socket + " HTTP/2.0 :protocol websocket"
                : "GET " + socket + " HTTP/1.1");
        }
    }

    /** Chromium's permessage-deflate offer over https: negotiated by {@code /ws/echo}, whichever protocol carried it. */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void chromiumNegotiatesPermessageDeflateOverHttps(ContainerKind kind) throws Exception {
        assumeTrue(Files.isExecutable(SampleWebAppTest.CHROMIUM), "Chromium is not installed: skipped");
        EmbeddedContainer container = sample.get(kind);
        int logged = container.logLines().size();
        try (SampleWebAppTest.HeadlessChromium chromium = SampleWebAppTest.HeadlessChromium.start()) {
            chromium.navigate(container.uri("/index.html"));
            chromium.awaitLoaded(container.uri("/index.html"));
            String message = "compress me, compress me, compress me, compress me";
            String result = chromium.evaluate("new Promise(function (done) {"
                + " var ws = new WebSocket('wss://' + location.host + '/ws/echo');"
                + " var timer = setTimeout(function () { done('timeout, readyState ' + ws.readyState); }, 10000);"
                + " ws.onerror = function () { clearTimeout(timer); done('error, readyState ' + ws.readyState); };"
                + " ws.onopen = function () { ws.send('" + message + "'); };"
                + " ws.onmessage = function (e) { clearTimeout(timer); done(ws.extensions + '|' + e.data); ws.close(1000); };"
                + "})", true);
            assertEquals("permessage-deflate|" + message, result.replaceFirst("^permessage-deflate[^|]*", "permessage-deflate"),
                () -> result + "; requests: " + requestsSince(container, logged));
        }
        awaitRequest(container, logged, kind.isJetty() ? "CONNECT /ws/echo HTTP/2.0 :protocol websocket" : "GET /ws/echo HTTP/1.1");
    }

    /**
     * Jetty's own WebSocket client over its HTTP/2 transport: the raw session ({@code /echo}) and the default session
     * ({@code /ws/echo}, permessage-deflate, {@code /ws/chat} with its subprotocol) over extended CONNECT streams.
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void jettysHttp2ClientRunsTheRawAndTheDefaultSessionOverHttp2Streams(ContainerKind kind) throws Exception {
        EmbeddedContainer container = sample.get(kind);
        int logged = container.logLines().size();
        for (String path : List.of("/echo", "/ws/echo")) {
            Events events = new Events();
            ClientUpgradeRequest request = new ClientUpgradeRequest();
            request.addExtensions("permessage-deflate");
            Session session = connect(events, wss(container, path), request);
            assertEquals(path.equals("/ws/echo"), session.getUpgradeResponse().getExtensions().stream()
                .anyMatch(e -> e.getName().equals("permessage-deflate")), "permessage-deflate where the route enables it");
            session.sendText("hello over h2", Callback.NOOP);
            assertEquals("hello over h2", events.next());
            byte[] binary = new byte[70_000];
            new Random(8441).nextBytes(binary);
            session.sendBinary(ByteBuffer.wrap(binary), Callback.NOOP);
            Object echoed = events.next();
            assertArrayEquals(binary, assertInstanceOf(byte[].class, echoed, () -> path + ": " + echoed));
            session.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
            assertEquals("pong:are you there", events.next());
            session.close(1000, "bye", Callback.NOOP);
            assertEquals("close:1000:bye", events.next(), "the close handshake, the peer's code echoed");
        }
        Events alice = new Events();
        ClientUpgradeRequest chat = new ClientUpgradeRequest();
        chat.setSubProtocols("chat");
        Session member = connect(alice, wss(container, "/ws/chat"), chat);
        assertEquals("chat", member.getUpgradeResponse().getAcceptedSubProtocol());
        member.sendText("alice is here", Callback.NOOP);
        assertEquals("alice is here", alice.next());
        member.close(1000, "", Callback.NOOP);
        assertEquals("close:1000:null", alice.next(), "Jetty's client reports an empty reason as null");

        List<String> requests = requestsSince(container, logged);
        for (String path : List.of("/echo", "/ws/echo", "/ws/chat")) {
            assertTrue(requests.contains("CONNECT " + path + " HTTP/2.0 :protocol websocket"), () -> path + ": " + requests);
        }
    }

    /**
     * The interleaving in which Jetty's HTTP/2 client loses a session's first frame (see {@link #connecting}), forced:
     * the application sends from the connect future, which Jetty completes on the thread that still handles the 200,
     * and holds that thread until the server's echo is queued on the client's stream; only then does Jetty go on with
     * the 200's content. The echo must reach the session. (An attempt in which the future had completed before the
     * hook was attached runs on this thread and forces nothing: it is repeated.)
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void theServersFirstFrameReachesJettysClientWhileItStillHandlesThe200(ContainerKind kind) throws Exception {
        EmbeddedContainer container = sample.get(kind);
        Thread testThread = Thread.currentThread();
        boolean forced = false;
        for (int attempt = 0; attempt < 10 && !forced; attempt++) {
            Events events = new Events();
            CompletableFuture<Session> connected = connecting(events, wss(container, "/echo"), new ClientUpgradeRequest());
            CompletableFuture<Boolean> held = connected.thenApply(session -> {
                session.sendText("first", Callback.NOOP);
                return Thread.currentThread() != testThread && echoQueued(session);
            });
            Session session = connected.get(10, TimeUnit.SECONDS);
            forced = held.get(20, TimeUnit.SECONDS);
            assertEquals("first", events.next(), () -> "the first echo (attempt held Jetty's response thread: " + held.join() + ")");
            session.close(1000, "bye", Callback.NOOP);
            assertEquals("close:1000:bye", events.next());
        }
        assertTrue(forced, "the connect future never completed on Jetty's response thread in 10 attempts");
    }

    /** Waits (at most 10 s) until DATA is queued, unread, on the client's HTTP/2 stream of {@code session}. */
    private static boolean echoQueued(Session session) {
        org.eclipse.jetty.websocket.core.WebSocketCoreSession core = (org.eclipse.jetty.websocket.core.WebSocketCoreSession)
            ((org.eclipse.jetty.websocket.common.WebSocketSession) session).getCoreSession();
        org.eclipse.jetty.http2.HTTP2Stream stream = (org.eclipse.jetty.http2.HTTP2Stream) core.getConnection().getEndPoint().getTransport();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.getDataLength() == 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * The same limits and close behaviour over an HTTP/2 stream: a frame beyond the raw session's 1 MiB limit closes
     * with 1009, and stopping the application sends 1001 to a session on a stream.
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void overHttp2AFrameBeyondTheLimitCloses1009AndUndeploySends1001(ContainerKind kind) throws Exception {
        EmbeddedContainer container = app.get(kind);
        Events tooBig = new Events();
        Session session = connect(tooBig, wss(container, "/upgrade/ws/echo"), new ClientUpgradeRequest());
        session.setAutoFragment(false); // one frame, as a peer that ignores the limit would send it
        session.setMaxFrameSize(4 << 20);
        session.sendBinary(ByteBuffer.wrap(new byte[(1 << 20) + 1]), Callback.NOOP);
        assertEquals(1009, closeCode(tooBig.next()), "too big for the session's frame limit");

        Events stopping = new Events();
        Session live = connect(stopping, wss(container, "/upgrade/ws/echo"), new ClientUpgradeRequest());
        live.sendText("still here", Callback.NOOP);
        assertEquals("still here", stopping.next());
        container.undeploy();
        assertEquals(1001, closeCode(stopping.next()), "going away");
        container.deploy();
    }

    /**
     * A client that sends its close frame and ends its side of the stream at once (in the same DATA frame, or in the next
     * one) leaves the server both {@code END_STREAM}s when it closes the session. Jetty must then let go of the stream,
     * whichever order the two are handled in: a stream left in Jetty's HTTP/2 session keeps the session from ever having
     * zero streams, so once the client has left (its {@code GOAWAY}, then the end of its connection) the session keeps
     * the connection open, waiting for it, and {@code Server.stop()} runs into its stop timeout (and throws). Before the
     * bridge removed such streams itself, a few closes in a hundred left one behind (Jetty 12.1.8, this 2-core machine):
     * 100 closes here, half of each kind, then the client leaves and the server stops.
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void webSocketsClosedFromBothSidesAtOnceLeaveNoStreamToHoldTheGracefulStop(ContainerKind kind) throws Exception {
        EmbeddedContainer container = app.get(kind);
        var session = rawHttp2.connect(trustAll, new InetSocketAddress("127.0.0.1", container.port()),
            new org.eclipse.jetty.http2.api.Session.Listener() { }).get(10, TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 100; i++) {
                String which = "close " + i + (i % 2 == 0 ? " (END_STREAM on the close frame)" : " (END_STREAM after it)");
                byte[] answer = closeAtOnce(session, container, i % 2 == 0);
                assertTrue(answer.length >= 4 && (answer[0] & 0xFF) == 0x88 && ((answer[2] & 0xFF) << 8 | answer[3] & 0xFF) == 1000,
                    () -> which + ": the server's close frame, code 1000, then END_STREAM, expected: " + Arrays.toString(answer));
            }
        } finally {
            CompletableFuture<Void> goAway = new CompletableFuture<>();
            session.close(0, "done", org.eclipse.jetty.util.Callback.from(() -> goAway.complete(null), goAway::completeExceptionally));
            goAway.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!session.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertTrue(session.isClosed(), "the client's HTTP/2 session ended");
        app.stop(kind); // Jetty's graceful stop: throws a TimeoutException if a stream still holds a session
    }

    /**
     * Opens a WebSocket on {@code /upgrade/ws/echo} as an extended CONNECT on {@code session}, sends a close frame (1000)
     * and ends the stream together with it ({@code endInCloseFrame}) or in the next DATA frame, without waiting for the
     * server's close; returns the bytes the server sent, once it ended its side ({@code END_STREAM}; a reset fails).
     */
    private static byte[] closeAtOnce(org.eclipse.jetty.http2.api.Session session, EmbeddedContainer container,
                                      boolean endInCloseFrame) throws Exception {
        CompletableFuture<org.eclipse.jetty.http2.api.Stream> accepted = new CompletableFuture<>();
        CompletableFuture<byte[]> ended = new CompletableFuture<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        MetaData.ConnectRequest request = new MetaData.ConnectRequest(HttpScheme.HTTPS,
            new HostPortHttpField("127.0.0.1:" + container.port()), "/upgrade/ws/echo",
            HttpFields.build().put("Sec-WebSocket-Version", "13"), "websocket");
        session.newStream(new HeadersFrame(request, null, false), new org.eclipse.jetty.http2.api.Stream.Listener() {
            @Override
            public void onHeaders(org.eclipse.jetty.http2.api.Stream stream, HeadersFrame frame) {
                int status = ((MetaData.Response) frame.getMetaData()).getStatus();
                if (status != 200 || frame.isEndStream()) {
                    accepted.completeExceptionally(new AssertionError("the extended CONNECT got " + status));
                    return;
                }
                accepted.complete(stream);
                stream.demand();
            }

            @Override
            public void onDataAvailable(org.eclipse.jetty.http2.api.Stream stream) {
                if (readData(stream, received)) {
                    ended.complete(received.toByteArray());
                } else {
                    stream.demand();
                }
            }

            @Override
            public void onReset(org.eclipse.jetty.http2.api.Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame,
                                org.eclipse.jetty.util.Callback callback) {
                ended.completeExceptionally(new AssertionError("the server reset the stream (" + frame.getError() + ")"));
                callback.succeeded();
            }
        }).whenComplete((opened, failure) -> {
            if (failure != null) {
                accepted.completeExceptionally(failure);
            }
        });
        org.eclipse.jetty.http2.api.Stream stream = accepted.get(10, TimeUnit.SECONDS);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] close = {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3], (byte) (0x03 ^ mask[0]), (byte) (0xE8 ^ mask[1])};
        if (endInCloseFrame) {
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(close), true), org.eclipse.jetty.util.Callback.NOOP);
        } else {
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(close), false), org.eclipse.jetty.util.Callback.from(
                () -> stream.data(new DataFrame(stream.getId(), ByteBuffer.allocate(0), true), org.eclipse.jetty.util.Callback.NOOP)));
        }
        return ended.get(10, TimeUnit.SECONDS);
    }

    /**
     * On HTTP/2 only WebSocket can be tunnelled: an extended CONNECT for another {@code :protocol} reaches an upgrade
     * that is not WebSocket and gets 400 with a one-line reason; a WebSocket extended CONNECT without a version
     * gets 426. Jetty's HTTP/2 client sends the requests as they are.
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void anUpgradeThatIsNotWebSocketIsRefusedOnHttp2WithAReason(ContainerKind kind) throws Exception {
        EmbeddedContainer container = app.get(kind);
        Answer lines = extendedConnect(container, "/upgrade/x?mode=echo", "echo-lines", HttpFields.EMPTY);
        assertEquals(400, lines.status(), lines::toString);
        assertEquals(1, lines.body().strip().lines().count(), lines::toString);
        assertTrue(lines.body().contains("does not run over an HTTP/2 extended CONNECT for :protocol echo-lines"), lines::toString);

        Answer noVersion = extendedConnect(container, "/upgrade/ws/echo", "websocket", HttpFields.EMPTY);
        assertEquals(426, noVersion.status(), noVersion::toString);
        assertTrue(noVersion.body().contains("WebSocket version 13"), noVersion::toString);
    }

    /**
     * The HTTP/2 of Tomcat, Undertow and Payara offers no extended CONNECT: Jetty's client, limited to HTTP/2, is refused
     * (it does not fall back), while browsers use HTTP/1.1 there (above).
     */
    @ParameterizedTest
    @EnumSource(mode = EnumSource.Mode.EXCLUDE, names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void whereHttp2OffersNoExtendedConnectAnHttp2OnlyClientIsRefused(ContainerKind kind) throws Exception {
        EmbeddedContainer container = sample.get(kind);
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> connect(new Events(), wss(container, "/echo"), new ClientUpgradeRequest()));
        assertFalse(refused.getCause() instanceof AssertionError, () -> "refused: " + refused.getCause());
    }

    /** A client without HTTP/2 (the JDK's WebSocket) over TLS: an ordinary HTTP/1.1 upgrade on every container. */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void theJdkClientOverTlsUpgradesOverHttp11(ContainerKind kind) throws Exception {
        EmbeddedContainer container = sample.get(kind);
        int logged = container.logLines().size();
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
        WebSocketTest.Collector events = new WebSocketTest.Collector();
        java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(wss(container, "/ws/echo"), events)
            .get(10, TimeUnit.SECONDS);
        ws.sendText("hello over TLS", true).get(5, TimeUnit.SECONDS);
        assertEquals("hello over TLS", events.next());
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:bye", events.next());
        awaitRequest(container, logged, "GET /ws/echo HTTP/1.1"); // an HTTP/1.1 upgrade
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Reads the stream's next DATA frame, if one is there, into {@code sink} and releases it.
     *
     * @return whether that frame ended the stream (if not, the caller demands more)
     */
    private static boolean readData(org.eclipse.jetty.http2.api.Stream stream, ByteArrayOutputStream sink) {
        org.eclipse.jetty.http2.api.Stream.Data data = stream.readData();
        if (data == null) {
            return false;
        }
        ByteBuffer bytes = data.frame().getByteBuffer();
        byte[] chunk = new byte[bytes.remaining()];
        bytes.get(chunk);
        sink.writeBytes(chunk);
        boolean last = data.frame().isEndStream();
        data.release();
        return last;
    }

    private static URI wss(EmbeddedContainer container, String path) {
        return URI.create("wss://127.0.0.1:" + container.port() + path);
    }

    private static Session connect(Events events, URI uri, ClientUpgradeRequest request) throws Exception {
        return connecting(events, uri, request).get(10, TimeUnit.SECONDS);
    }

    /**
     * Starts a WebSocket handshake with Jetty's client, told to leave the HTTP/2 stream to the WebSocket after the 200.
     *
     * <p>Jetty 12.1.8's HTTP/2 transport ({@code HttpReceiverOverHTTP2.onResponse}) hands an extended CONNECT's stream
     * to the WebSocket connection and completes the connect future first, and only then goes on with the 200 as an HTTP
     * response ({@code HttpReceiver.responseHeaders}): a request without a content-source listener gets one that drains
     * the "response content" with {@code Stream.readData()} and drops it. Whatever DATA reached the stream in between is
     * lost: the server's first WebSocket frames, typically its answer to what the application sent as soon as the future
     * completed. (The stream's data notification to the WebSocket connection waits behind that response task, on the
     * stream listener's {@code SerializedInvoker}, and then finds the stream empty.) Seen as "nothing arrived" for the
     * first echo or for the 1009 close under load. A content-source listener that never reads keeps the bytes for the
     * WebSocket connection, which reads the stream itself.
     */
    private static CompletableFuture<Session> connecting(Events events, URI uri, ClientUpgradeRequest request) throws Exception {
        return webSockets.connect(events, uri, request, new JettyUpgradeListener() {
            @Override
            public void onHandshakeRequest(Request handshake) {
                handshake.onResponseContentSource((response, tunnelledBytes) -> { }); // never read: they are the WebSocket's
            }
        });
    }

    private static int closeCode(Object event) {
        String close = assertInstanceOf(String.class, event);
        assertTrue(close.startsWith("close:"), close);
        return Integer.parseInt(close.split(":")[1]);
    }

    /**
     * Waits (bounded, 10 s) until the container's request log has {@code expected} after its first {@code from} lines: a
     * server that writes an access log writes an upgraded request's line once the connection has ended.
     */
    private static void awaitRequest(EmbeddedContainer container, int from, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!requestsSince(container, from).contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> requests = requestsSince(container, from);
        assertTrue(requests.contains(expected), () -> "expected '" + expected + "' among " + requests);
    }

    /** The request-log lines the container wrote after the first {@code from} lines: {@code METHOD /path PROTOCOL ...}. */
    private static List<String> requestsSince(EmbeddedContainer container, int from) {
        List<String> lines = container.logLines();
        return lines.subList(Math.min(from, lines.size()), lines.size()).stream()
            .filter(line -> line.contains(REQUESTS))
            .map(line -> line.substring(line.indexOf(REQUESTS) + REQUESTS.length()).strip())
            .toList();
    }

    record Answer(int status, String body) {
    }

    /** Sends an HTTP/2 extended CONNECT with {@code :protocol} on a new connection; the answer's status and body. */
    private static Answer extendedConnect(EmbeddedContainer container, String pathQuery, String protocol, HttpFields headers)
            throws Exception {
        var session = rawHttp2.connect(trustAll, new InetSocketAddress("127.0.0.1", container.port()),
            new org.eclipse.jetty.http2.api.Session.Listener() { }).get(10, TimeUnit.SECONDS);
        try {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            MetaData.ConnectRequest request = new MetaData.ConnectRequest(HttpScheme.HTTPS,
                new HostPortHttpField("127.0.0.1:" + container.port()), pathQuery, headers, protocol);
            session.newStream(new HeadersFrame(request, null, false), new org.eclipse.jetty.http2.api.Stream.Listener() {
                private int status;
                private final ByteArrayOutputStream body = new ByteArrayOutputStream();

                @Override
                public void onHeaders(org.eclipse.jetty.http2.api.Stream stream, HeadersFrame frame) {
                    status = ((MetaData.Response) frame.getMetaData()).getStatus();
                    if (frame.isEndStream()) {
                        answer.complete(new Answer(status, ""));
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onDataAvailable(org.eclipse.jetty.http2.api.Stream stream) {
                    if (readData(stream, body)) {
                        answer.complete(new Answer(status, body.toString(StandardCharsets.UTF_8)));
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onReset(org.eclipse.jetty.http2.api.Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame,
                                    org.eclipse.jetty.util.Callback callback) {
                    answer.complete(new Answer(status, "(reset " + frame.getError() + ") " + body.toString(StandardCharsets.UTF_8)));
                    callback.succeeded();
                }
            }).get(10, TimeUnit.SECONDS);
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            session.close(0, "done", org.eclipse.jetty.util.Callback.NOOP);
        }
    }

    /** A Jetty WebSocket endpoint that queues what it receives: text, byte arrays, "pong:...", "close:code:reason". */
    public static final class Events implements Session.Listener.AutoDemanding {
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void onWebSocketText(String message) {
            events.add(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            events.add(bytes);
            callback.succeed();
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            events.add("pong:" + StandardCharsets.UTF_8.decode(payload));
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            events.add("close:" + statusCode + ":" + reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            events.add("error:" + cause);
        }

        Object next() throws InterruptedException {
            Object event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("nothing arrived within 10 s");
            }
            return event;
        }
    }
}
