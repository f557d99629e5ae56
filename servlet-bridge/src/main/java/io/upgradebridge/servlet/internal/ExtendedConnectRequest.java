package io.upgradebridge.servlet.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * An HTTP/2 extended CONNECT (RFC 8441) as the application sees it: a {@code GET}, the request it replaces (a
 * WebSocket's opening handshake is a {@code GET} over HTTP/1.1), so that the servlet's {@code doGet} answers both
 * ({@code HttpServlet} answers any {@code CONNECT} with 501). Everything else is the container's request;
 * {@link io.upgradebridge.servlet.ApplicationCall#method()} still tells {@code CONNECT}.
 */
public final class ExtendedConnectRequest extends HttpServletRequestWrapper {

    public ExtendedConnectRequest(HttpServletRequest request) {
        super(request);
    }

    @Override
    public String getMethod() {
        return "GET";
    }
}
