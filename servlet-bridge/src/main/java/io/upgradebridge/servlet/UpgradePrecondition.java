package io.upgradebridge.servlet;

import io.upgradebridge.content.OutgoingContent;

/**
 * Implemented by a {@link OutgoingContent.ProtocolUpgrade} that must check the request before the
 * connection is upgraded (a WebSocket handshake, for example). {@link ApplicationCall#respond} asks it
 * first; when it returns an answer, that answer is sent as an ordinary response instead of upgrading.
 */
public interface UpgradePrecondition {

    /**
     * @return {@code null} when the request may be upgraded, otherwise the response to send instead (an
     *     error status with a one-line reason, for example)
     */
    OutgoingContent refusal(ApplicationCall call);
}
