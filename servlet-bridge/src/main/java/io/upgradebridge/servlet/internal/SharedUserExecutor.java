package io.upgradebridge.servlet.internal;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The user executor over a bounded pool that also runs the bridge's engine work (Jetty's server pool, the
 * bridge's own pool on Java 17): every application task is handed to that pool, and runs there if fewer than
 * {@code limit} application tasks are running on it at that moment; otherwise it moves on at once to an overflow
 * executor (one that never makes a task wait). Short asynchronous callbacks therefore stay on the shared pool, as
 * cheap as engine work, and a burst of them only queues there; blocking handlers can hold at most {@code limit} of
 * its threads, so parsing, writing and the container itself always keep the rest.
 */
final class SharedUserExecutor implements Executor {

    private final Executor shared;
    private final int limit;
    private final Executor overflow;
    /** Application tasks running on {@link #shared} now. */
    private final AtomicInteger onShared = new AtomicInteger();

    SharedUserExecutor(Executor shared, int limit, Executor overflow) {
        this.shared = shared;
        this.limit = limit;
        this.overflow = overflow;
    }

    /**
     * A quarter of the pool's largest size, when the pool tells it (Jetty's {@code getMaxThreads()}, the bridge's own pool, a
     * {@link ThreadPoolExecutor}'s maximum), else 0: every application task then runs on the overflow executor.
     */
    static int quarterOf(Executor pool) {
        int max = -1;
        if (pool instanceof ExecutorChoice.OwnPool) {
            max = ((ExecutorChoice.OwnPool) pool).maxThreads();
        } else if (pool instanceof ThreadPoolExecutor) {
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
        if (limit <= 0) {
            overflow.execute(task);
            return;
        }
        try {
            shared.execute(() -> runOrMove(task));
        } catch (RejectedExecutionException e) {
            overflow.execute(task); // the shared pool is stopping or full: the overflow executor takes it
        }
    }

    private void runOrMove(Runnable task) {
        // race: two tasks starting at limit - 1 both count themselves; the one that makes it limit + 1 moves on
        if (onShared.incrementAndGet() > limit) {
            onShared.decrementAndGet();
            overflow.execute(task);
            return;
        }
        try {
            task.run();
        } finally {
            onShared.decrementAndGet();
        }
    }

    /** Application tasks running on the shared pool now. */
    int onShared() {
        return onShared.get();
    }

    @Override
    public String toString() {
        return "SharedUserExecutor{onShared=" + onShared.get() + "/" + limit + ", shared=" + shared + ", overflow=" + overflow + '}';
    }
}
