package io.upgradebridge.servlet.internal.jetty;

import org.eclipse.jetty.util.component.Graceful;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The bridge's part in Jetty's graceful stop: a {@link Graceful} bean of the webapp's context handler, found by
 * {@code Server.stop()} (with a stop timeout) among the server's {@code Graceful} components, as Jetty's own WebSocket
 * session tracker is. Jetty shuts those down before it closes its connectors' connections; here that closes every
 * live upgrade of the filter cleanly (WebSocket sessions send 1001, other upgrades are cancelled), on a thread of
 * its own, and the returned future completes when they are closed, so the stop need not wait for its timeout.
 */
final class JettyGracefulStop implements Graceful {

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(JettyGracefulStop.class, "done", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable stopping;
    private final String contextPath;
    /** Set once by CAS through {@link #DONE}: the first {@link #shutdown()} starts the stop, later calls share it. */
    private volatile CompletableFuture<Void> done;

    /** @param stopping closes the live upgrades; blocks until they are closed (bounded) */
    JettyGracefulStop(Runnable stopping, String contextPath) {
        this.stopping = stopping;
        this.contextPath = contextPath;
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> created = new CompletableFuture<>();
        if (!DONE.compareAndSet(this, null, created)) {
            return done; // race: Jetty asks once per stop, but a second caller gets the same stop
        }
        Thread thread = new io.upgradebridge.io.internal.OwnRunThread("upgrade-bridge-graceful-stop"
            + contextPath.replace('/', '-'), () -> {
            try {
                stopping.run();
                created.complete(null);
            } catch (Throwable t) {
                created.completeExceptionally(t);
            }
        });
        thread.start();
        return created;
    }

    @Override
    public boolean isShutdown() {
        return done != null;
    }

    @Override
    public String toString() {
        CompletableFuture<Void> d = done;
        return "UpgradeBridgeGracefulStop{" + (contextPath.isEmpty() ? "/" : contextPath) + ", "
            + (d == null ? "running" : d.isDone() ? "stopped" : "stopping") + '}';
    }
}
