package io.upgradebridge.testsupport;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A servlet context as the bridge's filter and the WebSockets feature use it: attributes, init parameters, the
 * filters registered and those added by code (recorded call by call). Every other method fails the test that calls it.
 */
public final class FakeServletContext {

    /** The context's attributes. */
    public final Map<String, Object> attributes = new ConcurrentHashMap<>();
    /** The context's init parameters. */
    public final Map<String, String> initParameters = new ConcurrentHashMap<>();
    /** Registered filters: name to class name. */
    public final Map<String, String> filters = Collections.synchronizedMap(new LinkedHashMap<>());
    /** What was done to the filters added by code, call by call. */
    public final List<String> filterCalls = Collections.synchronizedList(new ArrayList<>());
    /** Thrown by {@code addFilter} when set: a container that does not allow it now. */
    public volatile RuntimeException addFilterFailure;
    private final String contextPath;
    private final ServletContext context;

    /** The context of the root application ({@code ""}). */
    public FakeServletContext() {
        this("");
    }

    /** @param contextPath the application's context path: {@code ""} or {@code /name} */
    public FakeServletContext(String contextPath) {
        this.contextPath = contextPath;
        this.context = (ServletContext) Proxy.newProxyInstance(FakeServletContext.class.getClassLoader(),
            new Class<?>[] {ServletContext.class}, (proxy, m, args) -> {
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
                        return contextPath;
                    case "getInitParameter":
                        return initParameters.get((String) args[0]);
                    case "getClassLoader":
                        return FakeServletContext.class.getClassLoader();
                    case "getFilterRegistrations":
                        Map<String, FilterRegistration> registrations = new HashMap<>();
                        synchronized (filters) {
                            filters.forEach((name, className) -> registrations.put(name, registration(name, className)));
                        }
                        return registrations;
                    case "addFilter":
                        return addFilter((String) args[0], args[1]);
                    case "toString":
                        return "FakeServletContext[" + contextPath + "]";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException("FakeServletContext does not do " + m);
                }
            });
    }

    /** The context, for the code under test. */
    public ServletContext context() {
        return context;
    }

    public String contextPath() {
        return contextPath;
    }

    /** The config of a filter named {@code filterName} of this context, with {@code initParameters}. */
    public FilterConfig filterConfig(String filterName, Map<String, String> initParameters) {
        Map<String, String> params = Map.copyOf(initParameters);
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return filterName;
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
        };
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
        return Proxy.newProxyInstance(FakeServletContext.class.getClassLoader(), new Class<?>[] {FilterRegistration.Dynamic.class},
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
        return (FilterRegistration) Proxy.newProxyInstance(FakeServletContext.class.getClassLoader(),
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
}
