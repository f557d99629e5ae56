package io.upgradebridge.servlet.internal;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Picks the executor that runs upgrades, in this order: an executor named by configuration (a JNDI
 * name starting with {@code java:}, or a servlet-context attribute), JNDI
 * {@code java:comp/DefaultManagedExecutorService}, Jetty's {@code org.eclipse.jetty.server.Executor}
 * context attribute, virtual threads (Java 21+), and last a bounded pool the bridge owns.
 *
 * @param executor the executor
 * @param description what was chosen and why, for the start-up log line
 * @param owned whether the bridge created it and must shut it down
 */
public record ExecutorChoice(Executor executor, String description, boolean owned) {

    /** The managed executor every Jakarta EE server provides. */
    public static final String DEFAULT_MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    /** Context attribute under which Jetty publishes its server thread pool. */
    public static final String JETTY_EXECUTOR_ATTRIBUTE = "org.eclipse.jetty.server.Executor";
    /** Threads of the pool the bridge owns when nothing better is there. */
    public static final int OWN_POOL_THREADS = 200;

    /** Where the choice looks things up; a seam for tests. */
    public interface Sources {
        /** JNDI lookup; returns {@code null} when the name is not bound or there is no JNDI at all. */
        Object jndi(String name);

        /** A servlet-context attribute, or {@code null}. */
        Object contextAttribute(String name);

        /** The runtime's feature version ({@code Runtime.version().feature()}). */
        int javaFeatureVersion();
    }

    /**
     * Makes the choice.
     *
     * @param configured the configured name, or {@code null}
     * @param sources where to look
     * @param threadNamePrefix names the threads of a pool the bridge creates
     * @throws IllegalArgumentException when a configured name does not resolve to an {@link Executor}
     */
    public static ExecutorChoice choose(String configured, Sources sources, String threadNamePrefix) {
        if (configured != null && !configured.isBlank()) {
            String name = configured.trim();
            Object found = name.startsWith("java:") ? sources.jndi(name) : sources.contextAttribute(name);
            if (!(found instanceof Executor)) {
                throw new IllegalArgumentException("the configured executor '" + name + "' "
                    + (found == null ? "was not found" : "is a " + found.getClass().getName() + ", not a java.util.concurrent.Executor")
                    + (name.startsWith("java:") ? " in JNDI" : " among the servlet-context attributes")
                    + "; fix the io.upgradebridge.executor parameter or remove it");
            }
            return new ExecutorChoice((Executor) found, "configured executor '" + name + "' (" + found.getClass().getName() + ")", false);
        }
        Object managed = sources.jndi(DEFAULT_MANAGED_EXECUTOR);
        if (managed instanceof Executor) {
            return new ExecutorChoice((Executor) managed, "the server's managed executor " + DEFAULT_MANAGED_EXECUTOR, false);
        }
        Object jetty = sources.contextAttribute(JETTY_EXECUTOR_ATTRIBUTE);
        if (jetty instanceof Executor) {
            return new ExecutorChoice((Executor) jetty, "Jetty's server thread pool (context attribute " + JETTY_EXECUTOR_ATTRIBUTE + ")", false);
        }
        if (sources.javaFeatureVersion() >= 21) {
            ExecutorService virtual = newVirtualThreadExecutor();
            if (virtual != null) {
                return new ExecutorChoice(virtual, "virtual threads (Java " + sources.javaFeatureVersion() + ")", true);
            }
        }
        return new ExecutorChoice(newOwnPool(threadNamePrefix),
            "the bridge's own pool of up to " + OWN_POOL_THREADS + " threads (Java " + sources.javaFeatureVersion()
                + "; name an executor with io.upgradebridge.executor to use another)", true);
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} when this runtime has it, else {@code null}. */
    static ExecutorService newVirtualThreadExecutor() {
        try {
            Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) factory.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static ExecutorService newOwnPool(String threadNamePrefix) {
        return new OwnPool(threadNamePrefix);
    }

    /**
     * Shuts down an owned executor and waits (bounded) until its threads are gone: not just until the
     * pool says it terminated, since a worker may still be exiting then, and a container that checks for
     * leaked threads right after undeploy would report it.
     */
    public void shutdown(long timeoutMillis) {
        if (!owned || !(executor instanceof ExecutorService)) {
            return;
        }
        ExecutorService service = (ExecutorService) executor;
        service.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            service.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
            if (service instanceof OwnPool) {
                for (Thread thread : ((OwnPool) service).threads) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    thread.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bridge's own bounded pool; it remembers its threads so that shutting down can wait for each. */
    static final class OwnPool extends ThreadPoolExecutor {
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        OwnPool(String threadNamePrefix) {
            super(OWN_POOL_THREADS, OWN_POOL_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            AtomicInteger counter = new AtomicInteger();
            ClassLoader loader = ExecutorChoice.class.getClassLoader();
            ThreadFactory factory = task -> {
                Thread thread = new Thread(() -> {
                    try {
                        task.run();
                    } finally {
                        threads.remove(Thread.currentThread());
                    }
                }, threadNamePrefix + counter.incrementAndGet());
                thread.setDaemon(true);
                thread.setContextClassLoader(loader);
                threads.add(thread);
                return thread;
            };
            setThreadFactory(factory);
            allowCoreThreadTimeOut(true);
        }
    }

    /** Sources backed by real JNDI and a servlet context's attributes. */
    public static Sources sources(Function<String, Object> contextAttributes) {
        return new Sources() {
            @Override
            public Object jndi(String name) {
                try {
                    return new javax.naming.InitialContext().lookup(name);
                } catch (javax.naming.NamingException | RuntimeException | LinkageError e) {
                    return null;
                }
            }

            @Override
            public Object contextAttribute(String name) {
                return contextAttributes.apply(name);
            }

            @Override
            public int javaFeatureVersion() {
                return Runtime.version().feature();
            }
        };
    }
}
