package io.upgradebridge.testsupport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpUpgradeHandler;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 request as the bridge reads it: method, path, headers, attributes, the peer's address; its
 * {@code upgrade(handlerClass)} makes the handler as a container does and counts the calls. Every other method fails
 * the test that calls it.
 */
public final class FakeRequest {

    /** The request's attributes. */
    public final Map<String, Object> attributes = new HashMap<>();
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private String contextPath = "";
    private volatile int upgrades;

    private FakeRequest(String method, String path, String... headerNamesAndValues) {
        if (headerNamesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("header names and values come in pairs");
        }
        this.method = method;
        this.path = path;
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            headers.computeIfAbsent(headerNamesAndValues[i], name -> new ArrayList<>()).add(headerNamesAndValues[i + 1]);
        }
    }

    /** {@code GET path} with the given header names and values, in pairs. */
    public static FakeRequest get(String path, String... headerNamesAndValues) {
        return new FakeRequest("GET", path, headerNamesAndValues);
    }

    /** {@code method path} with the given header names and values, in pairs. */
    public static FakeRequest of(String method, String path, String... headerNamesAndValues) {
        return new FakeRequest(method, path, headerNamesAndValues);
    }

    /** The same request to an application at {@code contextPath} ({@code /app}): the path is within it. */
    public FakeRequest in(String contextPath) {
        this.contextPath = contextPath;
        return this;
    }

    /** How often {@code upgrade()} was called. */
    public int upgrades() {
        return upgrades;
    }

    /** The request, for the code under test. */
    public HttpServletRequest proxy() {
        return (HttpServletRequest) Proxy.newProxyInstance(FakeRequest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> {
                switch (m.getName()) {
                    case "getMethod":
                        return method;
                    case "getRequestURI":
                        return contextPath + path;
                    case "getContextPath":
                        return contextPath;
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
                        return Collections.enumeration(new ArrayList<>(headers.keySet()));
                    case "getHeaders":
                        return Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                    case "getHeader":
                        List<String> values = headers.get((String) args[0]);
                        return values == null ? null : values.get(0);
                    case "setAttribute":
                        attributes.put((String) args[0], args[1]);
                        return null;
                    case "getAttribute":
                        return attributes.get((String) args[0]);
                    case "upgrade":
                        upgrades++;
                        return upgradeHandler((Class<?>) args[0]);
                    case "toString":
                        return "FakeRequest[" + method + " " + contextPath + path + "]";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException("FakeRequest does not do " + m);
                }
            });
    }

    /** Makes the upgrade handler as a container does: its public no-arg constructor. */
    private static HttpUpgradeHandler upgradeHandler(Class<?> handlerClass) throws ReflectiveOperationException {
        return (HttpUpgradeHandler) handlerClass.getConstructor().newInstance();
    }

    @Override
    public String toString() {
        return "FakeRequest[" + method + " " + contextPath + path + ", " + headers + "]";
    }
}
