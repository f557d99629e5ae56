package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The war-sample WAR file deployed as a standalone server deploys it (Tomcat: {@code addWebapp}; Jetty: an ee10
 * {@code WebAppContext} with Jetty's default hidden and protected classes), with no servlet-bridge on the
 * container's class path: the WAR's {@code WEB-INF/lib} copy, its {@code web.xml} and, on Jetty, its
 * {@code WEB-INF/jetty-web.xml} must be enough.
 */
class WarDeploymentTest {

    private static final String UPGRADE = "GET /lines HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
        + "Upgrade: echo-lines\r\n\r\n";

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create().war(ContainerClassPath.warSample()));

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void servesTheIndexPage(ContainerKind kind) throws Exception {
        RawHttpClient.Response index = RawHttpClient.get(containers.get(kind).port(), "/");
        assertEquals(200, index.status(), index::bodyText);
        assertTrue(index.bodyText().contains("echo-lines"), index::bodyText);
    }

    /** The curl command the page shows for {@code /lines} works as shown (the page's script puts in its server). */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void theIndexPagesCurlCommandEchoesTypedLines(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        String page = RawHttpClient.get(container.port(), "/").bodyText();
        Matcher pre = Pattern.compile("<pre id=\"lines-curl\">(.*?)</pre>", Pattern.DOTALL).matcher(page);
        assertTrue(pre.find(), page);
        String command = pre.group(1).replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
        String shown = "http://localhost:8080/lines";
        assertTrue(command.contains(shown), command);
        CurlCommand.assertEchoesLines(command.replace(shown, container.uri("/lines").toString()), "hello", "world");
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void withoutTheUpgradeHeaderLinesAnswers426ExplainingHowToConnect(ContainerKind kind) throws Exception {
        RawHttpClient.Response response = RawHttpClient.get(containers.get(kind).port(), "/lines");
        assertEquals(426, response.status(), response::bodyText);
        assertEquals("echo-lines", response.head().header("Upgrade").orElse(null), response.head()::toString);
        assertTrue(response.bodyText().contains("Upgrade: echo-lines"), response::bodyText);
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void upgradesAndEchoesEveryLine(ContainerKind kind) throws Exception {
        try (EchoLinesClient client = EchoLinesClient.open(containers.get(kind), "/lines")) {
            long upgrades = client.head.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("Upgrade")).count();
            assertEquals(1, upgrades, () -> "exactly one Upgrade header: " + client.head.headers());
            assertEquals("echo-lines", client.head.header("Upgrade").orElseThrow());
            assertEquals("first line\n", client.roundTrip("first line"));
            assertEquals("second line\n", client.roundTrip("second line"));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void bytesSentInTheSamePacketAsTheRequestHeadAreEchoed(ContainerKind kind) throws Exception {
        try (RawHttpClient http = RawHttpClient.connect(containers.get(kind).port())) {
            http.send((UPGRADE + "early line\n").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(101, http.readResponseHead().status());
            assertEquals("early line\n", new String(http.readExactly(11), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void undeployClosesTheConnectionsAndStopsTheBridgeThreadsThenRedeployServesAgain(ContainerKind kind)
            throws Exception {
        EmbeddedContainer container = containers.get(kind);
        List<EchoLinesClient> clients = new ArrayList<>();
        try {
            List<WsWire> sessions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                EchoLinesClient client = EchoLinesClient.open(container, "/lines");
                assertEquals("line " + i + "\n", client.roundTrip("line " + i));
                clients.add(client);
                WsWire ws = WsWire.open(container, "/echo");
                ws.send(WsWire.text("ws " + i, true));
                assertEquals("ws " + i, ws.read().text());
                sessions.add(ws);
            }
            container.undeploy();
            for (EchoLinesClient client : clients) {
                client.awaitServerClose(Duration.ofSeconds(5));
            }
            for (WsWire ws : sessions) {
                try (ws) {
                    WsWire.ServerFrame close = ws.read();
                    assertEquals(0x8, close.opcode(), "a close frame");
                    assertEquals(1001, close.closeCode(), "every WebSocket peer hears 'going away'");
                    ws.awaitTcpClose(Duration.ofSeconds(5));
                }
            }
            List<String> left = container.awaitNoThreadNamed(Duration.ofSeconds(10), "upgrade-bridge-");
            assertTrue(left.isEmpty(), "threads left behind after undeploy: " + String.join("\n", left));
            // in a WAR the bridge lives in the webapp's class loader: Tomcat's own leak check sees its threads
            List<String> leaks = container.logLinesContaining("failed to stop it");
            assertTrue(leaks.isEmpty(), "the container reports leaked threads: " + leaks);
            assertTrue(container.undeployedClassLoaderCollected(), "the undeployed web application's class loader is collected");
        } finally {
            for (EchoLinesClient client : clients) {
                client.close();
            }
        }
        container.deploy();
        try (EchoLinesClient client = EchoLinesClient.open(container, "/lines")) {
            assertEquals("after redeploy\n", client.roundTrip("after redeploy"));
        }
    }

    /**
     * The same WAR on a Jetty that does not apply its {@code WEB-INF/jetty-web.xml}: Jetty's default rules hide its
     * server classes from the web application, so the bridge cannot take connections over and says why.
     */
    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void onJettyWithoutTheJettyWebXmlExposureUpgradesAnswer500NamingJettyWebXml(ContainerKind kind) throws Exception {
        ContainerConfig config = ContainerConfig.create().war(ContainerClassPath.warSample()).ignoreJettyWebXml();
        try (EmbeddedContainer jetty = EmbeddedContainer.start(kind, config)) {
            // the web application itself works ...
            assertEquals(426, RawHttpClient.get(jetty.port(), "/lines").status());
            // ... but its upgrades cannot
            try (RawHttpClient http = RawHttpClient.connect(jetty.port())) {
                http.send(UPGRADE.getBytes(StandardCharsets.ISO_8859_1));
                RawHttpClient.ResponseHead head = http.readResponseHead();
                String body = new String(http.readBody(head), StandardCharsets.UTF_8);
                assertEquals(500, head.status(), () -> body + "\nlog:\n" + String.join("\n", jetty.logLines()));
                // the environment's own descriptor, which Jetty reads before jetty-web.xml
                String environment = kind == ContainerKind.JETTY_12_1_EE11 ? "ee11" : "ee10";
                assertTrue(body.contains("WEB-INF/jetty-" + environment + "-web.xml"), body);
            }
            assertTrue(!jetty.logLinesContaining("jetty-web.xml").isEmpty(),
                () -> "the filter logs the problem when it starts: " + jetty.logLines());
        }
    }
}
