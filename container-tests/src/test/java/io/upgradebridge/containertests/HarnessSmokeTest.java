package io.upgradebridge.containertests;

import static io.upgradebridge.containertests.ContainerConfig.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.containertests.RawHttpClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Proves the harness itself on every container: isolation, configuration, deploy cycle, clean stop, leaks. */
class HarnessSmokeTest {

    /** Tomcat's WebappClassLoaderBase warning for a thread the application did not stop. */
    private static final String TOMCAT_LEAK_WARNING = "failed to stop it";
    /** Same values as ThreadLeakingServlet's constants (the test side cannot load that class). */
    private static final String LEAKED_THREAD = "leaked-by-application";
    private static final String RELEASE_ATTRIBUTE = "containertests.release";

    @RegisterExtension
    static final Containers containers = Containers.of(helloApplication());

    private static ContainerConfig helloApplication() {
        return ContainerConfig.create()
                .contextInitParam("greeting", "hi")
                .filter("header", SERVER + "HeaderFilter", Map.of("X-Harness", "filtered"), "/*")
                .servlet("hello", SERVER + "HelloServlet", "/hello");
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void answersThroughFilterAndServletWithItsOwnServerInfo(ContainerKind kind) throws Exception {
        EmbeddedContainer container = containers.get(kind);

        Response response = RawHttpClient.get(container.port(), "/hello");

        assertEquals(200, response.status(), response.head().statusLine());
        assertEquals("hi from " + kind.expectedServerInfo() + "\n", response.bodyText());
        assertEquals(Optional.of("filtered"), response.head().header("X-Harness"));
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aListenerMayAddAFilterWhileTheApplicationStartsAlsoAfterARedeploy(ContainerKind kind) throws Exception {
        ContainerConfig config = ContainerConfig.create()
                .listener(SERVER + "FilterAddingListener")
                .servlet("hello", SERVER + "HelloServlet", "/hello");
        try (EmbeddedContainer container = EmbeddedContainer.start(kind, config)) {
            Response first = RawHttpClient.get(container.port(), "/hello");
            assertEquals(200, first.status(), first::bodyText);
            assertEquals(Optional.of("added"), first.head().header("X-Listener"), first.head()::toString);
            container.undeploy();
            container.deploy();
            Response again = RawHttpClient.get(container.port(), "/hello");
            assertEquals(Optional.of("added"), again.head().header("X-Listener"), again.head()::toString);
        }
    }

    /**
     * A server in a JVM of its own is given a port that was free when the harness looked, and another process may take
     * it before the server binds it (Payara Micro failed so in CI): the harness starts it again on another port. Here
     * the first port is held by this test.
     */
    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void aServerWhosePortWasTakenBeforeItBoundIsStartedOnAnother(ContainerKind kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(kind.ownProcess(), () -> kind + " runs in this JVM on a port it binds itself (0)");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<Integer> given = new java.util.ArrayList<>();
            ProcessContainer.PortSource ports = () -> {
                int port = given.isEmpty() ? taken.getLocalPort() : ProcessContainer.FREE_PORTS.next();
                given.add(port);
                return port;
            };
            try (EmbeddedContainer container = EmbeddedContainer.start(kind, helloApplication(), ports)) {
                assertEquals(2, given.size(), () -> "ports given: " + given);
                assertEquals(given.get(1), container.port());
                Response response = RawHttpClient.get(container.port(), "/hello");
                assertEquals(200, response.status(), response.head().statusLine());
                assertEquals("hi from " + kind.expectedServerInfo() + "\n", response.bodyText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void runsInAnIsolatedClassLoader(ContainerKind kind) throws Exception {
        ClassLoader world = containers.get(kind).classLoader();

        Class<?> servlet = world.loadClass("jakarta.servlet.Servlet");
        assertSame(world, servlet.getClassLoader());
        assertEquals(kind.launcherClass(), world.loadClass(kind.launcherClass()).getName());
        assertThrows(ClassNotFoundException.class, () -> world.loadClass(HarnessSmokeTest.class.getName()));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("jakarta.servlet.Servlet"),
                "the servlet API must not be on the test class path");
    }

    @Test
    void givesEachContainerItsOwnWorld() throws Exception {
        ClassLoader tomcat10 = containers.get(ContainerKind.TOMCAT_10_1).classLoader();
        ClassLoader tomcat11 = containers.get(ContainerKind.TOMCAT_11).classLoader();

        assertNotSame(tomcat10.loadClass("org.apache.catalina.startup.Tomcat"),
                tomcat11.loadClass("org.apache.catalina.startup.Tomcat"));
        assertNull(System.getProperty("catalina.base"), "Tomcat's JVM-wide property is put back");
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void undeploysRedeploysAndStopsWithoutLeavingAThread(ContainerKind kind) throws Exception {
        try (EmbeddedContainer container = EmbeddedContainer.start(kind, helloApplication())) {
            assertEquals(200, RawHttpClient.get(container.port(), "/hello").status());

            container.undeploy();
            int undeployed = RawHttpClient.get(container.port(), "/hello").status();
            assertTrue(undeployed == 404 || undeployed == 503, "after undeploy: " + undeployed);

            container.deploy();
            Response redeployed = RawHttpClient.get(container.port(), "/hello");
            assertEquals(200, redeployed.status());
            assertEquals("hi from " + kind.expectedServerInfo() + "\n", redeployed.bodyText());

            container.stop();
            List<Thread> left = container.threadsOf();
            assertTrue(left.isEmpty(), "threads left after stop:" + EmbeddedContainer.describe(left));
            assertEquals(List.of(), container.logLinesContaining(TOMCAT_LEAK_WARNING));
            assertEquals(List.of(), container.logLinesContaining("SEVERE"));
        }
    }

    @ParameterizedTest
    @EnumSource(ContainerKind.class)
    void seesAThreadTheApplicationLeftBehind(ContainerKind kind) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ContainerConfig leaky = ContainerConfig.create()
                .contextAttribute(RELEASE_ATTRIBUTE, release)
                .servlet("leak", SERVER + "ThreadLeakingServlet", "/leak");
        try (EmbeddedContainer container = EmbeddedContainer.start(kind, leaky)) {
            List<Thread> leaked;
            try {
                assertEquals(200, RawHttpClient.get(container.port(), "/leak").status());
                container.undeploy();

                leaked = container.threadsOf().stream().filter(t -> t.getName().equals(LEAKED_THREAD))
                        .collect(Collectors.toList());
                assertEquals(1, leaked.size(), "the application's thread, found by its class loader");
                assertNotSame(container.classLoader(), leaked.get(0).getContextClassLoader(),
                        "the thread inherited the web application's own loader, a child of the world's");
                if (kind.isTomcat()) {
                    assertEquals(1, container.logLinesContaining(TOMCAT_LEAK_WARNING).size(),
                            () -> "Tomcat's leak warning, captured:\n" + String.join("\n", container.logLines()));
                }
            } finally {
                release.countDown();
            }
            leaked.get(0).join(Duration.ofSeconds(10).toMillis());
            assertTrue(!leaked.get(0).isAlive(), "the leaked thread ends when released");
        }
    }
}
