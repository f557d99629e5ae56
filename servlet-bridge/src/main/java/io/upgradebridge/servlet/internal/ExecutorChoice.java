package io.upgradebridge.servlet.internal;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        for (ExecutorService service : owned) {
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
                    for (Thread thread : ((OwnPool) service).threads) {
                        left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        if (left <= 0) {
                            break;
                        }
                        thread.join(left);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A pool of the bridge's own; it remembers its threads so that shutting down can wait for each. Its threads are
     * plain daemon threads with the application's class loader, or, given a server's managed thread factory, that
     * factory's threads (which carry the application's context themselves).
     */
    static final class OwnPool extends ThreadPoolExecutor {
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /**
         * A pool of up to {@code max} threads that hands a task to an idle thread when there is one. When there is
         * none it starts a thread while it has fewer than {@link #FREE_THREADS}; past those it queues the task, and
         * a {@link StarvationWatch} adds threads when queued tasks starve behind busy ones (every thread blocked for
         * a tick, or the queue not empty for long). (A {@link ThreadPoolExecutor} with {@code max} core threads would
         * start a thread for each of its first {@code max} tasks, idle ones beside it or not; one that starts a
         * thread whenever none is free grew to 186 threads in a burst of a thousand handshakes on 2 cores: either
         * way a pool of some 200 threads for sessions that then sit idle.)
         */
        static OwnPool elastic(String threadNamePrefix, int max, ThreadFactory managed) {
            return new OwnPool(threadNamePrefix, max, managed);
        }

        /** Threads an elastic pool starts whenever none is free; past them only its {@link StarvationWatch} adds any. */
        static final int FREE_THREADS = Math.max(4, Runtime.getRuntime().availableProcessors());

        /**
         * The pool's threads, counted without its lock ({@code getPoolSize()} takes the pool's main lock, and every
         * task asked it up to three times): one more when the thread factory made a thread, one less when the thread
         * ends. It may count a thread that is ending a moment longer than the pool does (that thread looks for queued
         * tasks once more as it ends), and a thread that never started (the pool failed to start it: it is stopping).
         * Where only an exact zero will do, the pool's own count decides.
         */
        private final AtomicInteger liveThreads = new AtomicInteger();
        /** Tasks handed to the pool and not yet finished (queued or running); counted for {@link #startsThreadFor}. */
        private final AtomicInteger unfinished = new AtomicInteger();
        /** {@link #FREE_THREADS}, or the pool's maximum when that is lower. */
        private final int freeThreads;
        /** Threads the watch asked for that no task has taken yet (each task that takes one starts it). */
        private final AtomicInteger grantedThreads = new AtomicInteger();
        private final StarvationWatch watch = new StarvationWatch(new StarvationWatch.Pool() {
            @Override
            public int waiting() {
                return getQueue().size();
            }

            @Override
            public Object head() {
                return getQueue().peek();
            }

            @Override
            public long finished() {
                return getCompletedTaskCount();
            }

            @Override
            public boolean anyRunnable() {
                Thread self = Thread.currentThread();
                for (Thread thread : threads) {
                    Thread.State state = thread.getState();
                    // BLOCKED: waiting for a monitor another thread holds (the container's socket lock, a descheduled
                    // worker holding it): it goes on once that thread gets a core, more threads would not help
                    if (thread != self && (state == Thread.State.RUNNABLE || state == Thread.State.BLOCKED)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public void addThreads(int wanted) {
                OwnPool.this.addThreads(wanted);
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
        private final String threadNamePrefix;

        /**
         * Starts up to {@code wanted} threads (fewer at the maximum): each is granted, then a task of nothing takes the
         * grant, and the pool starts a thread for it that goes on to the queued tasks.
         */
        private void addThreads(int wanted) {
            int room = getMaximumPoolSize() - liveThreads.get();
            for (int i = 0; i < Math.min(wanted, room) && !isShutdown(); i++) {
                grantedThreads.incrementAndGet();
                try {
                    execute(() -> { });
                } catch (RejectedExecutionException stopping) {
                    break;
                }
            }
            grantedThreads.set(0); // a grant the queue did not use (a thread had come free) is not kept for later
        }

        /** Takes one thread granted by the watch, if there is one. */
        private boolean takeGrantedThread() {
            // race: two submitters take the last grant at once; the one that makes it negative gives it back
            if (grantedThreads.get() <= 0) {
                return false;
            }
            if (grantedThreads.decrementAndGet() < 0) {
                grantedThreads.incrementAndGet();
                return false;
            }
            return true;
        }

        @Override
        public void execute(Runnable task) {
            // what the JDK's pool code handles is of a JDK class (see startsThreadFor)
            java.util.Objects.requireNonNull(task, "task");
            Runnable queued = new FutureTask<Void>(reportingFailures(task), null);
            unfinished.incrementAndGet();
            try {
                if (startsThreadFor()) {
                    super.execute(queued); // fewer threads than its core size (its maximum): the pool starts one for it
                    refuseIfNoThread(queued);
                } else {
                    queue(queued);
                }
            } catch (RuntimeException e) {
                unfinished.decrementAndGet();
                throw e;
            }
        }

        /**
         * {@code task}, reporting what it throws to its thread's uncaught-exception handler, as a pool thread that died
         * of it would (the {@link FutureTask} around it would keep it to itself); the thread goes on.
         */
        private static Runnable reportingFailures(Runnable task) {
            return () -> {
                try {
                    task.run();
                } catch (Throwable failure) {
                    Thread current = Thread.currentThread();
                    current.getUncaughtExceptionHandler().uncaughtException(current, failure);
                }
            };
        }

        /**
         * The pool's rule for a task just counted in {@link #unfinished}: whether a
         * thread starts for it. It waits in the queue when the pool has a thread for it (fewer unfinished tasks than
         * threads: one is idle or about to be) or has all its threads. Otherwise a thread starts for it, while the pool
         * has fewer than its free threads or its watch granted one (the rule of Tomcat's own worker queue up to there;
         * a hand-off that starts a thread whenever none is waiting at that very moment grew the pool to its maximum
         * under load and halved the echo's throughput). Past them it waits in the queue, and the pool's {@link
         * StarvationWatch} looks after it.
         *
         * <p>The rule is here, the queue a plain {@link LinkedBlockingQueue} and each task in it a {@link FutureTask},
         * on purpose: the JDK's classes, not the application's. The pool's threads run the JDK's {@code
         * ThreadPoolExecutor.getTask}, as do the server's own JDK pools (Tomcat's {@code Catalina-utility} threads),
         * and the JIT compiles it for the queue classes and task classes it sees most, with a check of each such class
         * in the compiled code. Classes of the application's there (a {@code LinkedBlockingQueue} subclass that refused
         * tasks, and the bridge's own tasks, before) stayed in it: the server's threads then parked in that compiled
         * code, and compiled code on a thread's stack keeps the classes it names, so the application's class loader
         * stayed after undeploy until other classes made the JIT compile {@code getTask} again (RedeployTest on Tomcat
         * 11: 1 of 10 loaders kept, in heap dumps that show no path to it from a GC root, since a heap dump does not
         * list compiled code as a root).
         */
        private boolean startsThreadFor() {
            // threads first: a thread counted here has its task counted below. Race, read the other way round: threads
            // started meanwhile for tasks counted after this one made a pool whose threads are all busy look free
            int threads = liveThreads.get();
            if (threads >= getMaximumPoolSize() || unfinished.get() <= threads) {
                return false;
            }
            if (threads < freeThreads || takeGrantedThread()) {
                return true;
            }
            watch.taskQueued();
            return false;
        }

        /** Puts {@code task} in line, with the checks the pool makes after it queued a task itself. */
        private void queue(Runnable task) {
            if (isShutdown()) {
                throw new RejectedExecutionException("the bridge's pool is shut down");
            }
            getQueue().offer(task); // unbounded: always taken
            if (isShutdown() && getQueue().remove(task)) {
                throw new RejectedExecutionException("the bridge's pool is shut down");
            }
            if (liveThreads.get() == 0 && getPoolSize() == 0) {
                prestartCoreThread(); // race: the last thread ended (idle) as the task came
            }
            refuseIfNoThread(task);
        }

        /**
         * With no thread at all (the server's thread factory refuses new threads: it is stopping) nothing would ever
         * take a queued task: it is refused.
         */
        private void refuseIfNoThread(Runnable task) {
            if (liveThreads.get() == 0 && getPoolSize() == 0 && getQueue().remove(task)) {
                throw new RejectedExecutionException("the bridge's pool could not start a thread");
            }
        }

        @Override
        protected void afterExecute(Runnable task, Throwable failure) {
            unfinished.decrementAndGet();
        }

        /**
         * A thread of the pool ended (idle too long). Race: a task queued a moment before, counting this thread as
         * free, would wait behind threads that may all block for long (application code): a task of nothing starts
         * another thread where none is free, which then takes the queued one.
         */
        private void noThreadLeftBehindQueue() {
            if (!isShutdown() && !getQueue().isEmpty()) {
                try {
                    execute(() -> { });
                } catch (RejectedExecutionException stopping) {
                    // shutting down: nothing is taken any more anyway
                }
            }
        }

        private OwnPool(String threadNamePrefix, int max, ThreadFactory managed) {
            // a JDK queue, not one of the application's classes: see startsThreadFor
            super(max, max, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (task, executor) -> {
                throw new RejectedExecutionException("the bridge's pool is shut down");
            });
            this.threadNamePrefix = threadNamePrefix;
            this.freeThreads = Math.min(max, FREE_THREADS);
            AtomicInteger counter = new AtomicInteger();
            setThreadFactory(task -> {
                Thread thread = trackedThread(threadNamePrefix + counter.incrementAndGet(), () -> {
                    try {
                        task.run();
                    } finally {
                        liveThreads.decrementAndGet();
                        noThreadLeftBehindQueue();
                    }
                }, managed);
                if (thread != null) {
                    liveThreads.incrementAndGet();
                }
                return thread; // null: the server refuses new threads (it is stopping), the pool rejects the task
            });
            allowCoreThreadTimeOut(true);
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
                thread = new Thread(tracked, name);
                thread.setDaemon(true);
                thread.setContextClassLoader(ExecutorChoice.class.getClassLoader());
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
