package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ShutdownAware;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A session's {@link Job}: the handler's lifetime, plus a clean goodbye (1001) when the application stops. */
final class SessionJob implements Job, ShutdownAware {

    private final Job delegate;
    private final Supplier<CompletionStage<?>> goingAway;

    SessionJob(Job delegate, Supplier<CompletionStage<?>> goingAway) {
        this.delegate = delegate;
        this.goingAway = goingAway;
    }

    @Override
    public CompletionStage<?> applicationStopping() {
        return goingAway.get();
    }

    @Override
    public CompletionStage<Void> completion() {
        return delegate.completion();
    }

    @Override
    public boolean cancel() {
        return delegate.cancel();
    }

    @Override
    public void join() {
        delegate.join();
    }

    @Override
    public boolean isActive() {
        return delegate.isActive();
    }

    @Override
    public boolean isCompleted() {
        return delegate.isCompleted();
    }

    @Override
    public boolean isCancelled() {
        return delegate.isCancelled();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
