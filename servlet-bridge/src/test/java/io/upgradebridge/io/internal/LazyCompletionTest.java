package io.upgradebridge.io.internal;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LazyCompletionTest {

    private volatile CompletableFuture<Void> event;

    private static final VarHandle EVENT;

    static {
        try {
            EVENT = MethodHandles.lookup().findVarHandle(LazyCompletionTest.class, "event", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void nothingIsMadeUntilSomeoneAsks() {
        LazyCompletion.complete(EVENT, this);
        assertTrue(LazyCompletion.happened(EVENT, this));
        CompletableFuture<Void> late = LazyCompletion.future(EVENT, this);
        assertTrue(late.isDone(), "asked after the event: already complete");
        late.obtrudeException(new IllegalStateException("a caller may do what it likes with its copy"));
        assertTrue(!LazyCompletion.future(EVENT, this).isCompletedExceptionally(), "askers do not share a completed future");
    }

    @Test
    void askersBeforeTheEventShareOneFutureThatItCompletes() {
        CompletableFuture<Void> first = LazyCompletion.future(EVENT, this);
        CompletableFuture<Void> second = LazyCompletion.future(EVENT, this);
        assertSame(first, second);
        assertFalse(first.isDone());
        assertFalse(LazyCompletion.happened(EVENT, this));
        LazyCompletion.complete(EVENT, this);
        assertTrue(first.isDone());
        LazyCompletion.complete(EVENT, this); // twice: nothing more
        assertTrue(LazyCompletion.future(EVENT, this).isDone());
    }
}
