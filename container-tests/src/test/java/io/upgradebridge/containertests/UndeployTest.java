package io.upgradebridge.containertests;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.upgradebridge.containertests.app.JobEnds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Undeploying the application with upgraded connections open closes them all and leaves no thread behind. */
class UndeployTest {

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create()
        .filter("bridge", ProtocolUpgradeTest.FILTER, Map.of(), "/upgrade/*")
        .servlet("echo-lines", ProtocolUpgradeTest.APP + "EchoUpgradeServlet", "/upgrade/*")
        .servlet("ws", ProtocolUpgradeTest.APP + "WebSocketTestServlet", "/upgrade/ws/*")
        .servlet("stats", ProtocolUpgradeTest.APP + "StatsServlet", "/stats"));

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void undeployClosesEveryConnectionAndLeavesNoThreadThenRedeployServesAgain(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        List<EchoLinesClient> clients = new ArrayList<>();
        try {
            for (String mode : List.of("echo", "blocking-echo", "lines", "flood", "sink")) {
                for (int i = 0; i < 3; i++) {
                    EchoLinesClient client = EchoLinesClient.open(container, "/upgrade/x?mode=" + mode);
                    if (!mode.equals("flood")) {
                        client.send("x\n");
                    }
                    clients.add(client);
                }
            }
            List<WsWire> sessions = new ArrayList<>();
            for (String path : List.of("/upgrade/ws/echo", "/upgrade/ws/echo-blocking")) {
                for (int i = 0; i < 3; i++) {
                    WsWire ws = WsWire.open(container, path);
                    ws.send(WsWire.text("hi", true));
                    assertEquals("hi", ws.read().text());
                    sessions.add(ws);
                }
            }
            // Tomcat hands a connection over just after its 101 went out: wait for the count
            EchoLinesClient.awaitStats(container, null, m -> "21".equals(m.get("openUpgrades")), Duration.ofSeconds(10),
                "all 21 connections registering");
            container.undeploy();
            for (EchoLinesClient client : clients) {
                drainUntilClosed(client);
            }
            for (WsWire ws : sessions) {
                try (ws) {
                    WsWire.ServerFrame close = ws.read();
                    assertEquals(0x8, close.opcode(), "a close frame");
                    assertEquals(1001, close.closeCode(), "going away");
                    ws.awaitTcpClose(Duration.ofSeconds(5));
                }
            }
            // every job ended: the 15 echo-lines upgrades and the 6 WebSocket sessions, each logged by the application
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            List<String> ended = container.logLinesContaining(JobEnds.PREFIX);
            while (ended.size() < 21 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                ended = container.logLinesContaining(JobEnds.PREFIX);
            }
            assertEquals(21, ended.size(), "jobs that ended after undeploy: " + ended);
            List<String> left = container.awaitNoThreadNamed(Duration.ofSeconds(10), "upgrade-bridge-", "foreign-closer");
            assertTrue(left.isEmpty(), "threads left behind after undeploy: " + String.join("\n", left));
            List<String> leaks = container.logLinesContaining("failed to stop it");
            assertTrue(leaks.isEmpty(), "the container reports leaked threads: " + leaks);
        } finally {
            for (EchoLinesClient client : clients) {
                client.close();
            }
        }
        container.deploy();
        try (EchoLinesClient client = EchoLinesClient.open(container, "/upgrade/x?mode=echo")) {
            assertEquals("after redeploy\n", client.roundTrip("after redeploy"));
        }
    }

    /** Reads (and drops) what is still in flight until the server closes; fails if it stays open. */
    private static void drainUntilClosed(EchoLinesClient client) throws Exception {
        client.socket().setSoTimeout(5_000);
        byte[] buf = new byte[64 * 1024];
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try {
            while (client.in().read(buf) >= 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the connection stayed open after undeploy");
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open after undeploy", e);
        } catch (java.io.IOException reset) {
            // closed with a reset: closed all the same
        }
    }
}
