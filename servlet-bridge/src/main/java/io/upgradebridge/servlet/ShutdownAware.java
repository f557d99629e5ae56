package io.upgradebridge.servlet;

import java.util.concurrent.CompletionStage;

/**
 * Implemented by a {@link io.upgradebridge.io.Job} that wants to end its connection cleanly when the
 * application stops (undeploy, container stop): a WebSocket session sends close 1001 (going away), for
 * example. {@link ProtocolUpgradeFilter#destroy()} calls it on every live upgrade, waits a bounded grace
 * period for the connections to close, then cancels whatever is still open.
 */
public interface ShutdownAware {

    /**
     * The application is stopping: say goodbye to the peer and let the job complete.
     *
     * @return a stage completing once the goodbye is under way (the bridge then waits, within the grace period, for
     *     the connection itself to close); when it fails, or this method throws, the bridge closes the connection at
     *     once. {@code null} counts as under way.
     */
    CompletionStage<?> applicationStopping();
}
