package io.upgradebridge.io.internal;

import io.upgradebridge.testsupport.TaskStack;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnRunThreadTest {

    private static final InheritableThreadLocal<String> STARTER_VALUE = new InheritableThreadLocal<>();

    /**
     * The body runs from the thread's own {@code run()}: the JDK's {@code Thread.run()}, compiled for the whole JVM,
     * never sees a class of the bridge's (or the JIT keeps the application's loader in other threads).
     */
    @Test
    void theBodyRunsFromTheThreadsOwnRunNotTheJdks() throws Exception {
        CompletableFuture<StackTraceElement[]> stack = new CompletableFuture<>();
        Thread thread = new OwnRunThread("own-run-test", () -> stack.complete(Thread.currentThread().getStackTrace()));
        thread.start();
        StackTraceElement[] frames = stack.get(5, TimeUnit.SECONDS);
        thread.join(5_000);
        StackTraceElement bottom = frames[frames.length - 1];
        assertEquals(OwnRunThread.class.getName() + ".run", bottom.getClassName() + "." + bottom.getMethodName(),
            () -> "the bottom frame: " + Arrays.toString(frames));
        assertEquals(List.of(), TaskStack.foreignCallers(frames), () -> "what called the body: " + Arrays.toString(frames));
    }

    /** A daemon with the bridge's loader as its context loader, and none of the starting thread's inheritable locals. */
    @Test
    void aDaemonWithTheBridgesLoaderAndNoInheritedLocals() throws Exception {
        ClassLoader starterLoader = new ClassLoader(null) { };
        Thread starter = Thread.currentThread();
        ClassLoader before = starter.getContextClassLoader();
        STARTER_VALUE.set("the starter's");
        starter.setContextClassLoader(starterLoader);
        try {
            CompletableFuture<Object[]> seen = new CompletableFuture<>();
            Thread thread = new OwnRunThread("own-run-test", () -> seen.complete(new Object[] {
                STARTER_VALUE.get(), Thread.currentThread().getContextClassLoader(), Thread.currentThread().isDaemon()}));
            thread.start();
            Object[] values = seen.get(5, TimeUnit.SECONDS);
            assertNull(values[0], "no inherited thread local");
            assertSame(OwnRunThread.class.getClassLoader(), values[1], "the bridge's loader, not the starter's");
            assertTrue((Boolean) values[2], "a daemon");
            assertEquals("own-run-test", thread.getName());
        } finally {
            starter.setContextClassLoader(before);
            STARTER_VALUE.remove();
        }
    }
}
