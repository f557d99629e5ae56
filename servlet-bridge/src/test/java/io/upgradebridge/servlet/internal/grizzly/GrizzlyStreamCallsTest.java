package io.upgradebridge.servlet.internal.grizzly;

import io.upgradebridge.testsupport.ApplicationLoader;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GlassFish's and Payara's streams start a thread of the server's cached pool inside {@code isReady()} (and inside
 * setting a listener), from the caller's context: called directly from the application's code with the application's
 * loader as the context loader (as the server sets it around every listener callback), that thread keeps the loader;
 * through {@link GrizzlyStreamCalls} it does not.
 */
class GrizzlyStreamCallsTest {

    /** The server's side: a cached pool with the JDK's default thread factory, as Payara's {@code AsyncContextImpl}. */
    static ExecutorService serverPool() {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.MINUTES, new SynchronousQueue<>(),
            Executors.defaultThreadFactory());
    }

    /** The context loader of the last thread the server's pool started, seen from inside that thread. */
    static final AtomicReference<ClassLoader> STARTED_WITH = new AtomicReference<>();

    /** Hands the pool a task that notes its thread's context loader: the pool starts a thread when none is idle. */
    static void startServerThread(ExecutorService pool) {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        pool.execute(() -> {
            STARTED_WITH.set(Thread.currentThread().getContextClassLoader());
            ran.countDown();
        });
        try {
            assertTrue(ran.await(5, TimeUnit.SECONDS), "the server's thread ran");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** What both of the server's streams do in {@code isReady()}: hand the pool a task, then answer as told. */
    static final class Readiness {
        final ExecutorService pool;
        final boolean ready;

        Readiness(ExecutorService pool, boolean ready) {
            this.pool = pool;
            this.ready = ready;
        }

        boolean ask() {
            startServerThread(pool);
            return ready;
        }
    }

    /** A server's upgraded input stream whose {@code isReady()} and {@code setReadListener} use its pool. */
    public static final class ServerInput extends ServletInputStream {
        final Readiness readiness;
        ReadListener listener;

        public ServerInput(ExecutorService pool, boolean ready) {
            this.readiness = new Readiness(pool, ready);
        }

        @Override
        public boolean isReady() {
            return readiness.ask();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            if (this.listener != null) {
                throw new IllegalStateException("a read listener is set already");
            }
            this.listener = listener;
            isReady();
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public int read() {
            return -1;
        }
    }

    /** A server's upgraded output stream whose {@code isReady()} and {@code setWriteListener} use its pool. */
    public static final class ServerOutput extends ServletOutputStream {
        final Readiness readiness;
        WriteListener listener;

        public ServerOutput(ExecutorService pool, boolean ready) {
            this.readiness = new Readiness(pool, ready);
        }

        @Override
        public boolean isReady() {
            return readiness.ask();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            this.listener = listener;
            isReady();
        }

        @Override
        public void write(int b) {
        }
    }

    /** Which call the application's code makes. */
    public enum Call { INPUT_READY, OUTPUT_READY, SET_READ_LISTENER, SET_WRITE_LISTENER }

    /**
     * Stands for the application's code (a listener callback of the bridge in the application's WAR, or a request
     * thread): loaded by a loader of its own, it runs with that loader as the context loader and makes the call.
     */
    public static final class Application implements BiConsumer<ExecutorService, String> {
        @Override
        public void accept(ExecutorService pool, String how) {
            Thread self = Thread.currentThread();
            ClassLoader before = self.getContextClassLoader();
            self.setContextClassLoader(getClass().getClassLoader());
            try {
                boolean direct = how.startsWith("DIRECT ");
                String call = how.substring(how.indexOf(' ') + 1);
                ServerInput in = new ServerInput(pool, true);
                ServerOutput out = new ServerOutput(pool, true);
                // no switch on the enum: its synthetic class is package-private, out of reach from the application's copy
                if (call.equals(Call.INPUT_READY.name())) {
                    boolean ignored = direct ? in.isReady() : GrizzlyStreamCalls.isReady(in);
                } else if (call.equals(Call.OUTPUT_READY.name())) {
                    boolean ignored = direct ? out.isReady() : GrizzlyStreamCalls.isReady(out);
                } else if (call.equals(Call.SET_READ_LISTENER.name())) {
                    ReadListener listener = new NoReads();
                    if (direct) {
                        in.setReadListener(listener);
                    } else {
                        GrizzlyStreamCalls.setReadListener(in, listener);
                    }
                } else {
                    WriteListener listener = new NoWrites();
                    if (direct) {
                        out.setWriteListener(listener);
                    } else {
                        GrizzlyStreamCalls.setWriteListener(out, listener);
                    }
                }
                if (self.getContextClassLoader() != getClass().getClassLoader()) {
                    throw new AssertionError("the call did not give the context loader back");
                }
            } finally {
                self.setContextClassLoader(before);
            }
        }
    }

    /** A listener of the server's API class (a bridge on the server's class path). */
    public static final class NoReads implements ReadListener {
        @Override
        public void onDataAvailable() {
        }

        @Override
        public void onAllDataRead() {
        }

        @Override
        public void onError(Throwable t) {
        }
    }

    /** A listener of the server's API class. */
    public static final class NoWrites implements WriteListener {
        @Override
        public void onWritePossible() {
        }

        @Override
        public void onError(Throwable t) {
        }
    }

    @ParameterizedTest
    @EnumSource(Call.class)
    void aThreadTheServerStartsInsideTheCallKeepsNoApplicationLoader(Call call) throws Exception {
        assertFalse(loaderStays("CLEAN " + call), "the server's new thread keeps nothing of the application");
        assertSame(ServerInput.class.getClassLoader(), STARTED_WITH.get(),
            "the server's new thread has the server's loader as its context loader");
        assertTrue(loaderStays("DIRECT " + call), "called directly, the thread keeps the loader (the check can fail)");
    }

    @Test
    void theCallsReturnWhatTheStreamSaysAndSetTheListener() {
        ExecutorService pool = serverPool();
        try {
            assertTrue(GrizzlyStreamCalls.isReady(new ServerInput(pool, true)));
            assertFalse(GrizzlyStreamCalls.isReady(new ServerInput(pool, false)));
            assertTrue(GrizzlyStreamCalls.isReady(new ServerOutput(pool, true)));
            assertFalse(GrizzlyStreamCalls.isReady(new ServerOutput(pool, false)));
            ServerInput in = new ServerInput(pool, true);
            ReadListener reads = new NoReads();
            GrizzlyStreamCalls.setReadListener(in, reads);
            assertSame(reads, in.listener);
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> GrizzlyStreamCalls.setReadListener(in, new NoReads()));
            assertEquals("a read listener is set already", twice.getMessage(), "what the stream throws comes out as it is");
            ServerOutput out = new ServerOutput(pool, true);
            WriteListener writes = new NoWrites();
            GrizzlyStreamCalls.setWriteListener(out, writes);
            assertSame(writes, out.listener);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyGlassFishsAndPayarasConnectionsNeedThem() {
        assertFalse(GrizzlyStreamCalls.applies(null));
        assertFalse(GrizzlyStreamCalls.applies(new Object()));
    }

    /** Whether the "application's" loader is still reachable, after GCs, while the server's new thread lives. */
    private static boolean loaderStays(String how) throws Exception {
        ExecutorService pool = serverPool();
        try {
            WeakReference<ClassLoader> application = callFromApplication(pool, how);
            assertEquals(1, ((ThreadPoolExecutor) pool).getPoolSize(), "the server started a thread inside the call");
            return !ApplicationLoader.collected(application);
        } finally {
            pool.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<ClassLoader> callFromApplication(ExecutorService pool, String how) throws Exception {
        ApplicationLoader loader = new ApplicationLoader(GrizzlyStreamCallsTest.class.getClassLoader());
        Class<?> application = loader.define(Application.class.getName());
        ((BiConsumer<ExecutorService, String>) application.getDeclaredConstructor().newInstance()).accept(pool, how);
        return new WeakReference<>(loader);
    }
}
