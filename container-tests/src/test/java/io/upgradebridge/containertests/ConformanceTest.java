package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link ConformanceSuite} against the war-sample's {@code /ws/echo} (the WebSockets feature: echo, deflate
 * enabled) and its raw {@code /echo} ({@code EchoServlet} on the RAW session: no deflate, so section 7692 checks that
 * offers are declined), the WAR deployed as {@link WarDeploymentTest} deploys it, on every container. Prints the table
 * of cases (Autobahn-style: {@code cases: N passed: P failed: F}, then every failure with its reason) and fails unless
 * every case passed.
 */
class ConformanceTest {

    static final String ECHO = "/ws/echo";
    static final String RAW_ECHO = "/echo";

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create().war(ContainerClassPath.warSample()));

    static Stream<Arguments> targets() {
        return Stream.of(ContainerKind.values()).flatMap(kind -> Stream.of(Arguments.of(kind, ECHO), Arguments.of(kind, RAW_ECHO)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void everyCaseOfRfc6455And7692Passes(ContainerKind kind, String path) throws Exception {
        ConformanceSuite.Report report = ConformanceSuite.run(containers.get(kind), path, path.equals(ECHO));
        System.out.println(report.table());
        List<ConformanceSuite.Outcome> failures = report.failures();
        assertTrue(failures.isEmpty(), () -> report.summary() + " on " + kind + "\n" + failures.stream()
            .map(f -> "  " + path + " " + f.testCase().name() + "\n      reason: " + f.failure()).collect(Collectors.joining("\n")));
    }

    /**
     * The sample's {@code /ws/echo} takes frames and messages up to 16 MiB: 16 MiB of random bytes compressed into one
     * frame (larger than 16 MiB on the wire: deflate stores what it cannot compress) are accepted and echoed; one byte
     * more is refused by the message limit after inflation (1009), not by the size of the compressed frame.
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aMessageAtTheLimitIsEchoedHoweverTheClientCompressedIt(ContainerKind kind) throws Exception {
        int limit = 16 * 1024 * 1024;
        byte[] random = ConformanceSuite.random(limit, 16);
        try (WsPeer peer = WsPeer.open(containers.get(kind), ECHO, "Sec-WebSocket-Extensions: permessage-deflate")) {
            peer.wire.readTimeout(Duration.ofSeconds(60)); // 16 MiB inflated, echoed and deflated on a loaded machine
            byte[][] frame = peer.compressedFrames(WsWire.BINARY, random, 1);
            assertTrue(frame[0].length > limit + 14, "one compressed frame larger than the frame limit: " + frame[0].length);
            peer.send(frame).expectEcho(WsWire.BINARY, random);
            peer.send(peer.compressedFrames(WsWire.BINARY, Arrays.copyOf(random, limit + 1), 1)).expectCloseFromServer(1009);
        }
    }

    /** The suite itself: unique ids, every section present, sizes as the issue lists them. */
    @Test
    void theSuiteCoversEverySectionWithUniqueIds() {
        List<ConformanceSuite.Case> cases = ConformanceSuite.cases();
        Set<String> ids = new HashSet<>();
        for (ConformanceSuite.Case c : cases) {
            assertTrue(ids.add(c.id()), () -> "duplicate id " + c.id());
        }
        Set<String> sections = cases.stream().map(c -> c.id().substring(0, c.id().lastIndexOf('.')))
            .collect(Collectors.toSet());
        assertEquals(Set.of("5.2", "5.4", "5.5", "5.6", "5.7", "8.1", "7", "7692"), sections);
        assertTrue(cases.stream().anyMatch(c -> c.title().equals("ping with a 125-byte payload answered with the same payload")));
        assertTrue(cases.size() > 100, "cases: " + cases.size());
        List<ConformanceSuite.Case> withoutDeflate = ConformanceSuite.cases(false);
        assertEquals(sections, withoutDeflate.stream().map(c -> c.id().substring(0, c.id().lastIndexOf('.')))
            .collect(Collectors.toSet()), "the same sections for an endpoint that declines deflate");
    }

    /**
     * The runner reports a failing case with its reason and goes on: a case whose check fails, and one whose
     * connection cannot even open (nothing listens on port 1), both end up as failures, not as an exception.
     */
    @Test
    void aFailingCaseIsReportedWithItsReason() {
        ConformanceSuite.Case failing = new ConformanceSuite.Case("0.1", "always fails", to -> {
            throw new AssertionError("the reason");
        });
        ConformanceSuite.Outcome outcome = ConformanceSuite.runCase(failing, 1, "no server", ECHO);
        assertEquals("the reason", outcome.failure());
        ConformanceSuite.Case unreachable = new ConformanceSuite.Case("0.2", "no server", to -> to.open());
        ConformanceSuite.Outcome noServer = ConformanceSuite.runCase(unreachable, 1, "no server", ECHO);
        assertTrue(noServer.failure() != null && !noServer.passed(), String.valueOf(noServer));
        ConformanceSuite.Report report = new ConformanceSuite.Report("nowhere", List.of(outcome, noServer));
        assertTrue(report.table().contains("cases: 2 passed: 0 failed: 2"), report::table);
        assertTrue(report.table().contains("reason: the reason"), report::table);
    }
}
