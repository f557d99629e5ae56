package io.upgradebridge.containertests.server;

import static io.upgradebridge.containertests.server.ContainerLauncher.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/** The validated form of the {@link ContainerLauncher#start(Map)} configuration map. */
record LauncherConfig(
        List<ServletSpec> servlets,
        List<FilterSpec> filters,
        List<String> listeners,
        Map<String, String> contextInitParams,
        Map<String, Object> contextAttributes,
        OptionalLong idleTimeoutMillis,
        OptionalLong asyncTimeoutMillis,
        String workDir,
        String war,
        boolean ignoreJettyWebXml,
        String bridgeTransport,
        String keyStore,
        String keyStorePassword,
        boolean logRequests) {

    private static final Set<String> KEYS = Set.of(SERVLETS, FILTERS, LISTENERS, CONTEXT_INIT_PARAMS, CONTEXT_ATTRIBUTES,
            IDLE_TIMEOUT_MILLIS, ASYNC_TIMEOUT_MILLIS, WORK_DIR, WAR, IGNORE_JETTY_WEB_XML, BRIDGE_TRANSPORT, KEY_STORE,
            KEY_STORE_PASSWORD, LOG_REQUESTS);
    private static final Set<String> SERVLET_KEYS = Set.of(NAME, CLASS, URL_PATTERNS, INIT_PARAMS,
            ASYNC_SUPPORTED, LOAD_ON_STARTUP);
    private static final Set<String> FILTER_KEYS = Set.of(NAME, CLASS, URL_PATTERNS, INIT_PARAMS,
            ASYNC_SUPPORTED);

    record ServletSpec(String name, String className, List<String> urlPatterns, Map<String, String> initParams,
                       boolean asyncSupported, int loadOnStartup) {
    }

    record FilterSpec(String name, String className, List<String> urlPatterns, Map<String, String> initParams,
                      boolean asyncSupported) {
    }

    static LauncherConfig from(Map<String, Object> map) {
        Objects.requireNonNull(map, "config");
        checkKeys("config", map, KEYS);
        List<ServletSpec> servlets = new ArrayList<>();
        for (Map<String, Object> s : maps(map.get(SERVLETS), SERVLETS)) {
            checkKeys("servlet", s, SERVLET_KEYS);
            servlets.add(new ServletSpec(string(s, NAME), string(s, CLASS), strings(s.get(URL_PATTERNS)),
                    stringMap(s.get(INIT_PARAMS)), bool(s.get(ASYNC_SUPPORTED), true),
                    s.get(LOAD_ON_STARTUP) == null ? -1 : ((Number) s.get(LOAD_ON_STARTUP)).intValue()));
        }
        List<FilterSpec> filters = new ArrayList<>();
        for (Map<String, Object> f : maps(map.get(FILTERS), FILTERS)) {
            checkKeys("filter", f, FILTER_KEYS);
            filters.add(new FilterSpec(string(f, NAME), string(f, CLASS), strings(f.get(URL_PATTERNS)),
                    stringMap(f.get(INIT_PARAMS)), bool(f.get(ASYNC_SUPPORTED), true)));
        }
        List<String> listeners = strings(map.get(LISTENERS));
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = map.get(CONTEXT_ATTRIBUTES) == null
                ? Map.of() : new LinkedHashMap<>((Map<String, Object>) map.get(CONTEXT_ATTRIBUTES));
        Map<String, String> contextInitParams = stringMap(map.get(CONTEXT_INIT_PARAMS));
        String war = (String) map.get(WAR);
        boolean ignoreJettyWebXml = bool(map.get(IGNORE_JETTY_WEB_XML), false);
        if (war != null && !(servlets.isEmpty() && filters.isEmpty() && listeners.isEmpty() && contextInitParams.isEmpty()
                && attributes.isEmpty())) {
            throw new IllegalArgumentException("a WAR brings its own web application: '" + WAR + "' cannot be combined "
                    + "with servlets, filters, listeners, context init parameters or context attributes");
        }
        if (war == null && ignoreJettyWebXml) {
            throw new IllegalArgumentException("'" + IGNORE_JETTY_WEB_XML + "' needs '" + WAR + "'");
        }
        String keyStore = (String) map.get(KEY_STORE);
        String keyStorePassword = (String) map.get(KEY_STORE_PASSWORD);
        if ((keyStore == null) != (keyStorePassword == null)) {
            throw new IllegalArgumentException("'" + KEY_STORE + "' and '" + KEY_STORE_PASSWORD + "' go together");
        }
        return new LauncherConfig(List.copyOf(servlets), List.copyOf(filters), listeners, contextInitParams, attributes,
                millis(map.get(IDLE_TIMEOUT_MILLIS)), millis(map.get(ASYNC_TIMEOUT_MILLIS)),
                (String) map.get(WORK_DIR), war, ignoreJettyWebXml, (String) map.get(BRIDGE_TRANSPORT), keyStore,
                keyStorePassword, bool(map.get(LOG_REQUESTS), false));
    }

    /** @return whether the connector speaks TLS (with ALPN h2 and http/1.1) */
    boolean tls() {
        return keyStore != null;
    }

    /** @return whether this configuration deploys a WAR file rather than the programmatic web application */
    boolean deploysWar() {
        return war != null;
    }

    private static void checkKeys(String what, Map<String, ?> map, Set<String> allowed) {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown " + what + " key '" + key + "', allowed: " + allowed);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value, String key) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(key + " must be a List of Maps");
        }
        return (List<Map<String, Object>>) value;
    }

    private static String string(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' must be a non-empty String in " + map);
        }
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value == null ? List.of() : List.copyOf((List<String>) value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object value) {
        return value == null ? Map.of() : new LinkedHashMap<>((Map<String, String>) value);
    }

    private static boolean bool(Object value, boolean absent) {
        return value == null ? absent : (Boolean) value;
    }

    private static OptionalLong millis(Object value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(((Number) value).longValue());
    }
}
