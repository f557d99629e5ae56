package io.upgradebridge.io.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What went wrong, without the wrappers that futures put around it. */
public final class Failures {

    private Failures() {
    }

    /** {@code failure} without its {@link CompletionException}/{@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Whether {@code failure} is how a connection that went away shows up in the code that used it: an I/O error
     * (a reset, a broken pipe, an end of input, a closed channel: every {@link java.io.IOException}) or a cancelled
     * operation, as the failure itself or anywhere among its causes. Together with the fact that the connection was
     * in fact lost, it tells a peer that left (normal traffic) from code that really failed.
     */
    public static boolean isConnectionLoss(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof java.io.IOException || t instanceof java.util.concurrent.CancellationException) {
                return true;
            }
        }
        return false;
    }
}
