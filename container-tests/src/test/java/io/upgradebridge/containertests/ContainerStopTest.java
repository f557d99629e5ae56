package io.upgradebridge.containertests;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping the whole container (not only undeploying the application) with many sessions open, the sample WAR
 * deployed as a standalone server deploys it: every WebSocket session hears 1001 (going away) before its TCP
 * connection closes, every other upgrade is closed, and the stop is not held to its timeout (Jetty's
 * {@code Server.stop()} with a 5 s stop timeout throws a {@code TimeoutException} when its graceful phase runs out,
 * which would fail the stop here).
 *
 * <p>Session counts: {@code -Dstop.sessions} on {@code /ws/echo} (the default session, default 200),
 * {@code -Dstop.rawSessions} on {@code /echo} (the raw session, default 20), {@code -Dstop.lines} echo-lines upgrades
 * on {@code /lines} (default 10). The figures (sessions that got 1001 out of those open, time to stop) are printed;
 * for the 1,000 + 50:
 * {@code mvn -pl container-tests -am verify -Dtest=ContainerStopTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstop.sessions=1000 -Dstop.rawSessions=50}.
 */
class ContainerStopTest {

    private static final int SESSIONS = Integer.getInteger("stop.sessions", 200);
    private static final int RAW_SESSIONS = Integer.getInteger("stop.rawSessions", 20);
    private static final int LINES = Integer.getInteger("stop.lines", 10);

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void stoppingTheContainerSends1001ToEverySessionAndClosesEveryUpgradeWithoutWaitingForItsTimeout(ContainerKind kind)
            throws Exception {
        List<WsWire> sessions = new ArrayList<>();
        List<EchoLinesClient> lines = new ArrayList<>();
        EmbeddedContainer container = EmbeddedContainer.start(kind, ContainerConfig.create().war(ContainerClassPath.warSample()));
        try {
            for (int i = 0; i < SESSIONS + RAW_SESSIONS; i++) {
                WsWire ws = WsWire.open(container, i < SESSIONS ? "/ws/echo" : "/echo");
                sessions.add(ws);
                ws.send(WsWire.masked(true, WsWire.TEXT, ("session " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                assertEquals("session " + i, ws.read().text(), "the session runs before the stop");
            }
            for (int i = 0; i < LINES; i++) {
                EchoLinesClient client = EchoLinesClient.open(container, "/lines");
                lines.add(client);
                assertEquals("line " + i + "\n", client.roundTrip("line " + i));
            }

            container.stop(); // throws when Jetty's graceful phase times out

            int goingAway = 0;
            List<String> others = new ArrayList<>();
            for (WsWire ws : sessions) {
                String heard = closeHeard(ws);
                if (heard.equals("1001")) {
                    goingAway++;
                } else if (others.size() < 10) {
                    others.add(heard);
                }
            }
            for (EchoLinesClient client : lines) {
                client.awaitServerClose(Duration.ofSeconds(10));
            }
            String figures = kind + ": " + goingAway + " of " + sessions.size() + " sessions got 1001 (" + SESSIONS
                + " on /ws/echo, " + RAW_SESSIONS + " on /echo), " + lines.size() + " echo-lines upgrades closed; stop took "
                + container.stopDuration().toMillis() + " ms";
            System.out.println("ContainerStopTest " + figures);
            assertEquals(sessions.size(), goingAway, () -> figures + "; others heard: " + others);
            List<String> timeouts = container.logLinesContaining("TimeoutException");
            assertTrue(timeouts.isEmpty(), () -> "the stop waited for its timeout: " + timeouts);
        } finally {
            container.stop();
            for (WsWire ws : sessions) {
                ws.close();
            }
            for (EchoLinesClient client : lines) {
                client.close();
            }
        }
        List<Thread> left = container.threadsOf();
        assertTrue(left.isEmpty(), () -> "threads left after the stop: " + EmbeddedContainer.describe(left));
    }

    /** {@code 1001} when a close frame with that code came, then the TCP close; else what came instead. */
    private static String closeHeard(WsWire ws) {
        try {
            ws.http.socket().setSoTimeout(10_000);
            WsWire.ServerFrame frame = ws.read();
            if (frame.opcode() != WsWire.CLOSE) {
                return "a frame other than close: " + frame;
            }
            ws.awaitTcpClose(Duration.ofSeconds(10));
            return Integer.toString(frame.closeCode());
        } catch (IOException | AssertionError e) {
            return e.toString();
        }
    }
}
