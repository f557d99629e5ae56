package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.internal.CompletableJob;
import io.upgradebridge.servlet.ShutdownAware;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;

/**
 * A session's {@link io.upgradebridge.io.Job}: the handler's lifetime, plus a clean goodbye (1001) when the
 * application stops. Cancelling it (terminate, undeploy) aborts the session: no close frame.
 */
final class SessionJob extends CompletableJob implements ShutdownAware {

    private final RawWebSocketSession session;

    SessionJob(RawWebSocketSession session) {
        this.session = session;
    }

    /** The handler exited and every frame it sent is in the output. */
    void completed() {
        finish(null);
    }

    @Override
    protected void cancelled(CancellationException cause) {
        session.abort(cause);
    }

    @Override
    public CompletionStage<?> applicationStopping() {
        return session.goingAway();
    }
}
