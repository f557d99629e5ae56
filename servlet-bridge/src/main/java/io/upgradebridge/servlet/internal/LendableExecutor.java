package io.upgradebridge.servlet.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The bridge's own pool, until the container lends its worker threads: Tomcat shows its connector's executor to the
 * bridge's Tomcat adapter on the first upgrade ({@link #lend}), and from then on the bridge's tasks run there, as
 * Tomcat's own WebSocket's do, instead of on a second pool beside Tomcat's (which doubled the threads a burst of
 * upgrades leaves behind). The own pool then idles and lets its threads go. A task the lent executor refuses (its
 * connector is stopping) runs on the own pool.
 *
 * <p>A task on a lent thread runs with the application's class loader as the thread's context class loader, which it
 * puts back afterwards: the container's thread does not keep the application's loader, and application code sees
 * its own.
 */
public final class LendableExecutor implements Executor {

    private final ThreadPoolExecutor own;
    private final ClassLoader application;
    /** Set once (CAS-free: the first lender wins, a second lend of the same server's executor changes nothing). */
    private volatile Executor lent;

    LendableExecutor(ThreadPoolExecutor own, ClassLoader application) {
        this.own = own;
        this.application = application;
    }

    /**
     * The container lends its executor; the first call counts.
     *
     * @return whether this call lent it
     */
    public synchronized boolean lend(Executor container) {
        if (lent != null || container == null) {
            return false;
        }
        lent = container;
        return true;
    }

    /** Whether a container lent its executor. */
    public boolean isLent() {
        return lent != null;
    }

    /** The most threads the pool behind may have: the own pool's maximum (a container's pool is of the same order). */
    int maxThreads() {
        return own.getMaximumPoolSize();
    }

    @Override
    public void execute(Runnable task) {
        Executor container = lent;
        if (container == null) {
            own.execute(task);
            return;
        }
        try {
            container.execute(() -> runInApplication(task));
        } catch (RejectedExecutionException stopping) {
            own.execute(task);
        }
    }

    private void runInApplication(Runnable task) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            task.run();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Override
    public String toString() {
        return "LendableExecutor{" + (lent != null ? "lent " + lent : "own " + own) + '}';
    }
}
