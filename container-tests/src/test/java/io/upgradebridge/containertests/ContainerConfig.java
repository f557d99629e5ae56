package io.upgradebridge.containertests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-side builder of the launcher configuration map (see the server side's {@code ContainerLauncher} for the
 * keys). Class names are strings: the test side cannot load server classes. Mutable, not thread-safe; build
 * it once per test class.
 */
public final class ContainerConfig {

    /** Package of this module's server side, for class names: {@code SERVER + "HelloServlet"}. */
    public static final String SERVER = "io.upgradebridge.containertests.server.";

    private final List<Map<String, Object>> servlets = new ArrayList<>();
    private final List<Map<String, Object>> filters = new ArrayList<>();
    private final List<String> listeners = new ArrayList<>();
    private final Map<String, String> contextInitParams = new LinkedHashMap<>();
    private final Map<String, Object> contextAttributes = new LinkedHashMap<>();
    private Duration idleTimeout;
    private Duration asyncTimeout;
    private Path war;
    private boolean ignoreJettyWebXml;
    private Path keyStore;
    private String keyStorePassword;
    private boolean logRequests;

    public static ContainerConfig create() {
        return new ContainerConfig();
    }

    public ContainerConfig servlet(String name, String className, String... urlPatterns) {
        return servlet(name, className, Map.of(), urlPatterns);
    }

    public ContainerConfig servlet(String name, String className, Map<String, String> initParams,
                                   String... urlPatterns) {
        servlets.add(component(name, className, initParams, urlPatterns));
        return this;
    }

    /** Adds a filter mapped for REQUEST dispatches; filters run in the order they are added. */
    public ContainerConfig filter(String name, String className, Map<String, String> initParams,
                                  String... urlPatterns) {
        filters.add(component(name, className, initParams, urlPatterns));
        return this;
    }

    /**
     * Adds an application listener (e.g. a {@code ServletContextListener}) declared as {@code web.xml} declares one:
     * it may add filters and servlets while the application starts.
     */
    public ContainerConfig listener(String className) {
        listeners.add(className);
        return this;
    }

    public ContainerConfig contextInitParam(String name, String value) {
        contextInitParams.put(name, value);
        return this;
    }

    /** A servlet context attribute; the value must be a JDK type, shared as is with the server side. */
    public ContainerConfig contextAttribute(String name, Object value) {
        contextAttributes.put(name, value);
        return this;
    }

    public ContainerConfig idleTimeout(Duration timeout) {
        idleTimeout = timeout;
        return this;
    }

    public ContainerConfig asyncTimeout(Duration timeout) {
        asyncTimeout = timeout;
        return this;
    }

    /**
     * Deploys this WAR file instead of servlets and filters, as a standalone server would (see the server side's
     * {@code ContainerLauncher#WAR}). The container's class path then has no servlet-bridge: the WAR brings it.
     */
    public ContainerConfig war(Path warFile) {
        war = warFile.toAbsolutePath();
        return this;
    }

    /** With {@link #war}: Jetty deploys the WAR without applying its {@code WEB-INF/jetty-web.xml}. */
    public ContainerConfig ignoreJettyWebXml() {
        ignoreJettyWebXml = true;
        return this;
    }

    /**
     * The connector speaks TLS with the key and certificate in this PKCS12 file, and offers HTTP/2 ({@code h2}) and
     * HTTP/1.1 by ALPN (see the server side's {@code ContainerLauncher#KEY_STORE}).
     */
    public ContainerConfig tls(Path pkcs12, String password) {
        keyStore = pkcs12.toAbsolutePath();
        keyStorePassword = password;
        return this;
    }

    /** The container logs every request it receives: method, path, protocol (see {@code ContainerLauncher#LOG_REQUESTS}). */
    public ContainerConfig logRequests() {
        logRequests = true;
        return this;
    }

    /** @return whether the connector speaks TLS */
    boolean secure() {
        return keyStore != null;
    }

    /** @return whether this configuration deploys a WAR file */
    boolean deploysWar() {
        return war != null;
    }

    private static Map<String, Object> component(String name, String className, Map<String, String> initParams,
                                                 String... urlPatterns) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("class", className);
        map.put("urlPatterns", List.of(urlPatterns));
        map.put("initParams", Map.copyOf(initParams));
        return map;
    }

    /** @return the map for {@code ContainerLauncher#start}, with {@code workDir} added */
    Map<String, Object> toMap(String workDir) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("servlets", List.copyOf(servlets));
        map.put("filters", List.copyOf(filters));
        map.put("listeners", List.copyOf(listeners));
        map.put("contextInitParams", Map.copyOf(contextInitParams));
        map.put("contextAttributes", new LinkedHashMap<>(contextAttributes));
        if (idleTimeout != null) {
            map.put("idleTimeoutMillis", idleTimeout.toMillis());
        }
        if (asyncTimeout != null) {
            map.put("asyncTimeoutMillis", asyncTimeout.toMillis());
        }
        map.put("workDir", workDir);
        if (war != null) {
            map.put("war", war.toString());
        }
        if (ignoreJettyWebXml) {
            map.put("ignoreJettyWebXml", true);
        }
        if (keyStore != null) {
            map.put("keyStore", keyStore.toString());
            map.put("keyStorePassword", keyStorePassword);
        }
        if (logRequests) {
            map.put("logRequests", true);
        }
        return map;
    }
}
