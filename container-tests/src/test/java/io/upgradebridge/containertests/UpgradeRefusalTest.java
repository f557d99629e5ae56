package io.upgradebridge.containertests;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A container that cannot upgrade (as Tomcat over HTTP/2, whose {@code upgrade()} throws): the filter answers with a
 * clear error and logs it once; no connection is left half-upgraded. Played on every container by a filter whose
 * request wrapper throws from {@code upgrade()}, with the bridge on the standard path.
 */
class UpgradeRefusalTest {

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create()
        .filter("refusing", "io.upgradebridge.containertests.server.RefusingUpgradeFilter", Map.of(), "/refused/*")
        .filter("bridge", ProtocolUpgradeTest.FILTER, Map.of("io.upgradebridge.transport", "servlet"), "/refused/*")
        .servlet("echo-lines", ProtocolUpgradeTest.APP + "EchoUpgradeServlet", "/refused/*")
        .servlet("stats", ProtocolUpgradeTest.APP + "StatsServlet", "/stats"));

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aContainerThatCannotUpgradeGetsAClearErrorAndNoHalfUpgradedConnection(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (RawHttpClient http = RawHttpClient.connect(container.port())) {
            http.sendHead("GET /refused/x?mode=echo HTTP/1.1", "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: echo-lines");
            RawHttpClient.ResponseHead head = http.readResponseHead();
            assertEquals(500, head.status(), head::toString);
            if (kind.resetRemovesUpgradeHeader()) { // Grizzly sends it on the 500 too (see ContainerKind)
                assertTrue(head.header("Upgrade").isEmpty(), () -> "no Upgrade header on a refusal: " + head);
            }
            String body = new String(http.readBody(head), StandardCharsets.UTF_8);
            assertTrue(body.contains("the container refused the HTTP upgrade (UnsupportedOperationException: HTTP upgrade is not supported"),
                body);
            // and the connection is not left half-upgraded: the server closes it
            http.socket().setSoTimeout(5_000);
            assertEquals(-1, http.input().read(), "the server closes the connection after the refusal");
        }
        List<String> logged = container.logLinesContaining("HTTP upgrade refused with 500");
        assertEquals(1, logged.size(), () -> "one log line: " + logged);
        assertEquals("0", EchoLinesClient.stats(container, null).get("openUpgrades"), "no upgrade is left registered");
    }

}
