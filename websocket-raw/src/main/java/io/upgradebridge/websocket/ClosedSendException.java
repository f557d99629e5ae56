package io.upgradebridge.websocket;

import java.io.IOException;

/** A frame was sent after the session ended; the cause says how it ended. */
public class ClosedSendException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClosedSendException(String message, Throwable cause) {
        super(cause == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
