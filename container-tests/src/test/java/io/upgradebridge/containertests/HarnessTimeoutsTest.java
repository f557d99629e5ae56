package io.upgradebridge.containertests;

import static io.upgradebridge.containertests.ContainerConfig.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Proves the timeout configuration keys reach every container (the defaults are 20 to 60 s). */
class HarnessTimeoutsTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration ASYNC_TIMEOUT = Duration.ofMillis(500);
    /** Well above the configured timeouts (plus Tomcat's 1 s timeout check), well below the defaults. */
    private static final Duration BOUND = Duration.ofSeconds(8);

    @RegisterExtension
    static final Containers containers = Containers.of(ContainerConfig.create()
            .idleTimeout(IDLE_TIMEOUT)
            .asyncTimeout(ASYNC_TIMEOUT)
            .servlet("async", SERVER + "StartAsyncServlet", "/async"));

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void closesAnIdleConnectionAfterTheIdleTimeout(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);
        try (RawHttpClient client = RawHttpClient.connect(container.port(), BOUND.multipliedBy(2))) {
            long start = System.nanoTime();

            int read = client.input().read();

            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(-1, read);
            assertTrue(elapsed.compareTo(BOUND) < 0, "closed after " + elapsed);
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void endsAnAbandonedAsyncRequestAfterTheAsyncTimeout(ContainerKind kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(kind.setsAsyncTimeout(), kind.asyncTimeoutUnsupportedReason());
        EmbeddedContainer container = containers.get(kind);
        try (RawHttpClient client = RawHttpClient.connect(container.port(), BOUND.multipliedBy(2))) {
            long start = System.nanoTime();
            client.sendHead("GET /async HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

            RawHttpClient.ResponseHead head = client.readResponseHead();

            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(500, head.status(), head.statusLine());
            assertTrue(elapsed.compareTo(ASYNC_TIMEOUT) >= 0 && elapsed.compareTo(BOUND) < 0,
                    "answered after " + elapsed);
        }
    }
}
