package io.upgradebridge.servlet.internal;

import io.upgradebridge.testsupport.ApplicationLoader;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A thread that a server's pool starts inside {@code execute()} called from an application's class: submitted directly,
 * it keeps the application's class loader (through the protection domain in its inherited access control context,
 * Java 17-23); submitted through {@link CleanSubmission}, it does not.
 */
class CleanSubmissionTest {

    /**
     * The calls the application's code uses (public: the application's copy of {@link Submitter} is in another runtime
     * package).
     */
    public static final class Calls {
        /** {@code Executor.execute(Runnable)}. */
        public static final MethodHandle EXECUTE;
        /** A clean submission made once, as the bridge keeps one (here: by this test's loader, the bridge's side). */
        public static final CleanSubmission KEPT;

        static {
            try {
                EXECUTE = MethodHandles.publicLookup().findVirtual(Executor.class, "execute",
                    MethodType.methodType(void.class, Runnable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
            KEPT = CleanSubmission.of(EXECUTE);
        }

        private Calls() {
        }
    }

    /** How the application's code submits. */
    public enum Way { DIRECT, KEPT }

    /** Stands for the application's code that submits: loaded by a loader of its own, the "application's". */
    public static final class Submitter implements BiConsumer<Executor, String> {
        @Override
        public void accept(Executor server, String way) {
            Runnable task = () -> { };
            // no switch on the enum: its synthetic class is package-private, out of reach from the application's copy
            if (way.equals(Way.KEPT.name())) {
                Calls.KEPT.run(server, task);
            } else {
                server.execute(task);
            }
        }
    }

    @Test
    void aThreadTheServerStartsForACleanSubmissionKeepsNoApplicationLoader() throws Exception {
        assumeTrue(Runtime.version().feature() < 24, "from Java 24 on a new thread keeps no access control context");
        assertFalse(loaderStaysAfterSubmitting(Way.KEPT), "the clean submission's thread keeps nothing of the application");
        assertEquals(true, loaderStaysAfterSubmitting(Way.DIRECT), "a direct submission's thread keeps the loader (the check can fail)");
    }

    /** A submission made once runs its call with each run's arguments, on any JDK, and passes on what the call throws. */
    @Test
    void aSubmissionMadeOnceRunsEachCallWithItsOwnArguments() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        Executor recording = command -> command.run();
        Calls.KEPT.run(recording, (Runnable) () -> seen.add("first"));
        Calls.KEPT.run(recording, (Runnable) () -> seen.add("second"));
        assertEquals(java.util.List.of("first", "second"), seen);
        IllegalStateException refused = new IllegalStateException("refused");
        Executor refusing = command -> {
            throw refused;
        };
        org.junit.jupiter.api.Assertions.assertSame(refused, org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> Calls.KEPT.run(refusing, (Runnable) () -> { })));
    }

    /** Whether the "application's" loader is still reachable, after GCs, while the server's new thread lives. */
    private static boolean loaderStaysAfterSubmitting(Way way) throws Exception {
        ThreadPoolExecutor server = new ThreadPoolExecutor(0, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>());
        try {
            WeakReference<ClassLoader> application = submitFromApplication(server, way);
            assertEquals(1, server.getPoolSize(), "the server started a thread for the task");
            return !ApplicationLoader.collected(application);
        } finally {
            server.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<ClassLoader> submitFromApplication(Executor server, Way way) throws Exception {
        ApplicationLoader loader = new ApplicationLoader(CleanSubmissionTest.class.getClassLoader());
        Class<?> submitter = loader.define(Submitter.class.getName());
        ((BiConsumer<Executor, String>) submitter.getDeclaredConstructor().newInstance()).accept(server, way.name());
        return new WeakReference<>(loader);
    }
}
