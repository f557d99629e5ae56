package io.upgradebridge.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Hands a request's connection over to an {@link UpgradedConnection}, the container's way. The status
 * and headers are already set on the response when {@link #start} is called.
 */
public interface UpgradeStarter {

    /**
     * Performs the hand-over. The connection opens (and {@code upgrade(...)} runs) once the container
     * has sent the response head, which may be after the filter chain returned.
     *
     * @throws Exception when the container refuses; nothing was sent yet and the response can be reset
     */
    void start(HttpServletRequest request, HttpServletResponse response, UpgradedConnection connection) throws Exception;

    /** What this starter is, for the start-up log line. */
    String describe();
}
