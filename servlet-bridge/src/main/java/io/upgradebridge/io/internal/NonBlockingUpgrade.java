package io.upgradebridge.io.internal;

/**
 * Marks a {@code ProtocolUpgrade} of the bridge's own whose {@code upgrade(...)} neither blocks nor runs application
 * code: it only sets a session up and hands the application's handler to the user executor. The connection then runs
 * it on the thread that took the connection over (a container's), instead of handing it to the engine executor first:
 * one thread hop less per upgrade. Any other upgrade, an application's, still starts on the engine executor.
 */
public interface NonBlockingUpgrade {
}
