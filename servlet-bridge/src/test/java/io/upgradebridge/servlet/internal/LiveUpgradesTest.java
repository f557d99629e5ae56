package io.upgradebridge.servlet.internal;

import io.upgradebridge.testsupport.TaskStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linger timer of {@link LiveUpgrades}: the bridge's own loop, on the bridge's thread, gone with the filter. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LiveUpgradesTest {

    /**
     * A lingering close runs on {@value LiveUpgrades#LINGER_TIMER} with only the bridge's frames below it: no JDK pool
     * code may call the bridge's classes, or the JIT pins the web application's loader (see {@link TaskStack}).
     */
    @Test
    void aLingeringCloseRunsOnTheBridgesOwnLoop() throws Exception {
        LiveUpgrades live = new LiveUpgrades();
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
        assertTrue(live.closeLater(() -> {
            thread.complete(Thread.currentThread());
            stack.complete(Thread.currentThread().getStackTrace());
        }, 1));
        StackTraceElement[] frames = stack.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), TaskStack.foreignCallers(frames), "what called the close: " + Arrays.toString(frames));
        Thread t = thread.get();
        assertEquals(LiveUpgrades.LINGER_TIMER, t.getName());
        assertTrue(t.isDaemon());
        assertEquals(LiveUpgrades.class.getClassLoader(), t.getContextClassLoader());

        assertTrue(live.closeLater(() -> { }, TimeUnit.HOURS.toMillis(1)), "a pending close does not keep the thread");
        live.shutDown("test over", 0);
        assertFalse(t.isAlive(), "shutDown() waited for the linger timer to end");
        assertFalse(live.closeLater(() -> { }, 1), "refused after shutDown: the caller closes at once");
    }
}
