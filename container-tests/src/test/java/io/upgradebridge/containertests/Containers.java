package io.upgradebridge.containertests;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per-test-class cache of running containers: each {@link ContainerKind} is started the first time a test
 * asks for it and stopped after the last test of the class, also when tests failed.
 *
 * <p>Register it on a <b>static</b> field, so that JUnit calls {@code afterAll}:
 * <pre>{@code
 * @RegisterExtension
 * static final Containers containers = Containers.of(ContainerConfig.create()
 *         .servlet("hello", ContainerConfig.SERVER + "HelloServlet", "/hello"));
 *
 * @ParameterizedTest
 * @EnumSource(ContainerKind.class)
 * void answers(ContainerKind kind) throws Exception {
 *     EmbeddedContainer container = containers.get(kind);
 *     ...
 * }
 * }</pre>
 */
public final class Containers implements BeforeAllCallback, AfterAllCallback {

    private final Function<ContainerKind, ContainerConfig> configs;
    private final Map<ContainerKind, EmbeddedContainer> running = new EnumMap<>(ContainerKind.class);
    private boolean registeredStatically;

    private Containers(Function<ContainerKind, ContainerConfig> configs) {
        this.configs = configs;
    }

    /** The same configuration for every container. */
    public static Containers of(ContainerConfig config) {
        return new Containers(kind -> config);
    }

    /** A configuration per container, for scenarios that need one. */
    public static Containers of(Function<ContainerKind, ContainerConfig> configs) {
        return new Containers(configs);
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        registeredStatically = true;
    }

    /**
     * @return the running container of this kind, started now if needed; redeployed first if a previous
     *         test left it undeployed
     */
    public synchronized EmbeddedContainer get(ContainerKind kind) throws Exception {
        if (!registeredStatically) {
            throw new IllegalStateException("register Containers with @RegisterExtension on a static field");
        }
        EmbeddedContainer container = running.get(kind);
        if (container == null) {
            container = EmbeddedContainer.start(kind, configs.apply(kind));
            running.put(kind, container);
        } else if (!container.isDeployed()) {
            container.deploy();
        }
        return container;
    }

    /** Stops the container of this kind now (the next {@link #get} starts a new one); returns it, or null. */
    public synchronized EmbeddedContainer stop(ContainerKind kind) throws Exception {
        EmbeddedContainer container = running.remove(kind);
        if (container != null) {
            container.stop();
        }
        return container;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (ContainerKind kind : List.copyOf(running.keySet())) {
            try {
                stop(kind);
            } catch (Exception e) {
                failures.add(e);
            }
        }
        running.clear();
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
