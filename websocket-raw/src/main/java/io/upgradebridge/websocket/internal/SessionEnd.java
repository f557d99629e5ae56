package io.upgradebridge.websocket.internal;

import java.io.EOFException;
import java.util.concurrent.CancellationException;

/**
 * The exceptions that end a session's inbox in the ordinary course of things: the peer closed, the handler
 * exited, the application stops. Every session makes one or two of them, and their stack trace would only show
 * the bridge's own loop, so they carry none: filling one in costs more than the rest of a session's end.
 */
final class SessionEnd {

    private SessionEnd() {
    }

    static EOFException peerClosed(boolean afterCloseFrame) {
        return new PeerClosed(afterCloseFrame ? "the peer closed the connection after its close frame"
            : "the peer closed the connection without a close frame");
    }

    static CancellationException cancelled(String why) {
        return new Cancelled(why);
    }

    private static final class PeerClosed extends EOFException {
        private static final long serialVersionUID = 1L;

        PeerClosed(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final class Cancelled extends CancellationException {
        private static final long serialVersionUID = 1L;

        Cancelled(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
