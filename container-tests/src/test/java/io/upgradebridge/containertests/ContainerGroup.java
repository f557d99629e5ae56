package io.upgradebridge.containertests;

import java.util.ArrayList;
import java.util.List;

/**
 * Several containers in this JVM at once, each in its own world ({@link EmbeddedContainer}): the nodes of an
 * application behind a load balancer. They start one after the other; if one fails, those started are stopped before
 * the failure is thrown. {@link #close()} stops those still running.
 */
final class ContainerGroup implements AutoCloseable {

    /** One node: what container, with what configuration. */
    record Node(ContainerKind kind, ContainerConfig config) {
    }

    private final List<EmbeddedContainer> containers;

    private ContainerGroup(List<EmbeddedContainer> containers) {
        this.containers = containers;
    }

    /**
     * Starts the nodes one after the other: the launchers change JVM-wide system properties while a container
     * starts (Tomcat's {@code catalina.base}, Jetty's async timeout) and put them back after, which two starts at
     * once would mix up.
     */
    static ContainerGroup start(List<Node> nodes) throws Exception {
        List<EmbeddedContainer> started = new ArrayList<>();
        try {
            for (Node node : nodes) {
                started.add(EmbeddedContainer.start(node.kind(), node.config()));
            }
            return new ContainerGroup(started);
        } catch (Exception | Error failure) {
            Exception stopFailures = new Exception("stopping the nodes started so far");
            new ContainerGroup(started).stopAll(stopFailures);
            for (Throwable suppressed : stopFailures.getSuppressed()) {
                failure.addSuppressed(suppressed);
            }
            throw failure;
        }
    }

    EmbeddedContainer get(int index) {
        return containers.get(index);
    }

    List<EmbeddedContainer> all() {
        return List.copyOf(containers);
    }

    int size() {
        return containers.size();
    }

    private void stopAll(Exception failures) {
        for (EmbeddedContainer container : containers) {
            try {
                container.stop(); // idempotent: nodes a test stopped already are skipped
            } catch (Exception e) {
                failures.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        Exception failures = new Exception("stopping the container group failed");
        stopAll(failures);
        if (failures.getSuppressed().length > 0) {
            throw failures;
        }
    }

    @Override
    public String toString() {
        return containers.toString();
    }
}
