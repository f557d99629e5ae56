package io.upgradebridge.containertests;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three nodes running the war-sample WAR (Tomcat 10.1 and Jetty 12.1 with the web.xml WAR, Tomcat 11 with the
 * annotations WAR) behind Debian's nginx, their chats joined through Debian's
 * redis-server: what a team does when one container is not enough.
 *
 * <p>nginx (written and started by the test, 127.0.0.1 only) has three servers: plain HTTP, round robin over the
 * nodes, sending {@code X-Forwarded-Host}/{@code -Proto}, with a location whose {@code proxy_read_timeout} is
 * {@value #SHORT_READ_TIMEOUT_SECONDS} s; TLS (nginx ends it, with a certificate the test makes) sending RFC 7239
 * {@code Forwarded}; and plain HTTP pinned to one node ({@code hash $remote_addr}) for the failover. It connects to the
 * nodes from {@value #PROXY_ADDRESS} ({@code proxy_bind}), the one proxy the nodes trust, so a client that connects
 * to a node directly from 127.0.0.1 cannot forge the forwarded headers.
 *
 * <p>The nodes get the sample's settings as system properties while they start: the chat's Redis, a ping period of
 * {@code PT1S} (below nginx's read timeouts), the same-origin check and the trusted proxy. Skipped, saying why, when
 * nginx or redis-server is not installed ({@code .ci/run} installs both); the failover test also needs Chromium.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralNodesTest {

    /** nginx connects to the nodes from this loopback address; the nodes trust it as their proxy. */
    static final String PROXY_ADDRESS = "127.0.0.2";
    static final int SHORT_READ_TIMEOUT_SECONDS = 3;
    private static final String SHORT = "/short-read-timeout";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path temp;
    static RedisServer redis;
    static ContainerGroup nodes;
    static TestCertificate certificate;
    static Nginx nginx;
    static HttpClient http;
    static HttpClient https;
    static OkHttpClient okHttp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Nginx.installed(), "nginx is not installed (" + Nginx.NGINX + "): the tests behind nginx are skipped"
            + " (.ci/run installs Debian's nginx)");
        assumeTrue(RedisServer.installed(), "redis-server is not installed (" + RedisServer.REDIS + "): the tests of"
            + " several nodes are skipped (.ci/run installs Debian's redis-server)");
        long started = System.nanoTime();
        redis = RedisServer.start(temp.resolve("redis"));
        nodes = startNodes(List.of(
            new ContainerGroup.Node(ContainerKind.TOMCAT_10_1, ContainerConfig.create().war(ContainerClassPath.warSample())),
            new ContainerGroup.Node(ContainerKind.TOMCAT_11, ContainerConfig.create().war(ContainerClassPath.warSampleAnnotations())),
            new ContainerGroup.Node(ContainerKind.JETTY_12_1, ContainerConfig.create().war(ContainerClassPath.warSample()))));
        for (EmbeddedContainer node : nodes.all()) {
            awaitLog(node, "subscribed to Redis");
        }
        certificate = TestCertificate.create(temp.resolve("tls"));
        nginx = Nginx.start(temp.resolve("nginx"), 3, "worker_processes 1;", "  worker_connections 1024;",
            SeveralNodesTest::nginxHttp);
        http = HttpClient.newHttpClient();
        https = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
        okHttp = new OkHttpClient.Builder()
            .sslSocketFactory(certificate.clientContext().getSocketFactory(), certificate.trustManager())
            .readTimeout(Duration.ofSeconds(30)).build();
        System.out.printf("SeveralNodesTest: Redis, 3 nodes and nginx up in %d ms: %s, %s%n",
            (System.nanoTime() - started) / 1_000_000, nodes, nginx);
    }

    /** Starts the nodes with the sample's settings as system properties, which the nodes read while they start. */
    static ContainerGroup startNodes(List<ContainerGroup.Node> list) throws Exception {
        Map<String, String> settings = Map.of(
            "io.upgradebridge.sample.chat.redis", redis.uri(),
            "io.upgradebridge.sample.pingPeriod", "PT1S",
            "io.upgradebridge.sample.sameOrigin", "true",
            "io.upgradebridge.sample.trustedProxies", PROXY_ADDRESS);
        settings.forEach(System::setProperty);
        try {
            return ContainerGroup.start(list);
        } finally {
            settings.keySet().forEach(System::clearProperty); // no other test's deployment sees them
        }
    }

    /** The {@code http} block: upstreams of the three nodes, and the three servers (see the class comment). */
    private static String nginxHttp(int[] ports) {
        StringBuilder upstreams = new StringBuilder();
        for (EmbeddedContainer node : nodes.all()) {
            upstreams.append("    server 127.0.0.1:").append(node.port()).append(" max_fails=1 fail_timeout=30s;\n");
        }
        String webSocketHeaders = "    proxy_set_header Upgrade $http_upgrade;\n"
            + "    proxy_set_header Connection $connection_upgrade;\n";
        return "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
            + "  upstream nodes {\n" + upstreams + "  }\n"
            + "  upstream pinned {\n    hash $remote_addr;\n" + upstreams + "  }\n"
            + "  proxy_http_version 1.1;\n"
            + "  proxy_bind " + PROXY_ADDRESS + ";\n"
            + "  proxy_connect_timeout 5s;\n"
            + "  proxy_read_timeout 60s;\n"
            + "  server {\n"
            + "    listen 127.0.0.1:" + ports[0] + ";\n"
            + webSocketHeaders
            + "    proxy_set_header X-Forwarded-Host $http_host;\n"
            + "    proxy_set_header X-Forwarded-Proto $scheme;\n"
            + "    location / { proxy_pass http://nodes; }\n"
            + "    location " + SHORT + "/ { proxy_read_timeout " + SHORT_READ_TIMEOUT_SECONDS + "s; proxy_pass http://nodes/; }\n"
            + "  }\n"
            + "  server {\n"
            + "    listen 127.0.0.1:" + ports[1] + " ssl;\n"
            + "    ssl_certificate " + certificate.certificatePem() + ";\n"
            + "    ssl_certificate_key " + certificate.keyPem() + ";\n"
            + webSocketHeaders
            + "    proxy_set_header Forwarded \"for=$remote_addr;host=\\\"$http_host\\\";proto=$scheme\";\n"
            + "    location / { proxy_pass http://nodes; }\n"
            + "  }\n"
            + "  server {\n"
            + "    listen 127.0.0.1:" + ports[2] + ";\n"
            + webSocketHeaders
            + "    proxy_set_header X-Forwarded-Host $http_host;\n"
            + "    proxy_set_header X-Forwarded-Proto $scheme;\n"
            + "    location / { proxy_pass http://pinned; }\n"
            + "  }\n";
    }

    @AfterAll
    static void stop() throws Exception {
        List<Exception> failures = new ArrayList<>();
        if (okHttp != null) {
            okHttp.dispatcher().executorService().shutdown();
            okHttp.connectionPool().evictAll();
        }
        for (AutoCloseable resource : new AutoCloseable[] {nginx, nodes, redis}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private static URI plain(String path) {
        return URI.create("ws://127.0.0.1:" + nginx.port(0) + path);
    }

    private static URI tls(String path) {
        return URI.create("wss://127.0.0.1:" + nginx.port(1) + path);
    }

    private static URI direct(EmbeddedContainer node, String path) {
        return URI.create("ws://127.0.0.1:" + node.port() + path);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"http", "https"})
    @Order(1)
    void handshakeAndEchoOnBothEchoesThroughNginx(String scheme) throws Exception {
        HttpClient client = scheme.equals("https") ? https : http;
        int before = linesStartingWith("GET /ws/echo ").size();
        for (String path : List.of("/echo", "/ws/echo")) {
            // several connections, so that round robin takes them to every node
            for (int i = 0; i < nodes.size(); i++) {
                WebSocketTest.Collector collector = new WebSocketTest.Collector();
                URI uri = scheme.equals("https") ? tls(path) : plain(path);
                WebSocket ws = client.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, collector)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                ws.sendText("hello " + i + " through nginx", true).get(5, TimeUnit.SECONDS);
                assertEquals("hello " + i + " through nginx", collector.next(), uri::toString);
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                assertEquals("close:1000:bye", collector.next(), uri::toString);
            }
        }
        // nginx logs a WebSocket when it has closed both sides, which may be a moment after the client's close
        List<String> lines = awaitLines("GET /ws/echo ", before + nodes.size());
        Set<String> upstreams = lines.subList(before, lines.size()).stream().map(SeveralNodesTest::lastUpstream)
            .collect(Collectors.toSet());
        assertEquals(nodes.size(), upstreams.size(), () -> "round robin reached every node: " + lines);
    }

    /**
     * OkHttp offers permessage-deflate: {@code /ws/echo} agrees to it through nginx (which passes the extension
     * headers on and the compressed frames through), {@code /echo} (raw session) declines it; both echo.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"http", "https"})
    @Order(2)
    void permessageDeflateThroughNginx(String scheme) throws Exception {
        String message = "compress me please ".repeat(4000); // 76 KB, compresses well
        for (String path : List.of("/ws/echo", "/echo")) {
            String url = (scheme.equals("https") ? "wss://127.0.0.1:" + nginx.port(1) : "ws://127.0.0.1:" + nginx.port(0)) + path;
            CompletableFuture<String> extensions = new CompletableFuture<>();
            CompletableFuture<String> echo = new CompletableFuture<>();
            okhttp3.WebSocket ws = okHttp.newWebSocket(new Request.Builder().url(url).build(), new WebSocketListener() {
                @Override
                public void onOpen(okhttp3.WebSocket webSocket, Response response) {
                    String value = response.header("Sec-WebSocket-Extensions");
                    extensions.complete(value == null ? "" : value);
                }

                @Override
                public void onMessage(okhttp3.WebSocket webSocket, String text) {
                    echo.complete(text);
                }

                @Override
                public void onFailure(okhttp3.WebSocket webSocket, Throwable t, Response response) {
                    extensions.completeExceptionally(t);
                    echo.completeExceptionally(t);
                }
            });
            try {
                String agreed = extensions.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (path.equals("/ws/echo")) {
                    assertTrue(agreed.contains("permessage-deflate"), url + ": " + agreed);
                } else {
                    assertEquals("", agreed, url + ": the raw echo declines extensions");
                }
                assertTrue(ws.send(message));
                assertEquals(message, echo.get(WAIT.toSeconds(), TimeUnit.SECONDS), url);
            } finally {
                ws.close(1000, "done");
            }
        }
    }

    /**
     * A member on each node (connected to the node directly) sends 100 numbered messages at once with the others;
     * every member gets all 300, each sender's in order: the chat spans the nodes through Redis. Then the same
     * through nginx, whose round robin puts the three members on three nodes.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat", "/ws/chat"})
    @Order(3)
    void aMemberOnEachNodeReachesTheOthersInOrderPerSender(String path) throws Exception {
        List<URI> direct = nodes.all().stream().map(node -> direct(node, path)).collect(Collectors.toList());
        chatAcross(direct, "direct");
        String request = "GET " + path + " ";
        int before = linesStartingWith(request).size();
        chatAcross(List.of(plain(path), plain(path), plain(path)), "via-nginx");
        List<String> lines = awaitLines(request, before + 3); // nginx logs a WebSocket when it has closed both sides
        Set<String> upstreams = lines.subList(before, lines.size()).stream().map(SeveralNodesTest::lastUpstream)
            .collect(Collectors.toSet());
        assertEquals(nodes.size(), upstreams.size(), () -> "the three members were on three nodes: " + lines);
    }

    /**
     * Rooms ({@code ?room=NAME}) span the nodes too, and keep to themselves: a message in one room reaches its members
     * on every node and no member of another room. A name that is no room name is refused: 400 before the upgrade on
     * the raw chat, close 1008 on the default session (whose handler runs after the 101).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/chat", "/ws/chat"})
    @Order(4)
    void roomsSpanTheNodesAndKeepToThemselves(String path) throws Exception {
        try (ChatMember blueA = ChatMember.join(http, direct(nodes.get(0), path + "?room=blue"), "blue-a");
             ChatMember blueB = ChatMember.join(http, plain(path + "?room=blue"), "blue-b");
             ChatMember greenC = ChatMember.join(http, direct(nodes.get(2), path + "?room=green"), "green-c");
             ChatMember main = ChatMember.join(http, direct(nodes.get(1), path), "main")) {
            blueA.send("for the blue room");
            blueB.await("for the blue room"::equals);
            greenC.send("for the green room");
            main.send("for the main room");
            blueB.send("blue again");
            blueA.await("blue again"::equals);
            greenC.await("for the green room"::equals);
            main.await("for the main room"::equals);
            Set<String> blue = Set.of("join blue-a", "join blue-b", "for the blue room", "blue again");
            Set<String> green = Set.of("join green-c", "for the green room");
            Set<String> mainRoom = Set.of("join main", "for the main room");
            Map<ChatMember, Set<String>> allowed = Map.of(blueA, blue, blueB, blue, greenC, green, main, mainRoom);
            for (Map.Entry<ChatMember, Set<String>> member : allowed.entrySet()) {
                member.getKey().drain(Duration.ofMillis(300));
                List<String> strays = member.getKey().seen().stream().filter(m -> !member.getValue().contains(m))
                    .collect(Collectors.toList());
                assertTrue(strays.isEmpty(), () -> member.getKey() + " got messages of other rooms: " + strays);
            }
        }
        URI badRoom = direct(nodes.get(0), path + "?room=no:colons");
        if (path.equals("/chat")) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
                .subprotocols("chat").buildAsync(badRoom, new WebSocketTest.Collector()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(400, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
        } else {
            WebSocketTest.Collector collector = new WebSocketTest.Collector();
            http.newWebSocketBuilder().subprotocols("chat").buildAsync(badRoom, collector).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Object end = collector.next();
            assertTrue(end.toString().startsWith("close:1008:"), () -> "closed with 1008: " + end);
        }
    }

    private static void chatAcross(List<URI> uris, String tag) throws Exception {
        int perSender = 100;
        List<ChatMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < uris.size(); i++) {
                members.add(ChatMember.join(http, uris.get(i), tag + "-" + i));
            }
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (ChatMember member : members) {
                sending.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int n = 0; n < perSender; n++) {
                            member.send(member.name + " #" + n);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            CompletableFuture.allOf(sending.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            for (ChatMember receiver : members) {
                List<String> got = receiver.awaitAll(m -> m.contains(" #"), perSender * members.size());
                for (ChatMember sender : members) {
                    List<Integer> order = got.stream().filter(m -> m.startsWith(sender.name + " #"))
                        .map(m -> Integer.parseInt(m.substring(m.indexOf('#') + 1))).collect(Collectors.toList());
                    List<Integer> expected = new ArrayList<>();
                    for (int n = 0; n < perSender; n++) {
                        expected.add(n);
                    }
                    assertEquals(expected, order, receiver.name + " got " + sender.name + "'s messages out of order or"
                        + " not all");
                }
            }
        } finally {
            members.forEach(ChatMember::close);
        }
    }

    /**
     * The nodes check that a page's origin is the request's own, which behind nginx they learn from the forwarded
     * headers of the proxy they trust: over plain HTTP {@code X-Forwarded-Host}/{@code -Proto}, over TLS
     * {@code Forwarded}. The same headers from a client that connects directly are not believed.
     */
    @Test
    @Order(5)
    void theSameOriginCheckBelievesOnlyTheTrustedProxysForwardedHeaders() throws Exception {
        String plainOrigin = "http://127.0.0.1:" + nginx.port(0);
        String tlsOrigin = "https://127.0.0.1:" + nginx.port(1);
        assertEquals(101, handshakeStatus(http, plain("/ws/echo"), plainOrigin));
        assertEquals(101, handshakeStatus(https, tls("/ws/echo"), tlsOrigin), "proto=https from Forwarded");
        assertEquals(403, handshakeStatus(http, plain("/ws/echo"), "https://evil.example"));
        assertEquals(403, handshakeStatus(http, plain("/ws/echo"), "https://127.0.0.1:" + nginx.port(0)),
            "the page was not on https");
        assertEquals(403, handshakeStatus(https, tls("/ws/echo"), "http://127.0.0.1:" + nginx.port(1)),
            "the page was not on http");
        assertEquals(403, handshakeStatus(http, plain("/ws/chat"), "http://127.0.0.1:" + nginx.port(2)),
            "another port is another origin");

        EmbeddedContainer node = nodes.get(0);
        RawHttpClient.ResponseHead forged = WsWire.handshake(node, "/ws/echo", "Origin: " + plainOrigin,
            "X-Forwarded-Host: 127.0.0.1:" + nginx.port(0), "X-Forwarded-Proto: http",
            "Forwarded: host=\"127.0.0.1:" + nginx.port(0) + "\";proto=http");
        assertEquals(403, forged.status(), () -> "a direct client's forwarded headers are not believed: " + forged);
        RawHttpClient.ResponseHead own = WsWire.handshake(node, "/ws/echo", "Origin: http://127.0.0.1:" + node.port());
        assertEquals(101, own.status(), () -> "a page served by the node itself: " + own);
    }

    private static int handshakeStatus(HttpClient client, URI uri, String origin) throws Exception {
        try {
            WebSocket ws = client.newWebSocketBuilder().header("Origin", origin).connectTimeout(WAIT)
                .buildAsync(uri, new WebSocketTest.Collector()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause(),
                () -> uri + " Origin " + origin + ": " + e.getCause());
            return refused.getResponse().statusCode();
        }
    }

    /**
     * Behind a location with {@code proxy_read_timeout 3s}: a default session (the node pings a quiet peer every
     * second) outlives it many times over, while a raw session nobody pings is cut by nginx after 3 s. The rule:
     * the ping period must be below the proxy's read timeout.
     */
    @Test
    @Order(6)
    void sessionsOutliveTheProxyReadTimeoutBecauseThePingsKeepThemBusy() throws Exception {
        WebSocketTest.Collector pinged = new WebSocketTest.Collector();
        WebSocketTest.Collector silent = new WebSocketTest.Collector();
        WebSocket defaultSession = http.newWebSocketBuilder().connectTimeout(WAIT)
            .buildAsync(plain(SHORT + "/ws/echo"), pinged).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        WebSocket rawSession = http.newWebSocketBuilder().connectTimeout(WAIT)
            .buildAsync(plain(SHORT + "/echo"), silent).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long quiet = SHORT_READ_TIMEOUT_SECONDS * 3L;
        Object rawEnd = silent.events.poll(quiet, TimeUnit.SECONDS);
        assertTrue(rawEnd != null && (rawEnd instanceof Throwable || rawEnd.toString().startsWith("close:")),
            () -> "nginx cuts the unpinged raw session after " + SHORT_READ_TIMEOUT_SECONDS + " s: " + rawEnd);
        long stillQuiet = Math.max(0, quiet - SHORT_READ_TIMEOUT_SECONDS);
        Thread.sleep(TimeUnit.SECONDS.toMillis(stillQuiet));
        assertTrue(pinged.events.isEmpty(), () -> "the default session is still open: " + pinged.events);
        defaultSession.sendText("still here after " + quiet + " s", true).get(5, TimeUnit.SECONDS);
        assertEquals("still here after " + quiet + " s", pinged.next());
        defaultSession.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        rawSession.abort();
    }

    /**
     * Redis stops: each node logs it once, its local chat goes on; Redis starts again on the same port: each node says
     * so and the chat spans the nodes again.
     */
    @Test
    @Order(7)
    void aNodeThatLosesRedisKeepsItsLocalChatLogsItOnceAndResumes() throws Exception {
        EmbeddedContainer a = nodes.get(0);
        EmbeddedContainer b = nodes.get(2);
        try (ChatMember a1 = ChatMember.join(http, direct(a, "/ws/chat"), "a1");
             ChatMember a2 = ChatMember.join(http, direct(a, "/ws/chat"), "a2");
             ChatMember b1 = ChatMember.join(http, direct(b, "/ws/chat"), "b1")) {
            a1.send("before the outage");
            b1.await("before the outage"::equals);

            redis.stop();
            for (EmbeddedContainer node : nodes.all()) {
                awaitLog(node, "lost Redis");
            }
            for (int n = 0; n < 5; n++) {
                a1.send("local " + n);
            }
            assertEquals(List.of("local 0", "local 1", "local 2", "local 3", "local 4"),
                a2.awaitAll(m -> m.startsWith("local "), 5), "the node's own members still chat");
            b1.send("b alone");
            b1.await("b alone"::equals);

            redis.restart();
            for (EmbeddedContainer node : nodes.all()) {
                awaitLog(node, "is back");
            }
            a1.send("after the outage");
            b1.await("after the outage"::equals);
            b1.send("b after the outage");
            a2.await("b after the outage"::equals);
            assertTrue(b1.seen().stream().noneMatch(m -> m.startsWith("local ")),
                () -> "messages sent while Redis was away are not delivered later: " + b1.seen());
            assertFalse(a2.seen().contains("b alone"), () -> "nor those of the other side: " + a2.seen());
            for (EmbeddedContainer node : nodes.all()) {
                List<String> warnings = node.logLinesContaining("chat cluster:").stream()
                    .filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
                assertEquals(1, warnings.size(), () -> node + " logs the outage once: " + warnings);
            }
        }
    }

    /**
     * Headless Chromium on the pinned server (every request from 127.0.0.1 goes to one node): the page joins the chat;
     * that node stops; its sessions get 1001; the page's state line shows the reconnection with backoff, and it comes
     * back through nginx on another node, where the chat goes on with a member of a third node.
     */
    @Test
    @Order(8)
    void whenANodeStopsItsSessionsGet1001AndThePageReconnectsThroughNginxToAnotherNode() throws Exception {
        assumeTrue(Files.isExecutable(SampleWebAppTest.CHROMIUM), "Chromium is not installed ("
            + SampleWebAppTest.CHROMIUM + "): the failover test is skipped (.ci/run installs Debian's chromium)");
        int indexLinesBefore = linesStartingWith("GET /index.html ").size();
        RawHttpClient.Response index = RawHttpClient.get(nginx.port(2), "/index.html");
        assertEquals(200, index.status());
        // nginx writes the access log line after the response has gone out: wait for it
        List<String> indexLines = awaitLines("GET /index.html ", indexLinesBefore + 1);
        String pinnedAddress = lastUpstream(indexLines.get(indexLines.size() - 1));
        int pinnedIndex = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (pinnedAddress.equals("127.0.0.1:" + nodes.get(i).port())) {
                pinnedIndex = i;
            }
        }
        assertTrue(pinnedIndex >= 0, () -> "the pinned node is one of ours: " + pinnedAddress);
        EmbeddedContainer pinned = nodes.get(pinnedIndex);
        EmbeddedContainer other = nodes.get((pinnedIndex + 1) % nodes.size());
        int sessionsBefore = linesStartingWith("GET /ws/chat ").size();

        try (ChatMember watcher = ChatMember.join(http, direct(other, "/ws/chat"), "watcher");
             ChatMember rawOnPinned = ChatMember.join(http, direct(pinned, "/chat"), "raw-on-pinned");
             ChatMember defaultOnPinned = ChatMember.join(http, direct(pinned, "/ws/chat"), "default-on-pinned");
             SampleWebAppTest.HeadlessChromium chromium = SampleWebAppTest.HeadlessChromium.start()) {
            URI page = URI.create("http://127.0.0.1:" + nginx.port(2) + "/index.html?session=default");
            chromium.navigate(page);
            chromium.awaitLoaded(page);
            chromium.evaluate("(function(){document.getElementById('chat-connect').click();return 'ok';})()", false);
            awaitState(chromium, s -> s.equals("open (chat)"));
            pageSays(chromium, "from the page, before");
            watcher.await("from the page, before"::equals);

            pinned.stop();
            assertEquals("close 1001", rawOnPinned.awaitEnd(WAIT), "the raw session hears 'going away'");
            assertEquals("close 1001", defaultOnPinned.awaitEnd(WAIT), "the default session too");
            List<String> states = awaitState(chromium, s -> s.startsWith("open (chat), reconnected"));
            String last = states.get(states.size() - 1);
            assertTrue(last.matches("open \\(chat\\), reconnected after 1001 \\(attempt \\d+\\)"), () -> "states: " + states);
            System.out.println("SeveralNodesTest: the page's state line during the failover: " + states);

            pageSays(chromium, "from the page, after");
            watcher.await("from the page, after"::equals);
            watcher.send("to the page, after");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!chromium.text("chat-log").lines().anyMatch("to the page, after"::equals)) {
                assertTrue(System.nanoTime() < deadline, "the page gets the other nodes' messages again");
                Thread.sleep(50);
            }
            chromium.evaluate("(function(){document.getElementById('chat-close').click();return 'ok';})()", false);
            awaitState(chromium, s -> s.startsWith("closed 1000"));
        }
        // the page's two sessions: the first one, on the pinned node, and the one after the reconnection
        List<String> sessions = awaitLines("GET /ws/chat ", sessionsBefore + 2);
        assertEquals(pinnedAddress, lastUpstream(sessions.get(sessionsBefore)), () -> "the first one: " + sessions);
        String reconnected = sessions.get(sessionsBefore + 1);
        assertNotEquals("127.0.0.1:" + pinned.port(), lastUpstream(reconnected),
            () -> "the page came back on another node: " + accessLog());
    }

    private static void pageSays(SampleWebAppTest.HeadlessChromium chromium, String text) throws Exception {
        chromium.evaluate("(function(){document.getElementById('chat-input').value='" + text + "';"
            + "document.getElementById('chat-send').click();return 'ok';})()", false);
    }

    /** Polls the page's chat state line until it matches (bounded); returns the distinct states seen, in order. */
    private static List<String> awaitState(SampleWebAppTest.HeadlessChromium chromium,
                                           java.util.function.Predicate<String> done) throws Exception {
        Set<String> states = new LinkedHashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String state = chromium.text("chat-state");
            states.add(state);
            if (done.test(state)) {
                return new ArrayList<>(states);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the page's chat state did not get there; states: " + states);
            }
            Thread.sleep(25);
        }
    }

    /** Waits (bounded) for a line of {@code node}'s log that contains {@code text}. */
    private static void awaitLog(EmbeddedContainer node, String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.logLinesContaining(text).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(node + " did not log '" + text + "' within " + WAIT + ":\n"
                    + String.join("\n", node.logLines()));
            }
            Thread.sleep(50);
        }
    }

    private static List<String> accessLog() {
        try {
            return nginx.accessLog();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> linesStartingWith(String prefix) {
        return accessLog().stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
    }

    /** Waits (bounded) until the access log has {@code count} lines starting with {@code prefix}; returns them. */
    private static List<String> awaitLines(String prefix, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> lines = linesStartingWith(prefix);
        while (lines.size() < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected " + count + " lines '" + prefix + "' in nginx's access log: " + accessLog());
            }
            Thread.sleep(50);
            lines = linesStartingWith(prefix);
        }
        return lines;
    }

    /** Of {@code METHOD URI STATUS ADDR[, ADDR...]}, the last address: the node that answered. */
    private static String lastUpstream(String line) {
        String[] tried = line.split(" ", 4)[3].split(", ");
        return tried[tried.length - 1].trim();
    }
}
