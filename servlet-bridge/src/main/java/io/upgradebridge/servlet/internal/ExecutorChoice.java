package io.upgradebridge.servlet.internal;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Picks the two executors of every upgrade: {@code engineContext}, which runs the bridge's own short,
 * non-blocking work (parsing, write loops, starting a session), and {@code userContext}, which runs
 * application code that may block.
 *
 * <p>The engine executor is the first of: an executor named by configuration (a JNDI name starting with
 * {@code java:}, or a servlet-context attribute), the server's managed threads (below), JNDI
 * {@code java:comp/DefaultManagedExecutorService}, Jetty's {@code org.eclipse.jetty.server.Executor} context
 * attribute, virtual threads (Java 21+), and last a bounded pool the bridge owns.
 *
 * <p>On a Jakarta EE server the bridge does not hand its sessions to the default managed executor, whose size it
 * cannot know and which may be tiny: Payara Micro's runs one task at a time (core size 0, an unbounded queue), so
 * blocking handlers, or a thousand sessions' engine work, would wait behind each other. It takes threads from the
 * server's {@code java:comp/DefaultManagedThreadFactory} instead, as the Jakarta Concurrency specification intends
 * for pools an application sizes itself: application code runs on a pool of such threads that adds threads whenever
 * its threads block (each has the application's naming context and class loader, as a managed executor's task would);
 * engine work, which needs no server context, runs on virtual threads (Java 21+) or on a bounded pool of such
 * threads. Only a server without a managed thread factory gets its managed executor used for both.
 *
 * <p>User code gets the same executor, except where that is a bounded pool that blocking handlers could
 * fill: Jetty's server pool and the bridge's bounded pool. With every thread of such a pool waiting in a
 * blocking handler, nothing would be left to parse the frames or complete the sends those handlers wait
 * for, and every connection would hang (and on Jetty, the server with them). There, user code may take up
 * to a quarter of the pool's threads (short asynchronous callbacks stay as cheap as engine work); past that
 * it runs on virtual threads (Java 21+) or on a pool of the bridge's that adds threads whenever its threads block
 * ({@link SharedUserExecutor}, {@link StarvationWatch}).
 *
 * @param engine the executor for the bridge's non-blocking work
 * @param user the executor for application code, which may block
 * @param description what was chosen and why, for the start-up log line
 * @param owned the executors the bridge created and must shut down (empty when it borrowed both)
 */
public record ExecutorChoice(Executor engine, Executor user, String description, List<ExecutorService> owned) {

    /** The managed thread factory every Jakarta EE server provides. */
    public static final String DEFAULT_MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";
    /** The managed executor every Jakarta EE server provides. */
    public static final String DEFAULT_MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    /** Context attribute under which Jetty publishes its server thread pool. */
    public static final String JETTY_EXECUTOR_ATTRIBUTE = "org.eclipse.jetty.server.Executor";
    /** Threads of the bounded pool the bridge owns for its engine work when nothing better is there. */
    public static final int OWN_POOL_THREADS = 200;
    /** Idle threads of the bridge's own pools end after this many seconds. */
    static final long IDLE_SECONDS = 30;

    public ExecutorChoice {
        owned = List.copyOf(owned);
    }

    /** Where the choice looks things up; a seam for tests. */
    public interface Sources {
        /** JNDI lookup; returns {@code null} when the name is not bound or there is no JNDI at all. */
        Object jndi(String name);

        /** A servlet-context attribute, or {@code null}. */
        Object contextAttribute(String name);

        /** The runtime's feature version ({@code Runtime.version().feature()}). */
        int javaFeatureVersion();
    }

    /**
     * Makes the choice.
     *
     * @param configured the configured name, or {@code null}
     * @param sources where to look
     * @param threadNamePrefix names the threads of a pool the bridge creates
     * @throws IllegalArgumentException when a configured name does not resolve to an {@link Executor}
     */
    public static ExecutorChoice choose(String configured, Sources sources, String threadNamePrefix) {
        return choose(configured, sources, threadNamePrefix, null);
    }

    /**
     * Makes the choice; an executor found in JNDI (the server's) is given tasks through a {@link ServerThreadsExecutor},
     * so that the threads it starts do not keep {@code application} after undeploy.
     *
     * @param application the web application's class loader, or {@code null} to hand tasks to a JNDI executor as they are
     */
    public static ExecutorChoice choose(String configured, Sources sources, String threadNamePrefix, ClassLoader application) {
        if (configured != null && !configured.isBlank()) {
            String name = configured.trim();
            Object found = name.startsWith("java:") ? sources.jndi(name) : sources.contextAttribute(name);
            if (!(found instanceof Executor)) {
                throw new IllegalArgumentException("the configured executor '" + name + "' "
                    + (found == null ? "was not found" : "is a " + found.getClass().getName() + ", not a java.util.concurrent.Executor")
                    + (name.startsWith("java:") ? " in JNDI" : " among the servlet-context attributes")
                    + "; fix the io.upgradebridge.executor parameter or remove it");
            }
            Executor executor = name.startsWith("java:") ? fromServer((Executor) found, application) : (Executor) found;
            return borrowed(executor, "the configured executor '" + name + "' (" + found.getClass().getName() + ")");
        }
        int java = sources.javaFeatureVersion();
        Object managedThreads = sources.jndi(DEFAULT_MANAGED_THREAD_FACTORY);
        if (managedThreads instanceof ThreadFactory) {
            ThreadFactory factory = (ThreadFactory) managedThreads;
            ExecutorService user = OwnPool.elastic(threadNamePrefix + "user-", Integer.MAX_VALUE, factory);
            ExecutorService virtual = java >= 21 ? newVirtualThreadExecutor() : null;
            ExecutorService engine = virtual != null ? virtual : OwnPool.elastic(threadNamePrefix, OWN_POOL_THREADS, factory);
            return new ExecutorChoice(engine, user, "the server's managed threads (" + DEFAULT_MANAGED_THREAD_FACTORY
                + "): application code on a pool of them that grows whenever its threads block, engine work on "
                + (virtual != null ? "virtual threads (Java " + java + ")" : "a pool of up to " + OWN_POOL_THREADS + " of them")
                + " (name an executor with io.upgradebridge.executor to use another)", List.of(engine, user));
        }
        Object managed = sources.jndi(DEFAULT_MANAGED_EXECUTOR);
        if (managed instanceof Executor) {
            return borrowed(fromServer((Executor) managed, application), "the server's managed executor " + DEFAULT_MANAGED_EXECUTOR);
        }
        Object jetty = sources.contextAttribute(JETTY_EXECUTOR_ATTRIBUTE);
        ExecutorService virtual = java >= 21 ? newVirtualThreadExecutor() : null;
        if (jetty instanceof Executor) {
            ExecutorService overflow = virtual != null ? virtual : newGrowingPool(threadNamePrefix + "user-");
            return shared((Executor) jetty, overflow, "Jetty's server thread pool (context attribute " + JETTY_EXECUTOR_ATTRIBUTE
                + ")", java, List.of(overflow));
        }
        if (virtual != null) {
            return new ExecutorChoice(virtual, virtual, "virtual threads (Java " + java + ")", List.of(virtual));
        }
        ExecutorService engine = newBoundedPool(threadNamePrefix);
        ExecutorService overflow = newGrowingPool(threadNamePrefix + "user-");
        return shared(engine, overflow, "the bridge's own pool of up to " + OWN_POOL_THREADS + " threads (Java " + java
            + "; name an executor with io.upgradebridge.executor to use another)", java, List.of(engine, overflow));
    }

    /** Engine work on {@code pool}; application code on it up to a quarter of its threads, past that on {@code overflow}. */
    private static ExecutorChoice shared(Executor pool, ExecutorService overflow, String poolDescription, int java,
                                         List<ExecutorService> owned) {
        int limit = SharedUserExecutor.quarterOf(pool);
        String overflowDescription = overflow instanceof OwnPool ? "a pool of the bridge's that grows whenever its threads block"
            : "virtual threads (Java " + java + ")";
        return new ExecutorChoice(pool, new SharedUserExecutor(pool, limit, overflow), poolDescription
            + "; application code takes at most " + limit + " of its threads at once, more of it runs on " + overflowDescription, owned);
    }

    private static Executor fromServer(Executor executor, ClassLoader application) {
        return application == null ? executor : new ServerThreadsExecutor(executor, application);
    }

    private static ExecutorChoice borrowed(Executor executor, String description) {
        return new ExecutorChoice(executor, executor, description + ", for engine work and application code", List.of());
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} when this runtime has it, else {@code null}. */
    static ExecutorService newVirtualThreadExecutor() {
        try {
            Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) factory.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The bounded pool for engine work: {@value #OWN_POOL_THREADS} threads at most, further tasks wait in line. It is
     * {@linkplain OwnPool#elastic elastic}: a few threads for short work, more only while tasks starve behind blocked ones.
     */
    static ExecutorService newBoundedPool(String threadNamePrefix) {
        return OwnPool.elastic(threadNamePrefix, OWN_POOL_THREADS, null);
    }

    /**
     * The pool for application code on Java 17-20: a task never waits long behind blocked ones, the pool's
     * {@link StarvationWatch} starts threads for them (so a blocking handler per session costs a thread per session,
     * as blocking I/O does), while short callbacks share a few threads.
     */
    static ExecutorService newGrowingPool(String threadNamePrefix) {
        return OwnPool.elastic(threadNamePrefix, Integer.MAX_VALUE, null);
    }

    /**
     * Shuts down the owned executors and waits (bounded) until their threads are gone: not just until a
     * pool says it terminated, since a worker may still be exiting then, and a container that checks for
     * leaked threads right after undeploy would report it.
     */
    public void shutdown(long timeoutMillis) {
        // a pool forgets a thread as its last act, a moment before the thread has ended: join the threads it had before
        // shutting down too, not only those it still lists afterwards
        java.util.Set<Thread> threads = new java.util.LinkedHashSet<>();
        for (ExecutorService service : owned) {
            if (service instanceof OwnPool) {
                threads.addAll(((OwnPool) service).threads);
            }
            service.shutdownNow();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            for (ExecutorService service : owned) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    service.awaitTermination(left, TimeUnit.MILLISECONDS);
                }
                if (service instanceof OwnPool) {
                    threads.addAll(((OwnPool) service).threads);
                }
            }
            for (Thread thread : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                thread.join(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A pool of the bridge's own; it remembers its threads so that shutting down can wait for each. Its threads are
     * plain daemon threads with the application's class loader, or, given a server's managed thread factory, that
     * factory's threads (which carry the application's context themselves).
     *
     * <p>Its threads run tasks in a loop of the bridge's own ({@link #work}), not in the JDK's pool code: the JIT
     * compiles {@code ThreadPoolExecutor.runWorker} once for every pool of the JVM, with the task classes it saw most
     * inlined behind checks of their class, and a long-lived thread of another pool (Tomcat's {@code Catalina-utility},
     * an HTTP client's cached pool) that then waits inside that compiled code keeps those classes, and with them the
     * application's class loader after undeploy, for as long as it lives. A heap dump shows no path to such a loader.
     * Measured outside any container (a class loader per round, 200,000 of its tasks per round): through a
     * {@code ThreadPoolExecutor}, tasks wrapped in {@code FutureTask} or not, or a {@code ScheduledThreadPoolExecutor},
     * 1 or 2 of 9 loaders kept in every run on Java 17 and 25; run by the loader's own thread in its own loop, none.
     * The queue is a {@link LinkedBlockingQueue}, whose code never calls the tasks it holds.
     */
    static final class OwnPool extends AbstractExecutorService {
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** Transitions by CAS only: RUNNING -> SHUTDOWN -> STOP, or RUNNING -> STOP. */
        private enum RunState { RUNNING, SHUTDOWN, STOP }

        /**
         * A pool of up to {@code max} threads that hands a task to an idle thread when there is one. When there is
         * none it starts a thread while it has fewer than {@link #FREE_THREADS}; past those it queues the task, and
         * a {@link StarvationWatch} adds threads when queued tasks starve behind busy ones. (A pool that starts a
         * thread for each of its first {@code max} tasks, idle ones beside it or not, or one that starts a thread
         * whenever none is free (186 threads in a burst of a thousand handshakes on 2 cores) would hold some 200
         * threads for sessions that then sit idle.)
         */
        static OwnPool elastic(String threadNamePrefix, int max, ThreadFactory managed) {
            return new OwnPool(threadNamePrefix, max, managed);
        }

        /** Threads an elastic pool starts whenever none is free; past them only its {@link StarvationWatch} adds any. */
        static final int FREE_THREADS = Math.max(4, Runtime.getRuntime().availableProcessors());

        private final String threadNamePrefix;
        private final int max;
        /** {@link #FREE_THREADS}, or the pool's maximum when that is lower. */
        private final int freeThreads;
        private final ThreadFactory managed;
        private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        private final AtomicReference<RunState> state = new AtomicReference<>(RunState.RUNNING);
        private final CountDownLatch terminated = new CountDownLatch(1);
        /** The pool's threads: one more before a thread is made, one less when it ends (or could not be made). */
        private final AtomicInteger liveThreads = new AtomicInteger();
        private final AtomicInteger largestThreads = new AtomicInteger();
        /** Threads waiting for a task, which {@link #shutdown} wakes so that they end. */
        private final java.util.Set<Thread> idle = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** Tasks handed to the pool and not yet finished (queued or running). */
        private final AtomicInteger unfinished = new AtomicInteger();
        private final AtomicLong completed = new AtomicLong();
        private final AtomicInteger threadNumber = new AtomicInteger();
        private volatile long keepAliveNanos = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
        private final StarvationWatch watch = new StarvationWatch(new StarvationWatch.Pool() {
            @Override
            public int waiting() {
                return queue.size();
            }

            @Override
            public Object head() {
                return queue.peek();
            }

            @Override
            public long finished() {
                return completed.get();
            }

            @Override
            public boolean anyRunnable() {
                Thread self = Thread.currentThread();
                for (Thread thread : threads) {
                    Thread.State threadState = thread.getState();
                    // BLOCKED: waiting for a monitor another thread holds (the container's socket lock, a descheduled
                    // worker holding it): it goes on once that thread gets a core, more threads would not help
                    if (thread != self && (threadState == Thread.State.RUNNABLE || threadState == Thread.State.BLOCKED)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public void addThreads(int wanted) {
                for (int i = 0; i < wanted && !isShutdown(); i++) {
                    if (!startThread()) {
                        return; // at the maximum, or no thread to be had
                    }
                }
            }

            @Override
            public boolean stopped() {
                return isShutdown();
            }

            @Override
            public Thread newThread(Runnable watch) {
                return trackedThread(threadNamePrefix + "watch", watch, null);
            }
        });

        private OwnPool(String threadNamePrefix, int max, ThreadFactory managed) {
            this.threadNamePrefix = threadNamePrefix;
            this.max = max;
            this.freeThreads = Math.min(max, FREE_THREADS);
            this.managed = managed;
        }

        @Override
        public void execute(Runnable task) {
            java.util.Objects.requireNonNull(task, "task");
            if (state.get() != RunState.RUNNING) {
                throw new RejectedExecutionException("the bridge's pool is shut down");
            }
            unfinished.incrementAndGet();
            queue.offer(task); // unbounded: always taken
            if (state.get() != RunState.RUNNING && queue.remove(task)) { // race: shut down between the check and the offer
                unfinished.decrementAndGet();
                throw new RejectedExecutionException("the bridge's pool is shut down");
            }
            if (startsThreadFor()) {
                startThread();
            }
            if (liveThreads.get() == 0 && queue.remove(task)) { // no thread at all: the server refuses them (it is stopping)
                unfinished.decrementAndGet();
                throw new RejectedExecutionException("the bridge's pool could not start a thread");
            }
        }

        /**
         * The pool's rule for a task just queued and counted in {@link #unfinished}: whether a thread starts for it. It
         * waits for a thread when the pool has one for it (no more unfinished tasks than threads: one is idle or about
         * to be) or has all its threads. Otherwise a thread starts for it while the pool has fewer than its free
         * threads (the rule of Tomcat's own worker queue up to there; a hand-off that starts a thread whenever none is
         * waiting at that very moment grew the pool to its maximum under load and halved the echo's throughput). Past
         * them it waits, and the pool's {@link StarvationWatch} looks after it.
         */
        private boolean startsThreadFor() {
            // threads first: a thread counted here has its task counted below. Race, read the other way round: threads
            // started meanwhile for tasks counted after this one made a pool whose threads are all busy look free
            int threads = liveThreads.get();
            if (threads >= max || unfinished.get() <= threads) {
                return false;
            }
            if (threads < freeThreads) {
                return true;
            }
            watch.taskQueued();
            return false;
        }

        /** Starts a thread unless the pool has its maximum; false when it has, or no thread could be made. */
        private boolean startThread() {
            int count;
            do {
                count = liveThreads.get();
                if (count >= max) {
                    return false;
                }
            } while (!liveThreads.compareAndSet(count, count + 1)); // race: submitters and the watch start threads at once
            largestThreads.accumulateAndGet(count + 1, Math::max);
            Thread thread = null;
            try {
                thread = trackedThread(threadNamePrefix + threadNumber.incrementAndGet(), this::work, managed);
                if (thread != null) {
                    thread.start();
                    return true;
                }
            } catch (RuntimeException | Error noThread) { // a factory that failed, or no native thread to be had
                if (thread != null) {
                    threads.remove(thread);
                }
            }
            liveThreads.decrementAndGet(); // the caller decides what becomes of the tasks (execute() refuses its own)
            return false;
        }

        /** What each thread of the pool runs: queued tasks, until it was idle for its keep-alive time or the pool stops. */
        private void work() {
            Thread self = Thread.currentThread();
            try {
                while (true) {
                    RunState now = state.get();
                    if (now == RunState.STOP) {
                        return;
                    }
                    Runnable task;
                    idle.add(self);
                    try {
                        task = now == RunState.RUNNING ? queue.poll(keepAliveNanos, TimeUnit.NANOSECONDS) : queue.poll();
                    } catch (InterruptedException woken) {
                        continue; // shutdown() or a shorter keep-alive time: look at the state again
                    } finally {
                        idle.remove(self);
                    }
                    if (task == null) {
                        if (state.get() == RunState.RUNNING && !queue.isEmpty()) {
                            continue; // race: a task came as the wait timed out
                        }
                        return; // idle for the keep-alive time, or shut down with nothing left
                    }
                    // an interrupt of shutdown() meant for idle threads is not this task's; shutdownNow()'s is
                    Thread.interrupted();
                    if (state.get() == RunState.STOP) {
                        self.interrupt();
                    }
                    try {
                        task.run();
                    } catch (Throwable failure) {
                        self.getUncaughtExceptionHandler().uncaughtException(self, failure); // the thread goes on
                    } finally {
                        unfinished.decrementAndGet();
                        completed.incrementAndGet();
                    }
                }
            } finally {
                liveThreads.decrementAndGet();
                noThreadLeftBehindQueue();
                tryTerminate();
            }
        }

        /**
         * A thread of the pool ended (idle too long). Race: a task queued a moment before, counting this thread as
         * free, would wait behind threads that may all block for long (application code): a thread starts for it
         * where none is free.
         */
        private void noThreadLeftBehindQueue() {
            if (state.get() != RunState.STOP && !queue.isEmpty() && unfinished.get() > liveThreads.get()) {
                startThread();
            }
        }

        /** Ends the pool once it is shut down and its last thread ended (or none could start for what is queued). */
        private void tryTerminate() {
            RunState now = state.get();
            if (now == RunState.RUNNING || liveThreads.get() > 0) {
                return;
            }
            if (now == RunState.SHUTDOWN && !queue.isEmpty() && startThread()) {
                return; // race: the last thread ended as a task was queued before the shutdown
            }
            queue.clear();
            terminated.countDown();
        }

        @Override
        public void shutdown() {
            state.compareAndSet(RunState.RUNNING, RunState.SHUTDOWN); // race: shutdownNow() first leaves STOP as it is
            for (Thread thread : idle) {
                thread.interrupt();
            }
            tryTerminate();
        }

        @Override
        public List<Runnable> shutdownNow() {
            state.set(RunState.STOP);
            List<Runnable> dropped = new java.util.ArrayList<>();
            queue.drainTo(dropped);
            unfinished.addAndGet(-dropped.size());
            for (Thread thread : threads) {
                thread.interrupt();
            }
            tryTerminate();
            return dropped;
        }

        @Override
        public boolean isShutdown() {
            return state.get() != RunState.RUNNING;
        }

        @Override
        public boolean isTerminated() {
            return terminated.getCount() == 0;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return terminated.await(timeout, unit);
        }

        /** The most threads this pool has. */
        int maxThreads() {
            return max;
        }

        /** Its threads now. */
        int getPoolSize() {
            return liveThreads.get();
        }

        /** The most threads it had at once. */
        int getLargestPoolSize() {
            return largestThreads.get();
        }

        /** Tasks its threads finished. */
        long getCompletedTaskCount() {
            return completed.get();
        }

        /** How long a thread waits for a task before it ends ({@value #IDLE_SECONDS} s unless a test shortens it). */
        void setKeepAliveTime(long time, TimeUnit unit) {
            keepAliveNanos = unit.toNanos(time);
            for (Thread thread : idle) {
                thread.interrupt(); // each waits again, as long as now set
            }
        }

        /**
         * A thread that runs {@code body}, kept in {@link #threads} until it ends: one of {@code managed} (which carries
         * the application's context itself), or else a daemon thread with the bridge's class loader as its context
         * loader; {@code null} when {@code managed} makes none.
         */
        private Thread trackedThread(String name, Runnable body, ThreadFactory managed) {
            Runnable tracked = () -> {
                try {
                    body.run();
                } finally {
                    threads.remove(Thread.currentThread());
                }
            };
            Thread thread;
            if (managed != null) {
                thread = managed.newThread(tracked);
                if (thread == null) {
                    return null;
                }
                thread.setName(name);
            } else {
                thread = new io.upgradebridge.io.internal.OwnRunThread(name, tracked); // not through Thread.run (JIT pin)
            }
            threads.add(thread);
            return thread;
        }
    }

    /** Sources backed by real JNDI and a servlet context's attributes. */
    public static Sources sources(Function<String, Object> contextAttributes) {
        return new Sources() {
            @Override
            public Object jndi(String name) {
                try {
                    return new javax.naming.InitialContext().lookup(name);
                } catch (javax.naming.NamingException | RuntimeException | LinkageError e) {
                    return null;
                }
            }

            @Override
            public Object contextAttribute(String name) {
                return contextAttributes.apply(name);
            }

            @Override
            public int javaFeatureVersion() {
                return Runtime.version().feature();
            }
        };
    }
}
