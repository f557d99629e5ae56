package io.upgradebridge.containertests.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;

/** Adds every filter init parameter as a response header ({@code name: value}), then continues the chain. */
public final class HeaderFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        for (String name : Collections.list(getInitParameterNames())) {
            response.setHeader(name, getInitParameter(name));
        }
        chain.doFilter(request, response);
    }
}
