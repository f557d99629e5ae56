package io.upgradebridge.containertests.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Starts an {@code AsyncContext} and never completes it: the response comes from the container's default
 * async timeout (an error dispatch, 500), which shows which timeout is in force.
 */
public final class StartAsyncServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        request.startAsync();
    }
}
