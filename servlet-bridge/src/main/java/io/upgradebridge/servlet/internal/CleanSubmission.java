package io.upgradebridge.servlet.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.PrivilegedAction;

/**
 * Makes a call into a container that may start a thread (hands a task to its executor, asks a stream whether it is
 * ready) so that a thread the container starts inside it keeps nothing of the application.
 * Before Java 24 a new thread keeps the {@code AccessControlContext} of the stack that creates it: the protection
 * domains of the classes on it, and through them their class loaders, also without a security manager. Tomcat starts
 * its worker threads inside {@code execute()}, from whatever stack submits, so a worker started while the bridge asked
 * for a socket event kept the application's class loader after undeploy. Here the call runs in a privileged block that
 * the JDK opens ({@code Subject.doAsPrivileged}, with an empty context) around a proxy of the call: between that block
 * and a new thread no class of the application is on the stack.
 *
 * <p>{@link #of} makes that proxy once for a call whose arguments change ({@link #run(Object...)} hands them over in a
 * thread local that only JDK method handles read). Keep what it returns: making the proxy per call was a tenth of the
 * bridge's CPU per upgrade on Tomcat (the close's socket event).
 */
public final class CleanSubmission {

    /** From Java 24 on a new thread keeps no such context. */
    private static final boolean NEEDED = Runtime.version().feature() < 24;

    private static final MethodHandle THREAD_LOCAL_GET;

    static {
        try {
            THREAD_LOCAL_GET = MethodHandles.publicLookup().findVirtual(ThreadLocal.class, "get",
                MethodType.methodType(Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The call, its arguments spread from an array: {@code (Object[])Object}. */
    private final MethodHandle spread;
    /** The arguments of the call under way on each thread: set and removed around it. */
    private final ThreadLocal<Object[]> arguments = new ThreadLocal<>();
    /** Runs {@link #spread} with this thread's {@link #arguments}; {@code null} where the direct call is used. */
    private final PrivilegedAction<Object> action;

    private CleanSubmission(MethodHandle call) {
        this.spread = call.asSpreader(Object[].class, call.type().parameterCount())
            .asType(MethodType.methodType(Object.class, Object[].class));
        this.action = NEEDED ? cleanAction(spread, arguments) : null;
    }

    /**
     * A clean submission of {@code call} (any parameters; {@link #run} returns its result), made once: its
     * {@link #run} costs no proxy. Keep it as long as the class of {@code call}'s target.
     */
    public static CleanSubmission of(MethodHandle call) {
        return new CleanSubmission(call);
    }

    /**
     * Invokes the call with {@code args} as described above; directly where that is not needed or the JDK refuses the
     * privileged block. What the call throws comes out as it is (a checked exception wrapped).
     *
     * @return what the call returned (boxed), or {@code null} for a {@code void} call
     */
    @SuppressWarnings("removal")
    public Object run(Object... args) {
        if (action != null) {
            arguments.set(args);
            try {
                return javax.security.auth.Subject.doAsPrivileged(null, action, null);
            } catch (UnsupportedOperationException | SecurityException refused) {
                // fall through: the call itself has not run (doAsPrivileged refuses before it runs the action)
            } finally {
                arguments.remove();
            }
        }
        return invoke(spread, new Object[] {args});
    }

    /**
     * The proxy of {@code () -> spread(arguments.get())}, made of JDK method handles only; {@code null} when the JDK
     * makes none. It is made with the bridge's class loader as the context loader: the proxy's class is defined in the
     * context loader, and a proxy kept by a bridge on the container's class path must not keep an application's.
     */
    @SuppressWarnings("unchecked")
    private static PrivilegedAction<Object> cleanAction(MethodHandle spread, ThreadLocal<Object[]> arguments) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(CleanSubmission.class.getClassLoader());
        try {
            MethodHandle read = THREAD_LOCAL_GET.bindTo(arguments).asType(MethodType.methodType(Object[].class));
            MethodHandle target = MethodHandles.collectArguments(spread, 0, read);
            return MethodHandleProxies.asInterfaceInstance(PrivilegedAction.class, target);
        } catch (RuntimeException | LinkageError e) {
            return null;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static Object invoke(MethodHandle target, Object... args) {
        try {
            return target.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new java.lang.reflect.UndeclaredThrowableException(e);
        }
    }
}
