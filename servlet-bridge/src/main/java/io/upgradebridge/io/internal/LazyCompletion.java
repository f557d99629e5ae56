package io.upgradebridge.io.internal;

import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * A "this has happened" future kept in a volatile field and made only when someone asks for it, so that a
 * long-lived object nobody asks keeps none: the field is {@code null} (not asked, not happened), the future
 * (asked, not happened yet) or {@link #HAPPENED}. Changed only by CAS / getAndSet through the field's
 * {@link VarHandle}.
 */
public final class LazyCompletion {

    /** In the field once the event happened; never handed out (it is shared). */
    private static final CompletableFuture<Void> HAPPENED = CompletableFuture.completedFuture(null);

    private LazyCompletion() {
    }

    /** The future of the event: completed when it has happened, else the one that {@link #complete} completes. */
    @SuppressWarnings("unchecked")
    public static CompletableFuture<Void> future(VarHandle field, Object owner) {
        CompletableFuture<Void> now = (CompletableFuture<Void>) field.getVolatile(owner);
        if (now == null) {
            CompletableFuture<Void> made = new CompletableFuture<>();
            // race: the event may happen, or another asker come, between the read and the CAS; the witness says which
            now = (CompletableFuture<Void>) field.compareAndExchange(owner, null, made);
            if (now == null) {
                return made;
            }
        }
        return now == HAPPENED ? CompletableFuture.completedFuture(null) : now;
    }

    /** The event happened: completes the future if someone asked for it; later askers get a completed one. */
    @SuppressWarnings("unchecked")
    public static void complete(VarHandle field, Object owner) {
        CompletableFuture<Void> asked = (CompletableFuture<Void>) field.getAndSet(owner, HAPPENED);
        if (asked != null && asked != HAPPENED) {
            asked.complete(null);
        }
    }

    /** Whether the event happened. */
    public static boolean happened(VarHandle field, Object owner) {
        return field.getVolatile(owner) == HAPPENED;
    }
}
