package io.upgradebridge.io;

import java.io.IOException;

/** Thrown by writes to a {@link ByteWriteChannel} that was closed, or cancelled by its reader. */
public class ClosedWriteChannelException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClosedWriteChannelException(String message, Throwable cause) {
        super(cause == null ? message : message + " (" + cause + ")", cause);
    }
}
