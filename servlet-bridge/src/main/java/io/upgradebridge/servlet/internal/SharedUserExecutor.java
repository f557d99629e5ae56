package io.upgradebridge.servlet.internal;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The user executor over a bounded pool that also runs the bridge's engine work (Jetty's server pool, the
 * bridge's own pool on Java 17): application tasks run on that pool while fewer than {@code limit} of them are
 * queued or running there, and on an overflow executor (one that never makes a task wait) past that. Short
 * asynchronous callbacks therefore stay on the shared pool, as cheap as engine work; blocking handlers can hold
 * at most {@code limit} of its threads, so parsing, writing and the container itself always keep the rest.
 */
final class SharedUserExecutor implements Executor {

    private final Executor shared;
    private final int limit;
    private final Executor overflow;
    /** Application tasks handed to {@link #shared} and not finished yet (queued or running). */
    private final AtomicInteger onShared = new AtomicInteger();

    SharedUserExecutor(Executor shared, int limit, Executor overflow) {
        this.shared = shared;
        this.limit = limit;
        this.overflow = overflow;
    }

    /**
     * A quarter of the pool's largest size, when the pool tells it (Jetty's {@code getMaxThreads()}, a
     * {@link ThreadPoolExecutor}'s maximum), else 0: every application task then runs on the overflow executor.
     */
    static int quarterOf(Executor pool) {
        int max = -1;
        if (pool instanceof ThreadPoolExecutor) {
            max = ((ThreadPoolExecutor) pool).getMaximumPoolSize();
        } else {
            try {
                Method getMaxThreads = pool.getClass().getMethod("getMaxThreads");
                Object value = getMaxThreads.invoke(pool);
                if (value instanceof Integer) {
                    max = (Integer) value;
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                max = -1;
            }
        }
        return max <= 0 ? 0 : Math.max(1, max / 4);
    }

    @Override
    public void execute(Runnable task) {
        int n;
        do {
            n = onShared.get();
            if (n >= limit) {
                overflow.execute(task);
                return;
            }
        } while (!onShared.compareAndSet(n, n + 1)); // race: two submitters at limit - 1; one CAS wins, the other looks again
        try {
            shared.execute(() -> {
                try {
                    task.run();
                } finally {
                    onShared.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            onShared.decrementAndGet();
            overflow.execute(task); // the shared pool is stopping or full: the overflow executor takes it
        }
    }

    /** Application tasks on the shared pool now (queued or running). */
    int onShared() {
        return onShared.get();
    }

    @Override
    public String toString() {
        return "SharedUserExecutor{onShared=" + onShared.get() + "/" + limit + ", shared=" + shared + ", overflow=" + overflow + '}';
    }
}
