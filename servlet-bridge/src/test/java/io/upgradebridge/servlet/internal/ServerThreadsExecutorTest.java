package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A server executor that starts a thread per task, as a managed executor's pool does when none is idle: the new thread
 * inherits the submitter's context class loader, which must not be the application's.
 */
class ServerThreadsExecutorTest {

    /** Starts a thread for every task from the submitting thread, and remembers the last one. */
    private static final class ThreadPerTask implements Executor {
        final AtomicReference<Thread> started = new AtomicReference<>();

        @Override
        public void execute(Runnable task) {
            Thread thread = new Thread(task, "server-pool-thread");
            started.set(thread);
            thread.start();
        }
    }

    @Test
    void theThreadsTheServerStartsDoNotInheritTheApplicationsLoaderButTheTaskRunsWithIt() throws Exception {
        ClassLoader application = new URLClassLoader("application", new URL[0], getClass().getClassLoader());
        ThreadPerTask server = new ThreadPerTask();
        ExecutorChoice.Sources sources = new ExecutorChoice.Sources() {
            @Override
            public Object jndi(String name) {
                return ExecutorChoice.DEFAULT_MANAGED_EXECUTOR.equals(name) ? server : null;
            }

            @Override
            public Object contextAttribute(String name) {
                return null;
            }

            @Override
            public int javaFeatureVersion() {
                return 17;
            }
        };
        Executor executor = ExecutorChoice.choose(null, sources, "t-", application).engine();
        Thread submitter = Thread.currentThread();
        ClassLoader before = submitter.getContextClassLoader();
        submitter.setContextClassLoader(application); // a container thread inside the application
        CompletableFuture<ClassLoader> seen = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                seen.complete(Thread.currentThread().getContextClassLoader());
                Thread.currentThread().setContextClassLoader(null); // what a task leaves behind is put back
            });
            assertSame(application, submitter.getContextClassLoader(), "the submitter's loader is put back");
        } finally {
            submitter.setContextClassLoader(before);
        }
        assertSame(application, seen.get(5, TimeUnit.SECONDS), "the task runs with the application's loader");
        Thread started = server.started.get();
        started.join(5_000);
        assertNotSame(application, started.getContextClassLoader(), "the server's new thread does not keep the application's loader");
    }
}
