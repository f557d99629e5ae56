package io.upgradebridge.websockets;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import io.upgradebridge.testsupport.FakeRequest;
import io.upgradebridge.testsupport.FakeResponse;
import io.upgradebridge.testsupport.FakeServletContext;
import jakarta.servlet.ServletException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A web application at {@code /app} on a {@link FakeServletContext}, with a {@link ProtocolUpgradeFilter} started on it
 * as a container would (standard upgrade path, a direct executor), and requests sent through that filter.
 */
final class WebSocketsApp {

    final FakeServletContext servletContext = new FakeServletContext("/app");
    private ProtocolUpgradeFilter filter;

    WebSocketsApp() {
        Executor direct = Runnable::run;
        servletContext.attributes.put("test.executor", direct);
    }

    jakarta.servlet.ServletContext context() {
        return servletContext.context();
    }

    /** Starts the bridge's filter on this application, as the container would (once). */
    ProtocolUpgradeFilter startFilter() throws ServletException {
        if (filter == null) {
            ProtocolUpgradeFilter f = new ProtocolUpgradeFilter();
            f.init(servletContext.filterConfig("test", Map.of(ProtocolUpgradeFilter.EXECUTOR_PARAM, "test.executor",
                ProtocolUpgradeFilter.TRANSPORT_PARAM, "servlet")));
            filter = f;
        }
        return filter;
    }

    /** Destroys the filter (undeploy). */
    void stopFilter() {
        if (filter != null) {
            filter.destroy();
            filter = null;
        }
    }

    /** Sends {@code GET path} with {@code headers} through the filter (started if need be). */
    Exchange get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    Exchange send(String method, String path, String... headers) throws Exception {
        Exchange exchange = new Exchange(FakeRequest.of(method, path, headers).in("/app"));
        startFilter().doFilter(exchange.request.proxy(), exchange.response.proxy(), (req, resp) -> exchange.chainCalled = true);
        return exchange;
    }

    /** A valid WebSocket handshake's headers, plus {@code more}. */
    static String[] handshake(String... more) {
        List<String> headers = new ArrayList<>(List.of("Host", "127.0.0.1", "Upgrade", "websocket", "Connection", "Upgrade",
            "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="));
        headers.addAll(List.of(more));
        return headers.toArray(new String[0]);
    }

    /** One request through the filter and what came back. */
    static final class Exchange {
        final FakeRequest request;
        final FakeResponse response = new FakeResponse();
        boolean chainCalled;

        Exchange(FakeRequest request) {
            this.request = request;
        }

        int status() {
            return response.status;
        }

        int upgrades() {
            return request.upgrades();
        }

        String header(String name) {
            return response.header(name);
        }

        String bodyText() {
            return response.bodyText();
        }

        @Override
        public String toString() {
            return request + " -> " + response + (chainCalled ? " (chain called)" : "") + (upgrades() > 0 ? " (upgraded)" : "");
        }
    }
}
