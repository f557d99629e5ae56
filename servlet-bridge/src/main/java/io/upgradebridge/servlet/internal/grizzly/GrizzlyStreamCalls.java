package io.upgradebridge.servlet.internal.grizzly;

import io.upgradebridge.servlet.internal.CleanSubmission;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The calls into GlassFish's and Payara's upgraded streams that can start a thread of the server's: {@code isReady()}
 * and setting a listener (which asks {@code isReady()} itself). When data or room comes while {@code isReady()}
 * registers for it, their web container does not call the listener there but hands the callback to a cached pool of its
 * own ({@code AsyncContextImpl}'s, threads named {@code glassfish-web-async-thread-N}), which starts a thread inside
 * that call when none is idle. The new thread takes the caller's context class loader (the application's: the server
 * sets it around every listener callback, and its request threads have it) and, before Java 24, the access control
 * context of the caller's stack; it then idles for a minute between tasks and lives on. So an undeployed application's
 * class loader stayed reachable through such a thread (Payara 7, one undeploy in ten). Here each of those calls runs
 * with the stream's own class loader (the server's) as the context loader and through a {@link CleanSubmission}.
 */
public final class GrizzlyStreamCalls {

    /** The calls, made once on first use (not by {@link #applies}, which every container asks). */
    private static final class Calls {
        static final CleanSubmission INPUT_READY = clean(ServletInputStream.class, "isReady",
            MethodType.methodType(boolean.class));
        static final CleanSubmission OUTPUT_READY = clean(ServletOutputStream.class, "isReady",
            MethodType.methodType(boolean.class));
        static final CleanSubmission SET_READ_LISTENER = clean(ServletInputStream.class, "setReadListener",
            MethodType.methodType(void.class, ReadListener.class));
        static final CleanSubmission SET_WRITE_LISTENER = clean(ServletOutputStream.class, "setWriteListener",
            MethodType.methodType(void.class, WriteListener.class));

        private Calls() {
        }
    }

    private GrizzlyStreamCalls() {
    }

    /** Whether {@code webConnection} is one of GlassFish's or Payara's, whose streams need these calls. */
    public static boolean applies(Object webConnection) {
        return webConnection != null && webConnection.getClass().getName().equals(GrizzlySockets.WEB_CONNECTION);
    }

    /** {@code in.isReady()}, made as described above. */
    public static boolean isReady(ServletInputStream in) {
        return (Boolean) call(Calls.INPUT_READY, in, null);
    }

    /** {@code out.isReady()}, made as described above. */
    public static boolean isReady(ServletOutputStream out) {
        return (Boolean) call(Calls.OUTPUT_READY, out, null);
    }

    /** {@code in.setReadListener(listener)}, made as described above. */
    public static void setReadListener(ServletInputStream in, ReadListener listener) {
        call(Calls.SET_READ_LISTENER, in, listener);
    }

    /** {@code out.setWriteListener(listener)}, made as described above. */
    public static void setWriteListener(ServletOutputStream out, WriteListener listener) {
        call(Calls.SET_WRITE_LISTENER, out, listener);
    }

    private static Object call(CleanSubmission call, Object stream, Object listener) {
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(stream.getClass().getClassLoader());
        try {
            return listener == null ? call.run(stream) : call.run(stream, listener);
        } finally {
            self.setContextClassLoader(before);
        }
    }

    private static CleanSubmission clean(Class<?> stream, String name, MethodType type) {
        try {
            MethodHandle handle = MethodHandles.publicLookup().findVirtual(stream, name, type);
            return CleanSubmission.of(handle);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
