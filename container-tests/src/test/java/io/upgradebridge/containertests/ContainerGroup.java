package io.upgradebridge.containertests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Several containers in this JVM at once, each in its own world ({@link EmbeddedContainer}): the nodes of an
 * application behind a load balancer. They start concurrently; if one fails, the others are stopped before the
 * failure is thrown. {@link #close()} stops those still running.
 */
final class ContainerGroup implements AutoCloseable {

    /** One node: what container, with what configuration. */
    record Node(ContainerKind kind, ContainerConfig config) {
    }

    private final List<EmbeddedContainer> containers;

    private ContainerGroup(List<EmbeddedContainer> containers) {
        this.containers = containers;
    }

    static ContainerGroup start(List<Node> nodes) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(nodes.size(), r -> {
            Thread t = new Thread(r, "container-group-start");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<EmbeddedContainer>> starts = new ArrayList<>();
            for (Node node : nodes) {
                starts.add(starter.submit(() -> EmbeddedContainer.start(node.kind(), node.config())));
            }
            List<EmbeddedContainer> started = new ArrayList<>();
            Exception failure = null;
            for (Future<EmbeddedContainer> start : starts) {
                try {
                    started.add(start.get());
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception ex ? ex : e;
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                new ContainerGroup(started).stopAll(failure);
                throw failure;
            }
            return new ContainerGroup(started);
        } finally {
            starter.shutdownNow();
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
