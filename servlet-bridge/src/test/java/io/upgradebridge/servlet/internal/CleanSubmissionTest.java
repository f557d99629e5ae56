package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
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

    /** Stands for the application's code that submits: loaded by a loader of its own, the "application's". */
    public static final class Submitter implements BiConsumer<Executor, Boolean> {
        @Override
        public void accept(Executor server, Boolean clean) {
            Runnable task = () -> { };
            if (!clean) {
                server.execute(task);
                return;
            }
            try {
                CleanSubmission.run(MethodHandles.publicLookup()
                    .findVirtual(Executor.class, "execute", MethodType.methodType(void.class, Runnable.class))
                    .bindTo(server).bindTo(task));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aThreadTheServerStartsForACleanSubmissionKeepsNoApplicationLoader() throws Exception {
        assumeTrue(Runtime.version().feature() < 24, "from Java 24 on a new thread keeps no access control context");
        assertFalse(loaderStaysAfterSubmitting(true), "the clean submission's thread keeps nothing of the application");
        assertEquals(true, loaderStaysAfterSubmitting(false), "a direct submission's thread keeps the loader (the check can fail)");
    }

    /** Whether the "application's" loader is still reachable, after GCs, while the server's new thread lives. */
    private static boolean loaderStaysAfterSubmitting(boolean clean) throws Exception {
        ThreadPoolExecutor server = new ThreadPoolExecutor(0, 1, 1, TimeUnit.MINUTES, new SynchronousQueue<>());
        try {
            WeakReference<ClassLoader> application = submitFromApplication(server, clean);
            assertEquals(1, server.getPoolSize(), "the server started a thread for the task");
            for (int i = 0; i < 20 && application.get() != null; i++) {
                System.gc();
                Thread.sleep(50);
            }
            return application.get() != null;
        } finally {
            server.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<ClassLoader> submitFromApplication(Executor server, boolean clean) throws Exception {
        ApplicationLoader loader = new ApplicationLoader();
        Class<?> submitter = loader.define(Submitter.class.getName());
        ((BiConsumer<Executor, Boolean>) submitter.getDeclaredConstructor().newInstance()).accept(server, clean);
        return new WeakReference<>(loader);
    }

    /** Defines one class from this test's class files again, with a protection domain of its own. */
    private static final class ApplicationLoader extends ClassLoader {
        ApplicationLoader() {
            super(CleanSubmissionTest.class.getClassLoader());
        }

        Class<?> define(String name) throws Exception {
            String path = name.replace('.', '/') + ".class";
            byte[] bytes;
            try (InputStream in = getParent().getResourceAsStream(path)) {
                bytes = in.readAllBytes();
            }
            URL where = getParent().getResource(path);
            ProtectionDomain domain = new ProtectionDomain(new CodeSource(where, (java.security.cert.Certificate[]) null), null, this, null);
            return defineClass(name, bytes, 0, bytes.length, domain);
        }
    }
}
