package io.upgradebridge.containertests.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Answers GET with {@code <greeting> from <server info>}, where the greeting is the context init parameter
 * {@code greeting} ({@code hello} when absent).
 */
public final class HelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String greeting = getServletContext().getInitParameter("greeting");
        byte[] body = ((greeting == null ? "hello" : greeting) + " from "
                + getServletContext().getServerInfo() + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
