package io.upgradebridge.servlet.internal;

import java.util.concurrent.Executor;

/**
 * Hands tasks to an executor of the server's (a JNDI managed executor) so that the threads it starts do not keep the
 * application's class loader: a pool that starts threads on demand starts them from the submitting thread, and a new
 * thread inherits that thread's context class loader. GlassFish's and Payara's default managed executor keep such a
 * thread for the life of the server, and with it the first application that submitted, after that application was
 * undeployed (its class loader never collected). So the task is submitted while the submitting thread's context class
 * loader is the executor's own, and runs with the application's loader, which it puts back afterwards. What the server
 * propagates with a task besides the class loader (the naming context, security) is captured as before.
 */
final class ServerThreadsExecutor implements Executor {

    private final Executor server;
    private final ClassLoader serverLoader;
    private final ClassLoader application;

    ServerThreadsExecutor(Executor server, ClassLoader application) {
        this.server = server;
        this.serverLoader = server.getClass().getClassLoader();
        this.application = application;
    }

    @Override
    public void execute(Runnable task) {
        Runnable inApplication = () -> {
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(application);
            try {
                task.run();
            } finally {
                thread.setContextClassLoader(before);
            }
        };
        Thread submitter = Thread.currentThread();
        ClassLoader previous = submitter.getContextClassLoader();
        submitter.setContextClassLoader(serverLoader);
        try {
            server.execute(inApplication);
        } finally {
            submitter.setContextClassLoader(previous);
        }
    }

    @Override
    public String toString() {
        return "ServerThreadsExecutor{" + server + '}';
    }
}
