package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins Jetty 12.1's upstream behaviour that forces the bridge's Jetty adapter: through the standard
 * {@code HttpServletRequest.upgrade()} path, bytes a client sends after it saw the 101 never reach the
 * upgraded connection. When this test fails, Jetty has fixed it: re-check whether the adapter is still needed.
 */
class JettyStandardUpgradePinTest {

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create()
        .filter("bridge-standard", ProtocolUpgradeTest.FILTER, Map.of("io.upgradebridge.transport", "servlet"), "/std/*")
        .servlet("echo-lines", ProtocolUpgradeTest.APP + "EchoUpgradeServlet", "/std/*"));

    @ParameterizedTest
    @EnumSource(names = {"JETTY_12_1", "JETTY_12_1_EE11"})
    void jettyStandardUpgradeLosesBytesSentAfterThe101(ContainerKind kind) throws Exception {
        EmbeddedContainer jetty = containers.get(kind);
        try (EchoLinesClient client = EchoLinesClient.open(jetty, "/std/x?mode=echo")) {
            Thread.sleep(100); // a separate packet, as every client that waits for the 101 sends it
            client.send("sent after the 101\n");
            // measured on 12.1.8: the upgraded input ends at once, and Jetty parses these bytes as a new HTTP request
            client.socket().setSoTimeout(3_000);
            byte[] answer = client.in().readNBytes(19);
            String text = new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(!text.equals("sent after the 101\n"),
                "Jetty now delivers bytes sent after the 101 on the standard upgrade path: the bridge's Jetty adapter "
                    + "may no longer be needed (see JettyUpgradeStarter)");
            assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 400"), "unexpected answer: " + text);
        }
    }

    @Test
    void standardPathWorksOnTomcat() throws Exception {
        for (ContainerKind kind : new ContainerKind[] {ContainerKind.TOMCAT_10_1, ContainerKind.TOMCAT_11}) {
            EmbeddedContainer tomcat = containers.get(kind);
            try (EchoLinesClient client = EchoLinesClient.open(tomcat, "/std/x?mode=echo")) {
                assertEquals("sent after the 101\n", client.roundTrip("sent after the 101"));
            }
        }
    }
}
