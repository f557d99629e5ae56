package io.upgradebridge.servlet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The upgraded connections a filter has open, so that shutting the filter down can close every one. */
public final class LiveUpgrades {

    private final Set<UpgradedConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean shutDown;

    /** @return {@code false} when the registry is shut down: the caller must close the connection. */
    boolean add(UpgradedConnection connection) {
        open.add(connection);
        if (shutDown) {
            open.remove(connection); // race: shutdown ran between the check and the add
            return false;
        }
        return true;
    }

    void remove(UpgradedConnection connection) {
        open.remove(connection);
    }

    /** Whether {@link #shutDown} was called: new connections are refused. */
    public boolean isShutDown() {
        return shutDown;
    }

    /** Number of connections still open. */
    public int size() {
        return open.size();
    }

    /** A snapshot of the open connections. */
    public List<UpgradedConnection> snapshot() {
        return new ArrayList<>(open);
    }

    /** One line per open connection, with the state of its job, channels and transport: for debugging. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (UpgradedConnection connection : open) {
            lines.add(connection.toString());
        }
        return lines;
    }

    /**
     * Refuses new connections, lets every open one whose job is
     * {@link io.upgradebridge.servlet.ShutdownAware} say goodbye, waits up to {@code graceMillis} for
     * them to close, then cancels every connection still open.
     */
    public void shutDown(String reason, long graceMillis) {
        shutDown = true;
        List<UpgradedConnection> open = snapshot();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (UpgradedConnection connection : open) {
            if (connection.applicationStopping()) {
                closing.add(connection.whenClosed().toCompletableFuture());
            }
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                .get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // whatever did not close in time is cancelled below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (UpgradedConnection connection : snapshot()) {
            connection.cancel(new CancellationException(reason));
        }
        // wait (bounded) until the container has let go of every connection: a container thread still
        // closing one runs with the application's class loader, and the container's leak check would see it
        List<CompletableFuture<Void>> releasing = new ArrayList<>();
        for (UpgradedConnection connection : open) {
            releasing.add(connection.whenReleased().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(releasing.toArray(CompletableFuture[]::new))
                .get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // a container that never reports the release is not waited for longer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
