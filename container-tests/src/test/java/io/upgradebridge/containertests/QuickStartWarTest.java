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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * From the README alone to a running WAR: the quick start's files, taken from the README's blocks
 * ({@link QuickStartWar}: its Java compiled, its {@code web.xml} and {@code jetty-ee10-web.xml} /
 * {@code jetty-ee11-web.xml} as shown), packed into a WAR and deployed on every container kind as a standalone server
 * deploys a WAR (Jetty: a {@code WebAppContext} with Jetty's default class hiding, so its Jetty file must work;
 * Tomcat: {@code addWebapp}), then used the way the README's "Try it" does, and with the JDK's WebSocket client.
 */
class QuickStartWarTest {

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create().war(QuickStartWar.build()));

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void linesUpgradesAndEchoesEveryLine(ContainerKind kind) throws Exception {
        try (EchoLinesClient client = EchoLinesClient.open(containers.get(kind), "/lines")) {
            assertEquals("echo-lines", client.head.header("Upgrade").orElseThrow(), client.head::toString);
            assertEquals("first line\n", client.roundTrip("first line"));
            assertEquals("second line\n", client.roundTrip("second line"));
        }
    }

    /** The README's "Try it" curl command, as shown (the server's address aside), with lines typed into it. */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void theReadmesCurlCommandEchoesTypedLines(ContainerKind kind) throws Exception {
        String shown = Readme.load().blocks("sh").stream()
            .filter(b -> b.section().equals(Readme.QUICK_START) && b.text().contains("Upgrade: echo-lines"))
            .map(b -> CurlCommand.firstCommand(b.text()))
            .findFirst().orElseThrow(() -> new AssertionError("the quick start shows no curl command for /lines"));
        String quickStart = "http://localhost:8080/quickstart/";
        assertTrue(shown.startsWith("curl ") && shown.contains(quickStart), shown);
        CurlCommand.assertEchoesLines(shown.replace(quickStart, containers.get(kind).uri("/").toString()),
            "hello", "a second line");
    }

    /** A client that sends a line in the same packet as the request head (as {@code printf ... | nc} does). */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aLineSentWithTheRequestHeadComesBack(ContainerKind kind) throws Exception {
        try (RawHttpClient http = RawHttpClient.connect(containers.get(kind).port())) {
            http.send(("GET /lines HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: echo-lines\r\n\r\n"
                + "hello\n").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(101, http.readResponseHead().status());
            assertEquals("hello\n", new String(http.readExactly(6), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void withoutTheUpgradeHeaderLinesAnswers426NamingTheProtocol(ContainerKind kind) throws Exception {
        RawHttpClient.Response response = RawHttpClient.get(containers.get(kind).port(), "/lines");
        assertEquals(426, response.status(), response::bodyText);
        assertEquals("echo-lines", response.head().header("Upgrade").orElse(null), response.head()::toString);
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void theWebSocketRouteEchoesTextAndBinaryToTheJdkClientAndClosesCleanly(ContainerKind kind) throws Exception {
        WebSocketTest.Collector collector = new WebSocketTest.Collector();
        WebSocket ws;
        try {
            ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + containers.get(kind).port() + "/ws/echo"), collector)
                .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the JDK client could not connect to /ws/echo on " + kind + ": " + e.getCause(), e);
        }
        ws.sendText("hello from the quick start", true).get(5, TimeUnit.SECONDS);
        assertEquals("hello from the quick start", collector.next());
        byte[] binary = {0, 1, 2, (byte) 0xff};
        ws.sendBinary(ByteBuffer.wrap(binary), true).get(5, TimeUnit.SECONDS);
        assertArrayEquals(binary, (byte[]) collector.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:bye", collector.next(), "the default session answers the close, echoing it");
    }
}
