package io.upgradebridge.websocket;

import java.io.IOException;

/** No frame will come any more; the cause says why (peer closed, reset, protocol error, session ended). */
public class ClosedReceiveException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClosedReceiveException(String message, Throwable cause) {
        super(cause == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
