package io.upgradebridge.containertests.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;

/**
 * Plays a container that cannot upgrade (as Tomcat over HTTP/2, which throws {@code UnsupportedOperationException}
 * from {@code upgrade()}): the rest of the chain sees a request whose {@code upgrade()} throws.
 */
public final class RefusingUpgradeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) {
                throw new UnsupportedOperationException("HTTP upgrade is not supported on this connection (test)");
            }
        }, response);
    }
}
