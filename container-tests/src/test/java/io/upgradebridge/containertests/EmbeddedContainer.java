package io.upgradebridge.containertests;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Test-side handle of one running container in its own class loader.
 *
 * <p>The loader is a {@link URLClassLoader} over {@link ContainerClassPath} whose parent is the platform class
 * loader: nothing of the test class path (JUnit, this class, Surefire) is visible inside, and the container,
 * servlet API, servlet-bridge and server-side classes are invisible here. (A world that deploys a WAR,
 * {@link ContainerConfig#war}, has no servlet-bridge of its own: only the WAR's copy.) The launcher is driven by
 * reflection through the public {@code ContainerLauncher} interface of that world, with JDK types only.
 * Tests reach the web application over TCP on 127.0.0.1 ({@link #uri(String)}, {@link RawHttpClient}).
 */
public final class EmbeddedContainer implements AutoCloseable {

    private static final String CONTRACT = "io.upgradebridge.containertests.server.ContainerLauncher";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** How long {@link #stop()} waits for the world's threads to end before it closes the class loader. */
    private static final Duration THREADS_END_TIMEOUT = Duration.ofSeconds(15);

    private final ContainerKind kind;
    private final URLClassLoader loader;
    private final Class<?> contract;
    private final Object launcher;
    /** The container in a JVM of its own, or null (then loader, contract and launcher are set). */
    private final ProcessContainer process;
    private final int port;
    private final boolean secure;
    private boolean stopped;
    private List<String> logLinesAtStop;
    private Duration stopDuration;

    private EmbeddedContainer(ContainerKind kind, URLClassLoader loader, Class<?> contract, Object launcher,
                              int port, boolean secure) {
        this.secure = secure;
        this.kind = kind;
        this.loader = loader;
        this.contract = contract;
        this.launcher = launcher;
        this.process = null;
        this.port = port;
    }

    private EmbeddedContainer(ContainerKind kind, ProcessContainer process, boolean secure) {
        this.secure = secure;
        this.kind = kind;
        this.loader = null;
        this.contract = null;
        this.launcher = null;
        this.process = process;
        this.port = process.port();
    }

    /**
     * Starts {@code kind} with {@code config} in a new isolated class loader, or for a container that runs in a JVM of
     * its own ({@link ContainerKind#ownProcess()}) in a new JVM. On failure everything started so far is stopped before
     * the exception is thrown. A container that cannot run on this JVM's Java version, or a configuration that an
     * own-process container cannot take (context attributes: objects shared in memory), aborts the test with the
     * reason (a JUnit assumption: the test is reported as skipped, with that reason); so does a container left out by
     * {@code -Dcontainers=KIND,KIND} (enum names; for running part of the suite by hand).
     */
    public static EmbeddedContainer start(ContainerKind kind, ContainerConfig config) throws Exception {
        return start(kind, config, ProcessContainer.FREE_PORTS);
    }

    /** As {@link #start(ContainerKind, ContainerConfig)}; a container in a JVM of its own takes its port from {@code ports}. */
    static EmbeddedContainer start(ContainerKind kind, ContainerConfig config, ProcessContainer.PortSource ports)
            throws Exception {
        String name = kind.directory() + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        String workDir = ContainerClassPath.path("containers.workDir", "target/container-work")
                .resolve(name).toString();
        String selected = System.getProperty("containers", "");
        org.junit.jupiter.api.Assumptions.assumeTrue(selected.isBlank()
                || java.util.Arrays.asList(selected.split(",")).contains(kind.name()),
            () -> kind + " is not among -Dcontainers=" + selected);
        org.junit.jupiter.api.Assumptions.assumeTrue(kind.optInReason() == null || !selected.isBlank(), kind.optInReason());
        if (kind.ownProcess()) {
            String javaReason = kind.unsupportedJavaReason();
            org.junit.jupiter.api.Assumptions.assumeTrue(javaReason == null, javaReason);
            Map<String, Object> launch = config.toMap(workDir);
            org.junit.jupiter.api.Assumptions.assumeTrue(((Map<?, ?>) launch.get("contextAttributes")).isEmpty(),
                () -> kind + " runs in a JVM of its own: this scenario shares objects with the server through context "
                    + "attributes, which cannot cross a process boundary");
            String tlsReason = kind.tlsUnsupportedReason();
            org.junit.jupiter.api.Assumptions.assumeTrue(tlsReason == null
                || (launch.get("keyStore") == null && launch.get("logRequests") == null), tlsReason);
            return new EmbeddedContainer(kind, ProcessContainer.start(kind, launch, java.nio.file.Path.of(workDir), ports),
                config.secure());
        }
        URLClassLoader loader = new URLClassLoader("container-" + name,
                ContainerClassPath.of(kind, !config.deploysWar()), ClassLoader.getPlatformClassLoader());
        Class<?> contract = null;
        Object launcher = null;
        try {
            contract = Class.forName(CONTRACT, true, loader);
            launcher = Class.forName(kind.launcherClass(), true, loader).getConstructor().newInstance();
            Map<String, Object> launch = config.toMap(workDir);
            if (kind.bridgeTransport() != null) {
                launch.put("bridgeTransport", kind.bridgeTransport());
            }
            int port = (Integer) call(contract, launcher, "start", new Class<?>[] {Map.class}, launch);
            return new EmbeddedContainer(kind, loader, contract, launcher, port, config.secure());
        } catch (Throwable failure) {
            try {
                if (launcher != null) {
                    failure.addSuppressed(new IllegalStateException("log of the failed start:\n"
                            + String.join("\n", logLinesOf(contract, launcher))));
                    call(contract, launcher, "stop", new Class<?>[0]);
                }
            } catch (Throwable stopFailure) {
                failure.addSuppressed(stopFailure);
            } finally {
                awaitNoThreads(loader, THREADS_END_TIMEOUT);
                loader.close();
            }
            throw failure;
        }
    }

    public ContainerKind kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    /** @return {@code http://127.0.0.1:<port><path>} ({@code https} with TLS); {@code path} starts with '/' */
    public URI uri(String path) {
        return URI.create((secure ? "https" : "http") + "://127.0.0.1:" + port + path);
    }

    /**
     * @return the isolated class loader of this container's world; a container in a JVM of its own has none here, and
     *         the test asking for it is aborted (skipped) with that reason
     */
    public ClassLoader classLoader() {
        assumeInThisJvm("its class loader");
        return loader;
    }

    /** Aborts the test (a JUnit assumption, reported as skipped) when this container runs in a JVM of its own. */
    private void assumeInThisJvm(String what) {
        org.junit.jupiter.api.Assumptions.assumeTrue(process == null,
            () -> kind + " runs in a JVM of its own: " + what + " cannot be inspected from the test's JVM");
    }

    /** Takes the web application out of service; the connector keeps answering (404). */
    public void undeploy() throws Exception {
        if (process != null) {
            process.undeploy();
            return;
        }
        call(contract, launcher, "undeploy", new Class<?>[0]);
    }

    /** Deploys the web application again, with new instances and a new web application class loader. */
    public void deploy() throws Exception {
        if (process != null) {
            process.deploy();
            return;
        }
        call(contract, launcher, "deploy", new Class<?>[0]);
    }

    /**
     * Writes a heap dump (live objects) of the JVM the container runs in: this one, or its own.
     *
     * @return the file
     */
    public java.nio.file.Path dumpHeap(java.nio.file.Path file) throws Exception {
        if (process != null) {
            process.dumpHeap(file);
        } else {
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .dumpHeap(file.toAbsolutePath().toString(), true);
        }
        return file;
    }

    /** Whether the class loader of the last undeployed application was garbage collected (bounded wait). */
    public boolean undeployedClassLoaderCollected() throws Exception {
        if (process != null) {
            return process.undeployedClassLoaderCollected();
        }
        return (Boolean) call(contract, launcher, "undeployedClassLoaderCollected", new Class<?>[0]);
    }

    public boolean isDeployed() throws Exception {
        if (process != null) {
            return process.isDeployed();
        }
        return (Boolean) call(contract, launcher, "isDeployed", new Class<?>[0]);
    }

    /**
     * @return the container's and the application's JUL log lines so far, see {@code ContainerLauncher}; for a
     *         container in a JVM of its own, the lines of that JVM's output (the server's log, in the server's format)
     */
    public List<String> logLines() {
        synchronized (this) {
            if (logLinesAtStop != null) {
                return logLinesAtStop;
            }
        }
        if (process != null) {
            return process.logLines();
        }
        return logLinesOf(contract, launcher);
    }

    /** Loggers whose level a test set: JUL keeps loggers only weakly, and a collected one forgets its level. */
    private static final Map<String, java.util.logging.Logger> PINNED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Sets the level of a {@code java.util.logging} logger where the container logs: this JVM's (shared by every
     * container in it), or the container's own JVM.
     *
     * @param level the level, or {@code null} for the parent's
     * @return the previous level, or {@code null} when it had none of its own
     */
    public java.util.logging.Level setLogLevel(String logger, java.util.logging.Level level) throws Exception {
        if (process != null) {
            String previous = process.setLogLevel(logger, level == null ? "null" : level.getName());
            return previous.equals("null") ? null : java.util.logging.Level.parse(previous);
        }
        java.util.logging.Logger target = PINNED.computeIfAbsent(logger, java.util.logging.Logger::getLogger);
        java.util.logging.Level previous = target.getLevel();
        target.setLevel(level);
        return previous;
    }

    /** @return the lines of {@link #logLines()} that contain {@code text} */
    public List<String> logLinesContaining(String text) {
        return logLines().stream().filter(l -> l.contains(text)).collect(Collectors.toList());
    }

    /**
     * @return the live platform threads whose context class loader is this container's loader or a descendant
     *         of it (container threads, web application threads, threads started by the application)
     */
    public List<Thread> threadsOf() {
        if (process != null) {
            synchronized (this) {
                if (stopped) {
                    return List.of(); // its JVM has ended (ProcessContainer.stop waits for that, or kills it)
                }
            }
            assumeInThisJvm("its threads");
        }
        return threadsOf(loader);
    }

    /**
     * Waits up to {@code timeout} until no thread of this container's world (for a container in a JVM of its own: of
     * that JVM) has a name starting with one of {@code prefixes} (other containers run in the same JVM); returns those
     * still alive, each described with its stack.
     */
    public List<String> awaitNoThreadNamed(Duration timeout, String... prefixes) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left;
        do {
            if (process != null) {
                left = process.threadsNamed(prefixes);
            } else {
                left = threadsOf().stream()
                    .filter(t -> java.util.Arrays.stream(prefixes).anyMatch(p -> t.getName().startsWith(p)))
                    .map(t -> describe(List.of(t)))
                    .collect(Collectors.toList());
            }
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return left;
    }

    /** Waits up to {@code timeout} for {@link #threadsOf()} to be empty; returns what is left. */
    public List<Thread> awaitNoThreads(Duration timeout) {
        if (process != null) {
            assumeInThisJvm("its threads");
        }
        return awaitNoThreads(loader, timeout);
    }

    /**
     * Stops the container, waits (bounded) for its threads to end and closes the class loader. Idempotent.
     * Check {@link #threadsOf()} afterwards to find threads that did not end.
     */
    public synchronized void stop() throws Exception {
        if (stopped) {
            return;
        }
        stopped = true;
        long start = System.nanoTime();
        if (process != null) {
            try {
                process.stop();
            } finally {
                stopDuration = Duration.ofNanos(System.nanoTime() - start);
                logLinesAtStop = process.logLines();
            }
            return;
        }
        try {
            call(contract, launcher, "stop", new Class<?>[0]);
        } finally {
            stopDuration = Duration.ofNanos(System.nanoTime() - start);
            logLinesAtStop = logLinesOf(contract, launcher);
            awaitNoThreads(loader, THREADS_END_TIMEOUT);
            loader.close();
        }
    }

    /** How long the container's own stop took in {@link #stop()} (not the wait for threads after it), or null before. */
    public synchronized Duration stopDuration() {
        return stopDuration;
    }

    /** {@link #stop()}, for try-with-resources. */
    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("stopping " + this + " failed", e);
        }
    }

    @Override
    public String toString() {
        return kind + " on port " + port + (stopped ? " (stopped)" : "");
    }

    /** @return a readable list of threads, with their stacks, for assertion messages */
    public static String describe(List<Thread> threads) {
        StringBuilder text = new StringBuilder();
        for (Thread thread : threads) {
            text.append('\n').append(thread).append(" loader=").append(thread.getContextClassLoader());
            for (StackTraceElement element : thread.getStackTrace()) {
                text.append("\n    at ").append(element);
            }
        }
        return text.toString();
    }

    private static List<Thread> threadsOf(ClassLoader world) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> isInWorld(t.getContextClassLoader(), world))
                .collect(Collectors.toList());
    }

    private static boolean isInWorld(ClassLoader loader, ClassLoader world) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == world) {
                return true;
            }
        }
        return false;
    }

    private static List<Thread> awaitNoThreads(ClassLoader world, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> left = threadsOf(world);
        while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = threadsOf(world);
        }
        return left;
    }

    @SuppressWarnings("unchecked")
    private static List<String> logLinesOf(Class<?> contract, Object launcher) {
        try {
            return (List<String>) call(contract, launcher, "logLines", new Class<?>[0]);
        } catch (Exception e) {
            return List.of("(log lines unavailable: " + e + ")");
        }
    }

    /** Invokes a contract method; rethrows what the launcher threw (unwrapped). */
    private static Object call(Class<?> contract, Object launcher, String method, Class<?>[] types,
                               Object... args) throws Exception {
        Method m = contract.getMethod(method, types);
        try {
            return m.invoke(launcher, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IOException(cause);
        }
    }
}
