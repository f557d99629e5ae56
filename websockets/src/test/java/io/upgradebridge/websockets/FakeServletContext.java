package io.upgradebridge.websockets;

import io.upgradebridge.content.Headers;
import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import io.upgradebridge.servlet.internal.ServletUpgradeHandler;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A servlet context with attributes and filter registrations, plus a {@link ProtocolUpgradeFilter} started on it
 * as a container would, and hand-made requests sent through that filter. Methods the tests do not need fail.
 */
final class FakeServletContext {

    final Map<String, Object> attributes = new ConcurrentHashMap<>();
    /** Registered filters: name to class name. */
    final Map<String, String> filters = new LinkedHashMap<>();
    /** What was done to the filters added by code. */
    final List<String> filterCalls = new ArrayList<>();
    /** Thrown by addFilter when set (a container that does not allow it now). */
    RuntimeException addFilterFailure;
    final ServletContext context;
    private ProtocolUpgradeFilter filter;

    FakeServletContext() {
        Executor direct = Runnable::run;
        attributes.put("test.executor", direct);
        context = (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServletContext.class},
            (proxy, m, args) -> {
                switch (m.getName()) {
                    case "getAttribute":
                        return attributes.get((String) args[0]);
                    case "setAttribute":
                        attributes.put((String) args[0], args[1]);
                        return null;
                    case "removeAttribute":
                        attributes.remove((String) args[0]);
                        return null;
                    case "getServerInfo":
                        return "FakeServer/1.0";
                    case "getContextPath":
                        return "/app";
                    case "getInitParameter":
                        return null;
                    case "getClassLoader":
                        return FakeServletContext.class.getClassLoader();
                    case "getFilterRegistrations":
                        Map<String, FilterRegistration> registrations = new HashMap<>();
                        filters.forEach((name, className) -> registrations.put(name, registration(name, className)));
                        return registrations;
                    case "addFilter":
                        return addFilter((String) args[0], args[1]);
                    case "toString":
                        return "FakeServletContext";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException("FakeServletContext does not do " + m);
                }
            });
    }

    private Object addFilter(String name, Object filterClass) {
        if (addFilterFailure != null) {
            throw addFilterFailure;
        }
        if (filters.containsKey(name)) {
            return null;
        }
        String className = filterClass instanceof Class ? ((Class<?>) filterClass).getName() : String.valueOf(filterClass);
        filters.put(name, className);
        filterCalls.add("addFilter " + name + " " + className);
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FilterRegistration.Dynamic.class},
            (proxy, m, args) -> {
                switch (m.getName()) {
                    case "setAsyncSupported":
                        filterCalls.add("setAsyncSupported " + args[0]);
                        return null;
                    case "addMappingForUrlPatterns":
                        filterCalls.add("addMappingForUrlPatterns " + args[0] + " " + args[1] + " "
                            + Arrays.toString((Object[]) args[2]));
                        return null;
                    case "getName":
                        return name;
                    case "getClassName":
                        return className;
                    default:
                        throw new UnsupportedOperationException("fake FilterRegistration.Dynamic does not do " + m);
                }
            });
    }

    private FilterRegistration registration(String name, String className) {
        return (FilterRegistration) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {FilterRegistration.class}, (proxy, m, args) -> {
                switch (m.getName()) {
                    case "getName":
                        return name;
                    case "getClassName":
                        return className;
                    default:
                        throw new UnsupportedOperationException("fake FilterRegistration does not do " + m);
                }
            });
    }

    /** Starts the bridge's filter on this context, as the container would (once). */
    ProtocolUpgradeFilter startFilter() throws ServletException {
        if (filter == null) {
            ProtocolUpgradeFilter f = new ProtocolUpgradeFilter();
            Map<String, String> params = Map.of(ProtocolUpgradeFilter.EXECUTOR_PARAM, "test.executor",
                ProtocolUpgradeFilter.TRANSPORT_PARAM, "servlet");
            f.init(new FilterConfig() {
                @Override
                public String getFilterName() {
                    return "test";
                }

                @Override
                public ServletContext getServletContext() {
                    return context;
                }

                @Override
                public String getInitParameter(String name) {
                    return params.get(name);
                }

                @Override
                public java.util.Enumeration<String> getInitParameterNames() {
                    return Collections.enumeration(params.keySet());
                }
            });
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
        Exchange exchange = new Exchange(method, path, Headers.of(headers));
        startFilter().doFilter(exchange.request(), exchange.response(), (req, resp) -> exchange.chainCalled = true);
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
        final String method;
        final String path;
        final Headers requestHeaders;
        final Map<String, Object> requestAttributes = new HashMap<>();
        final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = 200;
        int upgrades;
        boolean chainCalled;

        Exchange(String method, String path, Headers requestHeaders) {
            this.method = method;
            this.path = path;
            this.requestHeaders = requestHeaders;
        }

        String header(String name) {
            List<String> values = responseHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        String bodyText() {
            return body.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + responseHeaders + " " + bodyText().strip()
                + (chainCalled ? " (chain called)" : "") + (upgrades > 0 ? " (upgraded)" : "");
        }

        HttpServletRequest request() {
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "getMethod":
                            return method;
                        case "getRequestURI":
                            return "/app" + path;
                        case "getContextPath":
                            return "/app";
                        case "getServletPath":
                            return path; // as for the default servlet
                        case "getPathInfo":
                        case "getQueryString":
                        case "getUserPrincipal":
                            return null;
                        case "getProtocol":
                            return "HTTP/1.1";
                        case "getRemoteAddr":
                            return "127.0.0.1";
                        case "getRemotePort":
                            return 40000;
                        case "isSecure":
                            return false;
                        case "getHeaderNames":
                            return Collections.enumeration(requestHeaders.names());
                        case "getHeaders":
                            return Collections.enumeration(requestHeaders.getAll((String) args[0]));
                        case "getHeader":
                            return requestHeaders.get((String) args[0]);
                        case "setAttribute":
                            requestAttributes.put((String) args[0], args[1]);
                            return null;
                        case "getAttribute":
                            return requestAttributes.get((String) args[0]);
                        case "upgrade":
                            upgrades++;
                            return new ServletUpgradeHandler();
                        case "toString":
                            return "FakeRequest[" + method + " " + path + "]";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException("fake request does not do " + m);
                    }
                });
        }

        HttpServletResponse response() {
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus":
                            status = (Integer) args[0];
                            return null;
                        case "setHeader":
                            responseHeaders.put(((String) args[0]).toLowerCase(java.util.Locale.ROOT),
                                new ArrayList<>(List.of((String) args[1])));
                            return null;
                        case "addHeader":
                            responseHeaders.computeIfAbsent(((String) args[0]).toLowerCase(java.util.Locale.ROOT),
                                k -> new ArrayList<>()).add((String) args[1]);
                            return null;
                        case "setContentType":
                            responseHeaders.put("content-type", new ArrayList<>(List.of((String) args[0])));
                            return null;
                        case "setContentLength":
                        case "setContentLengthLong":
                            return null;
                        case "reset":
                            responseHeaders.clear();
                            body.reset();
                            status = 200;
                            return null;
                        case "isCommitted":
                            return false;
                        case "getOutputStream":
                            return new ServletOutputStream() {
                                @Override
                                public void write(int b) {
                                    body.write(b);
                                }

                                @Override
                                public boolean isReady() {
                                    return true;
                                }

                                @Override
                                public void setWriteListener(WriteListener listener) {
                                    throw new UnsupportedOperationException();
                                }
                            };
                        case "getWriter":
                            return new PrintWriter(body, true, StandardCharsets.UTF_8);
                        case "toString":
                            return "FakeResponse";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException("fake response does not do " + m);
                    }
                });
        }
    }
}
