package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The war-sample web application ({@code /echo}, {@code /chat}, {@code /ws/echo}, {@code /ws/chat}, {@code index.html}) on every container, in both of
 * its WARs: the one that declares its filter and servlets in {@code web.xml}, and the one that registers them by
 * {@code @WebServlet}/{@code @WebFilter}. Clients: the JDK's {@code java.net.http.WebSocket}, HtmlUnit's JavaScript
 * {@code WebSocket} running the page, and, where it is installed, headless Chromium running the page.
 */
class SampleWebAppTest {

    /** The two WARs built from the same sources. */
    enum War {
        WEB_XML, ANNOTATIONS;

        Path file() {
            return this == WEB_XML ? ContainerClassPath.warSample() : ContainerClassPath.warSampleAnnotations();
        }
    }

    /** Debian's Chromium ({@code -Dchromium.path=...} for another one). */
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
    private static final String ECHOED = "hello from the page";
    private static final String CHATTED = "hi from the page";

    @RegisterExtension
    static final Containers webXml = Containers.of(ContainerConfig.create().war(War.WEB_XML.file()));

    @RegisterExtension
    static final Containers annotations = Containers.of(ContainerConfig.create().war(War.ANNOTATIONS.file()));

    static Stream<Arguments> deployments() {
        return Arrays.stream(ContainerKind.values())
            .flatMap(kind -> Arrays.stream(War.values()).map(war -> Arguments.of(kind, war)));
    }

    /** Every deployment, with the page on the raw servlets ({@code ?auto}) and on the default-session routes. */
    static Stream<Arguments> deploymentsAndPageModes() {
        return deployments().flatMap(d -> Stream.of("?auto", "?auto&session=default")
            .map(query -> Arguments.of(d.get()[0], d.get()[1], query)));
    }

    /**
     * Every deployment, on the raw-session servlets ({@code ""}: {@code /echo}, {@code /chat}) and on the
     * default-session routes ({@code "/ws"}: {@code /ws/echo}, {@code /ws/chat}, declared by a {@code web.xml}
     * listener in one WAR and as {@code @WebSocketEndpoint} classes in the other).
     */
    static Stream<Arguments> deploymentsAndSessions() {
        return deployments().flatMap(d -> Stream.of("", "/ws")
            .map(prefix -> Arguments.of(d.get()[0], d.get()[1], prefix)));
    }

    private static EmbeddedContainer container(ContainerKind kind, War war) throws Exception {
        return (war == War.WEB_XML ? webXml : annotations).get(kind);
    }

    /** What each WAR holds decides how it registers: once each way, never both. */
    @Test
    void eachWarRegistersOneWayOnly() throws IOException {
        try (ZipFile war = new ZipFile(War.WEB_XML.file().toFile())) {
            String webXmlText = entry(war, "WEB-INF/web.xml");
            assertTrue(webXmlText.contains("metadata-complete=\"true\""), webXmlText);
            assertTrue(webXmlText.contains("<servlet-class>io.upgradebridge.sample.EchoServlet</servlet-class>"));
            assertTrue(webXmlText.contains("<filter-class>io.upgradebridge.servlet.ProtocolUpgradeFilter</filter-class>"));
            assertTrue(war.stream().noneMatch(e -> e.getName().contains("io/upgradebridge/sample/annotations/")),
                "the annotated filter subclass is left out of the web.xml WAR");
            assertJettyDescriptors(war);
        }
        try (ZipFile war = new ZipFile(War.ANNOTATIONS.file().toFile())) {
            String webXmlText = entry(war, "WEB-INF/web.xml");
            assertTrue(webXmlText.contains("metadata-complete=\"false\""), webXmlText);
            assertFalse(webXmlText.contains("<servlet>") || webXmlText.contains("<filter>"), webXmlText);
            assertNotNull(war.getEntry("WEB-INF/classes/io/upgradebridge/sample/annotations/UpgradeFilter.class"));
            assertJettyDescriptors(war);
            assertNotNull(war.getEntry("index.html"));
        }
    }

    /**
     * One descriptor per Jetty environment, naming its own {@code WebAppContext}, and {@code jetty-web.xml} (read only
     * where an environment has no file of its own) naming none, so that it cannot fail on any environment.
     */
    private static void assertJettyDescriptors(ZipFile war) throws IOException {
        for (String environment : List.of("ee10", "ee11")) {
            String descriptor = entry(war, "WEB-INF/jetty-" + environment + "-web.xml");
            assertTrue(descriptor.contains("<Configure class=\"org.eclipse.jetty." + environment + ".webapp.WebAppContext\">"),
                descriptor);
        }
        String fallback = entry(war, "WEB-INF/jetty-web.xml");
        assertTrue(fallback.contains("<Configure>") && !fallback.contains("Configure class="), fallback);
    }

    @ParameterizedTest(name = "{0}, {1}, {2}/echo")
    @MethodSource("deploymentsAndSessions")
    void jdkClientEchoesTextFragmentsBinaryPingAndCloseHandshake(ContainerKind kind, War war, String prefix) throws Exception {
        EmbeddedContainer container = container(kind, war);
        HttpClient client = HttpClient.newHttpClient();
        WebSocketTest.Collector c = new WebSocketTest.Collector();
        WebSocket ws = connect(client, container, prefix + "/echo", c);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertEquals("hello", c.next());
        ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
        ws.sendText("men", false).get(5, TimeUnit.SECONDS);
        ws.sendText("ted", true).get(5, TimeUnit.SECONDS);
        assertEquals("fragmented", c.next());
        byte[] binary = new byte[70_000];
        new Random(7).nextBytes(binary);
        ws.sendBinary(ByteBuffer.wrap(binary), true).get(5, TimeUnit.SECONDS);
        assertArrayEquals(binary, (byte[]) c.next());
        ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        assertEquals("pong:are you there", c.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:bye", c.next(), "the handler completes the close handshake, echoing the code");
    }

    @ParameterizedTest(name = "{0}, {1}, {2}/chat")
    @MethodSource("deploymentsAndSessions")
    void twoJdkClientsChatAndAClientWithoutTheSubprotocolIsRefused(ContainerKind kind, War war, String prefix) throws Exception {
        EmbeddedContainer container = container(kind, war);
        HttpClient client = HttpClient.newHttpClient();
        WebSocketTest.Collector alice = new WebSocketTest.Collector();
        WebSocketTest.Collector bob = new WebSocketTest.Collector();
        // A member joins when its handler starts, just after the 101: its own first message coming back shows it
        // has joined (and the members before it get that message too).
        WebSocket aliceWs = connect(client, container, prefix + "/chat", alice, "chat");
        WebSocket bobWs = null;
        try {
            assertEquals("chat", aliceWs.getSubprotocol());
            aliceWs.sendText("alice is here", true).get(5, TimeUnit.SECONDS);
            assertEquals("alice is here", alice.next());
            bobWs = connect(client, container, prefix + "/chat", bob, "chat");
            assertEquals("chat", bobWs.getSubprotocol());
            bobWs.sendText("bob is here", true).get(5, TimeUnit.SECONDS);
            assertEquals("bob is here", bob.next());
            assertEquals("bob is here", alice.next());

            aliceWs.sendText("from alice", true).get(5, TimeUnit.SECONDS);
            assertEquals("from alice", alice.next());
            assertEquals("from alice", bob.next());
            bobWs.sendText("from bob", true).get(5, TimeUnit.SECONDS);
            assertEquals("from bob", alice.next());
            assertEquals("from bob", bob.next());
        } finally {
            aliceWs.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            if (bobWs != null) {
                bobWs.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            }
        }
        assertEquals("close:1000:", alice.next());
        assertEquals("close:1000:", bob.next());

        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> connect(client, container, prefix + "/chat", new WebSocketTest.Collector()));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class,
            refused.getCause(), () -> "cause: " + refused.getCause());
        assertEquals(400, handshake.getResponse().statusCode());
    }

    /**
     * HtmlUnit runs {@code index.html?auto}. Its JavaScript {@code WebSocket} (HtmlUnit 5.5.0) ignores the
     * constructor's subprotocols and offers none, so the server refuses its chat socket like any client that does
     * not offer {@code chat}: the page shows the refusal, and the page's chat is checked in Chromium instead. The
     * sockets come from {@link HtmlUnitWebSockets}, which delivers their events after the page's script as a browser
     * does (HtmlUnit itself can lose an event that comes before the script assigned its handler).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("deployments")
    void htmlUnitRunsThePageEchoAndShowsTheChatRefusal(ContainerKind kind, War war) throws Exception {
        EmbeddedContainer container = container(kind, war);
        HtmlUnitWebSockets sockets = new HtmlUnitWebSockets();
        try (org.htmlunit.WebClient browser = sockets.newBrowser()) {
            org.htmlunit.html.HtmlPage page = browser.getPage(container.uri("/index.html?auto").toString());
            // bounded: HtmlUnit starts a WebSocket client for each socket, which takes long on a loaded machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String status = "";
            while (System.nanoTime() < deadline && !status.equals("done")) {
                browser.waitForBackgroundJavaScript(100);
                status = text(page, "auto-status");
            }
            String dom = "echo-state=" + text(page, "echo-state") + ", echo-output=" + text(page, "echo-output")
                + ", chat-state=" + text(page, "chat-state") + ", chat-log=" + text(page, "chat-log")
                + "; the sockets were told: " + sockets.events();
            assertEquals("done", status, dom);
            assertEquals(ECHOED, text(page, "echo-output").strip(), dom);
            // HtmlUnit's close() sends no code, and its close event reports 1006
            assertTrue(text(page, "echo-state").startsWith("closed"), dom);
            assertTrue(text(page, "chat-state").startsWith("error, closed"), dom);
            assertEquals("", text(page, "chat-log").strip(), dom);
            // HtmlUnit reports the refusal twice, in either order: from its connect task and from Jetty's endpoint
            // ("Unexpected HTTP Response Status Code: 400 Bad Request"; Tomcat sends no reason phrase: "400 null")
            assertTrue(sockets.events().stream().anyMatch(e -> e.startsWith("/chat ") && e.contains("error")
                    && e.contains("Status Code: 400 ")),
                () -> "the server refused the chat socket with 400: " + dom);
        }
    }

    /**
     * The page's script keeps running after {@code new WebSocket(url)} while the server refuses the socket (the
     * window in which HtmlUnit's own WebSocket loses the error and close events, see {@link HtmlUnitWebSockets}), and
     * only then assigns its handlers: they still run, as in a browser. HtmlUnit's own socket turns CLOSED under the
     * running script (the spin then ends 0.2 s later, before the handlers exist, and the page stays "connecting");
     * with {@link HtmlUnitWebSockets} it stays CONNECTING until the script ends, as in a browser, and the spin takes
     * its 3 s. The page is HtmlUnit's (a mock connection serves it), its socket goes to the container. Client-side
     * only: one container.
     */
    @Test
    void htmlUnitDeliversWebSocketEventsThatComeWhileTheScriptRuns() throws Exception {
        EmbeddedContainer container = container(ContainerKind.values()[0], War.WEB_XML);
        HtmlUnitWebSockets sockets = new HtmlUnitWebSockets();
        try (org.htmlunit.WebClient browser = sockets.newBrowser()) {
            org.htmlunit.MockWebConnection pages = new org.htmlunit.MockWebConnection();
            URI late = container.uri("/late-handlers.html");
            // bounded spin: until HtmlUnit's socket is CLOSED (3; the refusal is in) and 0.2 s more, at most 3 s
            pages.setResponse(late.toURL(), "<html><body><span id='state'>connecting</span><script>"
                + "var ws = new WebSocket('ws://' + location.host + '/chat');"
                + "var start = Date.now(), refused = 0;"
                + "while (Date.now() - start < 3000 && !(refused && Date.now() - refused > 200)) {"
                + "  if (!refused && ws.readyState === 3) { refused = Date.now(); }"
                + "}"
                + "ws.onerror = function () { document.getElementById('state').textContent = 'error'; };"
                + "ws.onclose = function (e) { document.getElementById('state').textContent += ', closed ' + e.code; };"
                + "</script></body></html>");
            browser.setWebConnection(pages);
            org.htmlunit.html.HtmlPage page = browser.getPage(late.toURL());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String state = "";
            while (System.nanoTime() < deadline && !state.startsWith("error, closed")) {
                browser.waitForBackgroundJavaScript(100);
                state = text(page, "state");
            }
            assertEquals("error, closed 1006", state, () -> "the socket was told: " + sockets.events());
        }
    }

    /**
     * Headless Chromium runs {@code index.html?auto}: echo and chat through a real browser's WebSocket. Chromium is
     * driven over its DevTools protocol (JDK WebSocket client, no WebDriver): {@code --dump-dom} with a virtual time
     * budget does not wait for WebSocket messages (virtual time only pauses for pending fetches), so the page is
     * polled instead, with bounded waits.
     */
    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("deploymentsAndPageModes")
    void chromiumRunsThePageEchoAndChat(ContainerKind kind, War war, String query) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed (" + CHROMIUM
            + "): the headless-Chromium page test is skipped (.ci/run installs Debian's chromium)");
        EmbeddedContainer container = container(kind, war);
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            assertThePageEchoedAndChatted(chromium, container.uri("/index.html" + query), () -> "");
        }
    }

    /**
     * Opens {@code page} ({@code index.html?auto...}) and checks, with bounded waits, that its echo and chat sockets each
     * made their round trip and closed with 1000; {@code context} adds to the failure message.
     */
    static void assertThePageEchoedAndChatted(HeadlessChromium chromium, URI page, java.util.function.Supplier<String> context)
            throws Exception {
        chromium.navigate(page);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String status = "";
        while (System.nanoTime() < deadline && !status.equals("done")) {
            Thread.sleep(100);
            status = chromium.text("auto-status");
        }
        String summary = "auto-status=" + status + ", echo-state=" + chromium.text("echo-state")
            + ", echo-output=" + chromium.text("echo-output") + ", chat-state=" + chromium.text("chat-state")
            + ", chat-log=" + chromium.text("chat-log") + context.get();
        assertEquals("done", status, summary);
        assertEquals(ECHOED, chromium.text("echo-output").strip(), summary);
        assertEquals("closed 1000", chromium.text("echo-state"), summary);
        assertTrue(chromium.text("chat-log").lines().anyMatch(CHATTED::equals), summary);
        assertEquals("closed 1000", chromium.text("chat-state"), summary);
    }

    /**
     * Chromium offers permessage-deflate on every WebSocket: from the page's JavaScript, a socket to the WebSockets
     * feature's {@code /ws/echo} (deflate enabled) reports the negotiated extension in {@code ws.extensions}, and a
     * message makes the round trip through the compressing session.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("deployments")
    void chromiumNegotiatesPermessageDeflateWithTheEchoRoute(ContainerKind kind, War war) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed (" + CHROMIUM + "): skipped");
        EmbeddedContainer container = container(kind, war);
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            chromium.navigate(container.uri("/index.html"));
            chromium.awaitLoaded(container.uri("/index.html"));
            // single quotes only: the expression travels inside a JSON string
            String message = "compress me, compress me, compress me, compress me";
            String result = chromium.evaluate("new Promise(function (done) {"
                + " var ws = new WebSocket('ws://' + location.host + '/ws/echo');"
                + " var timer = setTimeout(function () { done('timeout, readyState ' + ws.readyState); }, 10000);"
                + " ws.onerror = function () { clearTimeout(timer); done('error, readyState ' + ws.readyState); };"
                + " ws.onopen = function () { ws.send('" + message + "'); };"
                + " ws.onmessage = function (e) { clearTimeout(timer); done(ws.extensions + '|' + e.data); ws.close(1000); };"
                + "})", true);
            String[] extensionsAndEcho = result.split("\\|", 2);
            assertEquals(2, extensionsAndEcho.length, "the page's WebSocket: " + result);
            assertTrue(extensionsAndEcho[0].contains("permessage-deflate"), "ws.extensions: " + result);
            assertEquals(message, extensionsAndEcho[1], result);
        }
    }

    /**
     * The page fits its column: at a desktop width and at a phone's, nothing scrolls sideways (long commands and
     * messages wrap inside their box), and the commands for {@code /lines} name the server the page came from.
     * Layout is the same on every container: one deployment.
     */
    @Test
    void chromiumShowsThePageWithoutSidewaysScrollingAndCommandsForItsServer() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed (" + CHROMIUM + "): skipped");
        EmbeddedContainer container = container(ContainerKind.values()[0], War.WEB_XML);
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            for (int width : new int[] {1024, 360}) {
                chromium.call("Emulation.setDeviceMetricsOverride",
                    "{\"width\":" + width + ",\"height\":800,\"deviceScaleFactor\":1,\"mobile\":false}");
                chromium.navigate(container.uri("/index.html"));
                chromium.awaitLoaded(container.uri("/index.html"));
                String widths = chromium.evaluate("document.documentElement.scrollWidth + ' '"
                    + " + document.documentElement.clientWidth", false);
                String[] scrollAndClient = widths.split(" ");
                assertTrue(Integer.parseInt(scrollAndClient[0]) <= Integer.parseInt(scrollAndClient[1]),
                    "at " + width + " px the page is wider than the window (scrollWidth clientWidth): " + widths);
            }
            String curl = chromium.text("lines-curl");
            assertTrue(curl.contains(container.uri("/lines").toString()), curl);
            String nc = chromium.text("lines-nc");
            assertTrue(nc.contains("Host: 127.0.0.1:" + container.port()) && nc.endsWith("nc -q1 127.0.0.1 " + container.port()),
                nc);
        }
    }

    /**
     * One headless Chromium process with an empty profile, driven through the DevTools protocol on a pipe-free
     * 127.0.0.1 port; {@link #close()} kills it and its helper processes and removes the profile.
     */
    static final class HeadlessChromium implements AutoCloseable {

        private static final Duration TIMEOUT = Duration.ofSeconds(15);
        private final Process process;
        private final Path profile;
        private final Path log;
        private final java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        private WebSocket page;
        private int nextId;

        private HeadlessChromium(Process process, Path profile, Path log) {
            this.process = process;
            this.profile = profile;
            this.log = log;
        }

        static HeadlessChromium start() throws Exception {
            Path profile = Files.createTempDirectory("chromium-profile");
            Path log = Files.createTempFile("chromium", ".log");
            // --ignore-certificate-errors: the TLS tests' certificates are made by the test (Http2WebSocketTest)
            Process process = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--ignore-certificate-errors", "--user-data-dir=" + profile,
                    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            HeadlessChromium chromium = new HeadlessChromium(process, profile, log);
            try {
                chromium.connect();
                return chromium;
            } catch (Exception | Error e) {
                chromium.close();
                throw e;
            }
        }

        /** Finds the DevTools port (DevToolsActivePort in the profile), then the page target, and connects. */
        private void connect() throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            Path portFile = profile.resolve("DevToolsActivePort");
            HttpClient client = HttpClient.newHttpClient();
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("Chromium exited with " + process.exitValue() + ":\n" + tail(log));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no DevTools page of Chromium within " + TIMEOUT + ":\n" + tail(log));
                }
                List<String> lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    String targets = client.send(java.net.http.HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + lines.get(0).strip() + "/json/list"))
                            .timeout(Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    Matcher m = Pattern.compile("\"webSocketDebuggerUrl\"\\s*:\\s*\"(ws://[^\"]+/devtools/page/[^\"]+)\"")
                        .matcher(targets);
                    if (m.find()) {
                        page = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                            .buildAsync(URI.create(m.group(1)), new WebSocket.Listener() {
                                private final StringBuilder text = new StringBuilder();

                                @Override
                                public java.util.concurrent.CompletionStage<?> onText(WebSocket ws, CharSequence data,
                                                                                      boolean last) {
                                    text.append(data);
                                    if (last) {
                                        messages.add(text.toString());
                                        text.setLength(0);
                                    }
                                    ws.request(1);
                                    return null;
                                }
                            }).get(10, TimeUnit.SECONDS);
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }

        void navigate(URI uri) throws Exception {
            call("Page.navigate", "{\"url\":\"" + uri + "\"}");
        }

        /** The text content of the element with {@code id}, or "(none)". */
        String text(String id) throws Exception {
            return evaluate("(function(){var e=document.getElementById('" + id + "');return e?e.textContent:'(none)';})()", false);
        }

        /**
         * The string value of a JavaScript {@code expression} (no double quotes or backslashes in it) in the page;
         * with {@code awaitPromise}, of the promise it returns, waited for up to the DevTools answer timeout.
         */
        String evaluate(String expression, boolean awaitPromise) throws Exception {
            String answer = call("Runtime.evaluate", "{\"expression\":\"" + expression + "\",\"returnByValue\":true"
                + (awaitPromise ? ",\"awaitPromise\":true" : "") + "}");
            Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(answer);
            return m.find() ? unescape(m.group(1)) : "(no value: " + answer + ")";
        }

        /** Waits (bounded) until the page at {@code uri} has loaded, so scripts run in its context. */
        void awaitLoaded(URI uri) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String state = "";
            while (System.nanoTime() - deadline < 0) {
                state = evaluate("location.href + ' ' + document.readyState", false);
                if (state.equals(uri + " complete")) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the page did not load within " + TIMEOUT + ": " + state);
        }

        /** Sends one DevTools command and waits (bounded) for its answer, skipping events. */
        private String call(String method, String params) throws Exception {
            int id = ++nextId;
            page.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
                .get(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                String message = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (message == null) {
                    throw new AssertionError("Chromium did not answer " + method + " within " + TIMEOUT);
                }
                if (message.startsWith("{\"id\":" + id + ",")) {
                    if (message.contains("\"error\":")) {
                        throw new AssertionError(method + " failed: " + message);
                    }
                    return message;
                }
            }
        }

        private static String unescape(String json) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < json.length(); i++) {
                char c = json.charAt(i);
                if (c != '\\' || i + 1 >= json.length()) {
                    out.append(c);
                    continue;
                }
                char e = json.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            }
            return out.toString();
        }

        @Override
        public void close() throws Exception {
            try {
                if (page != null) {
                    page.abort();
                }
            } finally {
                destroy(process.toHandle());
                Files.deleteIfExists(log);
                deleteTree(profile);
            }
        }
    }

    /** Kills the process and its descendants (Chromium starts helpers), waiting a bounded time for each. */
    private static void destroy(ProcessHandle process) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException ignored) {
                // the kill was sent; a process that lingers is not this test's failure
            }
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    private static String text(org.htmlunit.html.HtmlPage page, String id) {
        return page.getElementById(id).getTextContent();
    }

    private static String entry(ZipFile zip, String name) throws IOException {
        var entry = zip.getEntry(name);
        assertNotNull(entry, name);
        try (var in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static WebSocket connect(HttpClient client, EmbeddedContainer container, String path,
                                     WebSocket.Listener listener, String... subprotocols) throws Exception {
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + container.port() + path), listener)
            .get(10, TimeUnit.SECONDS);
    }
}
