package io.upgradebridge.servlet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Number of connections still open. */
    public int size() {
        return open.size();
    }

    /** A snapshot of the open connections. */
    public List<UpgradedConnection> snapshot() {
        return new ArrayList<>(open);
    }

    /** Refuses new connections and cancels every open one. */
    public void shutDown(String reason) {
        shutDown = true;
        for (UpgradedConnection connection : snapshot()) {
            connection.cancel(new CancellationException(reason));
        }
    }
}
