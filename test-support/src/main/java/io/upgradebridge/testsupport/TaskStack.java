package io.upgradebridge.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * What calls a task of the bridge's, from the stack the task saw ({@code Thread.currentThread().getStackTrace()} in a
 * lambda of the test). The bridge's timers must call their tasks from the bridge's own loop: the bridge's classes
 * belong to the web application's class loader, and when JDK pool code ({@code ThreadPoolExecutor.runWorker},
 * {@code ScheduledThreadPoolExecutor}, {@code FutureTask.run}) calls them, the JIT compiles that shared JDK code with
 * the application's classes inlined; another pool's long-lived thread parked in such a compiled frame then keeps the
 * application's loader reachable after undeploy. The same holds for the JDK's {@code Thread.run()}, the bottom frame of
 * every thread made with a {@code Runnable}: a thread of the bridge's must run its body from its own {@code run()}.
 */
public final class TaskStack {

    private TaskStack() {
    }

    /**
     * The frames that should not be there: every JDK pool frame (thread pools, scheduled pools, future tasks, fork/join),
     * and every frame below the task (the first {@code lambda$} frame) that is not of the bridge ({@code io.upgradebridge.}).
     * Empty when only the bridge's own code called the task.
     */
    public static List<String> foreignCallers(StackTraceElement[] frames) {
        List<String> foreign = new ArrayList<>();
        int task = -1;
        for (int i = 0; i < frames.length; i++) {
            String c = frames[i].getClassName();
            if (c.startsWith("java.util.concurrent.ThreadPoolExecutor")
                || c.startsWith("java.util.concurrent.ScheduledThreadPoolExecutor")
                || c.startsWith("java.util.concurrent.FutureTask")
                || c.startsWith("java.util.concurrent.ForkJoin")
                || c.startsWith("java.util.concurrent.Executors")) {
                foreign.add(frames[i].toString());
            } else if (task >= 0 && !c.startsWith("io.upgradebridge.")) {
                foreign.add(frames[i].toString());
            }
            if (task < 0 && frames[i].getMethodName().startsWith("lambda$")) {
                task = i;
            }
        }
        if (task < 0) {
            foreign.add("no lambda$ frame: is this the stack of a task of the test?");
        }
        return foreign;
    }
}
