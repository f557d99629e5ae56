package io.upgradebridge.servlet.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodType;
import java.security.PrivilegedAction;

/**
 * Hands a task to a container's executor so that a thread the executor starts for it keeps nothing of the application.
 * Before Java 24 a new thread keeps the {@code AccessControlContext} of the stack that creates it: the protection
 * domains of the classes on it, and through them their class loaders, also without a security manager. Tomcat starts
 * its worker threads inside {@code execute()}, from whatever stack submits, so a worker started while the bridge asked
 * for a socket event kept the application's class loader after undeploy. Here the call runs in a privileged block that
 * the JDK opens ({@code Subject.doAsPrivileged}, with an empty context) around a proxy of the call: between that block
 * and a new thread no class of the application is on the stack. It costs a proxy per call: for socket events (a close,
 * a resumed read), not for every message.
 */
public final class CleanSubmission {

    /** From Java 24 on a new thread keeps no such context. */
    private static final boolean NEEDED = Runtime.version().feature() < 24;

    private CleanSubmission() {
    }

    /**
     * Invokes {@code call} (no arguments; its result is dropped) as described above; directly where that is not needed
     * or the JDK refuses the privileged block. What the call throws comes out as it is (a checked exception wrapped).
     */
    @SuppressWarnings({"removal", "unchecked"})
    public static void run(MethodHandle call) {
        MethodHandle target = call.asType(MethodType.methodType(Object.class));
        if (NEEDED) {
            PrivilegedAction<Object> action;
            try {
                action = MethodHandleProxies.asInterfaceInstance(PrivilegedAction.class, target);
            } catch (RuntimeException | LinkageError e) {
                action = null;
            }
            if (action != null) {
                try {
                    javax.security.auth.Subject.doAsPrivileged(null, action, null);
                    return;
                } catch (UnsupportedOperationException | SecurityException refused) {
                    // fall through: the call itself has not run (doAsPrivileged refuses before it runs the action)
                }
            }
        }
        try {
            Object ignored = target.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new java.lang.reflect.UndeclaredThrowableException(e);
        }
    }
}
