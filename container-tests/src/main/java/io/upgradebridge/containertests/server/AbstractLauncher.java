package io.upgradebridge.containertests.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The state handling shared by the launchers: single use, the launcher's loader as context class loader for
 * every call, log capture from {@code start} to {@code stop}. Subclasses only talk to their container.
 */
abstract class AbstractLauncher implements ContainerLauncher {

    private volatile java.lang.ref.WeakReference<ClassLoader> undeployedLoader;

    private enum State { NEW, STARTED, STOPPED }

    private final ClassLoader loader = getClass().getClassLoader();
    private State state = State.NEW;
    private boolean deployed;
    private LogCapture logCapture;

    /** Starts the server and deploys the web application; returns the bound port. */
    protected abstract int startServer(LauncherConfig config) throws Exception;

    protected abstract void deployApplication() throws Exception;

    protected abstract void undeployApplication() throws Exception;

    /** The class loader of the deployed web application (called right before {@link #undeployApplication()}). */
    protected abstract ClassLoader applicationClassLoader();

    /** Stops whatever {@link #startServer} managed to start, also after it failed half way. */
    protected abstract void stopServer() throws Exception;

    /** @return the class loader of this container world (the parent of every web application loader) */
    protected final ClassLoader worldLoader() {
        return loader;
    }

    @Override
    public final synchronized int start(Map<String, Object> config) throws Exception {
        if (state != State.NEW) {
            throw new IllegalStateException("a launcher is started once, state is " + state);
        }
        state = State.STARTED;
        LauncherConfig parsed = LauncherConfig.from(config);
        logCapture = LogCapture.install(loader);
        int port = inWorld(() -> startServer(parsed));
        deployed = true;
        return port;
    }

    @Override
    public final synchronized void undeploy() throws Exception {
        if (state != State.STARTED || !deployed) {
            throw new IllegalStateException("nothing deployed");
        }
        deployed = false;
        inWorld(() -> {
            undeployedLoader = new java.lang.ref.WeakReference<>(applicationClassLoader());
            undeployApplication();
            return null;
        });
    }

    @Override
    public final boolean undeployedClassLoaderCollected() throws InterruptedException {
        java.lang.ref.WeakReference<ClassLoader> ref = undeployedLoader;
        if (ref == null) {
            throw new IllegalStateException("nothing was undeployed");
        }
        // up to 30 s: under load a container's own threads may take seconds to let go of an undeployed context (a
        // Jetty run at load average 14 kept one for more than 3 s, at 22 for more than 10 s, and then let go: the heap
        // dumps written right after had no WebAppClassLoader left)
        for (int i = 0; i < 300 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ref.get() == null;
    }

    @Override
    public final synchronized void deploy() throws Exception {
        if (state != State.STARTED || deployed) {
            throw new IllegalStateException(state != State.STARTED ? "not started" : "already deployed");
        }
        inWorld(() -> {
            deployApplication();
            return null;
        });
        deployed = true;
    }

    @Override
    public final synchronized boolean isDeployed() {
        return deployed;
    }

    @Override
    public final synchronized void stop() throws Exception {
        if (state == State.STOPPED) {
            return;
        }
        state = State.STOPPED;
        deployed = false;
        try {
            inWorld(() -> {
                stopServer();
                return null;
            });
        } finally {
            if (logCapture != null) {
                logCapture.close();
            }
        }
    }

    @Override
    public final List<String> logLines() {
        LogCapture capture;
        synchronized (this) {
            capture = logCapture;
        }
        return capture == null ? List.of() : capture.lines();
    }

    private <T> T inWorld(Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
