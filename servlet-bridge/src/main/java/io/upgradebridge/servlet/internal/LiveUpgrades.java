package io.upgradebridge.servlet.internal;

import io.upgradebridge.io.internal.TimerLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The upgraded connections a filter has open, so that shutting the filter down can close every one; and the timer
 * that bounds a lingering close on a container that has no timeout for an upgraded connection ({@link #closeLater}).
 */
public final class LiveUpgrades {

    /** The name of the linger timer's thread; the {@code upgrade-bridge-} prefix marks every thread of the bridge. */
    public static final String LINGER_TIMER = "upgrade-bridge-linger-timer";
    /** How long a shutdown waits, at most, for container threads that released connections to unbind the application. */
    private static final long UNBIND_WAIT_MILLIS = 1_000;

    private final Set<UpgradedConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean shutDown;
    /** Its thread starts with the first {@link #closeLater}; stopped for good by {@link #shutDown}. */
    private final TimerLoop timer = new TimerLoop(LINGER_TIMER);

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
     * Runs {@code close} after {@code millis} on the linger timer, a daemon thread of the bridge ({@link TimerLoop}, not
     * a JDK pool: see there why) started on first use and stopped with the filter (Undertow, GlassFish and Payara have
     * no timeout for an upgraded connection that the bridge can set). {@code close} must be quick and idempotent: it
     * also runs when the connection closed meanwhile.
     *
     * @return {@code false} when the filter is shutting down (the caller closes now instead)
     */
    boolean closeLater(Runnable close, long millis) {
        if (shutDown) {
            return false;
        }
        TimerLoop.Timeout timeout;
        try {
            timeout = timer.schedule(close, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            return false; // race: shutDown() stopped the timer after the check above
        }
        if (shutDown) {
            timeout.cancel(); // race: shutDown() began after the check above; it cancels the connection itself
            return false;
        }
        return true;
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
        // and until each releasing container thread has unbound the application's class loader (bounded): the
        // container stops the application on a thread bound to that loader
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        long unbindDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(graceMillis, UNBIND_WAIT_MILLIS));
        for (UpgradedConnection connection : open) {
            connection.awaitReleasingThreadLeft(application, unbindDeadline);
        }
        stopTimer();
    }

    /** Stops the linger timer (bounded wait): every lingering connection was cancelled above. */
    private void stopTimer() {
        timer.stop();
    }
}
