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
}
