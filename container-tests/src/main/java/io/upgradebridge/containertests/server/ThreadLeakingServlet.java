package io.upgradebridge.containertests.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A badly behaved application, to prove the harness sees leaks: GET starts a thread named {@value #THREAD_NAME}
 * that outlives the request and the deployment. It ends when the {@link CountDownLatch} in the context
 * attribute {@value #RELEASE_ATTRIBUTE} is counted down by the test, or after {@value #MAX_WAIT_SECONDS} s.
 */
public final class ThreadLeakingServlet extends HttpServlet {

    public static final String THREAD_NAME = "leaked-by-application";
    public static final String RELEASE_ATTRIBUTE = "containertests.release";
    private static final long MAX_WAIT_SECONDS = 60;
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        CountDownLatch release = (CountDownLatch) getServletContext().getAttribute(RELEASE_ATTRIBUTE);
        if (release == null) {
            response.sendError(500, "context attribute " + RELEASE_ATTRIBUTE + " missing");
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                release.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        response.setContentType("text/plain");
        response.getWriter().print("started " + THREAD_NAME);
    }
}
