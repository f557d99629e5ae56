package io.upgradebridge.containertests;


/**
 * The containers every scenario runs on. Versions come from the build (system properties set by Surefire
 * from the root pom's properties), with the current ones as fallback for runs from an IDE.
 */
public enum ContainerKind {

    TOMCAT_10_1("Tomcat", "tomcat10.version", "10.1.59", "tomcat-10.1",
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", null),
    TOMCAT_11("Tomcat", "tomcat11.version", "11.0.25", "tomcat-11",
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", null),
    /**
     * Tomcat 11 with the bridge's transport set to {@code servlet}: the standard {@code HttpServletRequest.upgrade()}
     * path, which the bridge falls back to when Tomcat's internal upgrade API cannot be used.
     */
    TOMCAT_11_SERVLET_UPGRADE("Tomcat", "tomcat11.version", "11.0.25", "tomcat-11",
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", "servlet"),
    /** Jetty 12.1 in its ee10 environment (Servlet 6.0). */
    JETTY_12_1("Jetty", "jetty.version", "12.1.8", "jetty-12.1-ee10",
            "io.upgradebridge.containertests.server.JettyLauncher", "jetty/", null),
    /** Jetty 12.1 in its ee11 environment (Servlet 6.1): the same core, ee11's own servlet classes. */
    JETTY_12_1_EE11("Jetty", "jetty.version", "12.1.8", "jetty-12.1-ee11",
            "io.upgradebridge.containertests.server.JettyEe11Launcher", "jetty/", null),
    /** Embedded Undertow (Servlet 6.0): the bridge takes connections over through the standard {@code upgrade()}. */
    UNDERTOW_2_3("Undertow", "undertow.version", "2.3.26.Final", "undertow-2.3",
            "io.upgradebridge.containertests.server.UndertowLauncher", "Undertow - ", null),
    /**
     * Payara Micro 6 (Jakarta EE 10) in a JVM of its own, on Java 11 to 21: the standard {@code upgrade()} path, the
     * server's managed executor.
     */
    PAYARA_6("Payara Micro", "payara6.version", "6.2025.10", "payara-6",
            "io.upgradebridge.containertests.process.PayaraMicroAdapter", "Payara Micro ", 11, 21),
    /** Payara Micro 7 (Jakarta EE 11) in a JVM of its own; it needs Java 21 or newer. */
    PAYARA_7("Payara Micro", "payara7.version", "7.2026.11", "payara-7",
            "io.upgradebridge.containertests.process.PayaraMicroAdapter", "Payara Micro ", 21, Integer.MAX_VALUE),
    /**
     * GlassFish 7 Embedded (Jakarta EE 10, {@code glassfish-embedded-all}) in a JVM of its own, on Java 11 to 21. Opt-in
     * ({@code -Dcontainers=GLASSFISH_7}): its redeploy cycles stalled in the server (see the README), so the default run
     * leaves it out, with that reason.
     */
    GLASSFISH_7("GlassFish", "glassfish7.version", "7.0.25", "glassfish-7",
            "io.upgradebridge.containertests.process.GlassFishEmbeddedAdapter", null, 11, 21);

    private final String product;
    private final String version;
    private final String directory;
    private final String launcherClass;
    private final String serverInfoPrefix;
    private final String bridgeTransport;

    /** Whether the container runs in a JVM of its own ({@link ProcessContainer}) rather than in this one. */
    private final boolean ownProcess;
    /** The Java feature versions an own-process container runs on (it runs on this JVM's JDK). */
    private final int minJava;
    private final int maxJava;

    ContainerKind(String product, String versionProperty, String defaultVersion, String directory,
                  String launcherClass, String serverInfoPrefix, String bridgeTransport) {
        this.product = product;
        this.version = System.getProperty(versionProperty, defaultVersion);
        this.directory = directory;
        this.launcherClass = launcherClass;
        this.serverInfoPrefix = serverInfoPrefix;
        this.bridgeTransport = bridgeTransport;
        this.ownProcess = false;
        this.minJava = 17;
        this.maxJava = Integer.MAX_VALUE;
    }

    /**
     * A container in its own JVM; {@code adapterClass} names its {@code ServerAdapter}; {@code serverInfoPrefix} is
     * followed by the version, or null when the server reports {@code product + " 0.0.0"} (GlassFish Embedded has no
     * version of its own).
     */
    ContainerKind(String product, String versionProperty, String defaultVersion, String directory,
                  String adapterClass, String serverInfoPrefix, int minJava, int maxJava) {
        this.product = product;
        this.version = System.getProperty(versionProperty, defaultVersion);
        this.directory = directory;
        this.launcherClass = adapterClass;
        this.serverInfoPrefix = serverInfoPrefix;
        this.bridgeTransport = null;
        this.ownProcess = true;
        this.minJava = minJava;
        this.maxJava = maxJava;
    }

    /**
     * @return whether the launcher can set this container's default {@code AsyncContext} timeout: not Undertow (fixed
     *         30 s, no setting) nor the containers in a JVM of their own (configured through their own files)
     */
    public boolean setsAsyncTimeout() {
        return asyncTimeoutUnsupportedReason() == null;
    }

    /** @return why the launcher cannot set this container's default {@code AsyncContext} timeout, or null when it can */
    public String asyncTimeoutUnsupportedReason() {
        if (this == UNDERTOW_2_3) {
            return this + " has no setting for the default AsyncContext timeout (fixed at 30 s)";
        }
        return ownProcess ? this + " runs in a JVM of its own, configured through its own files: the harness does not set "
            + "its default AsyncContext timeout" : null;
    }

    /**
     * @return whether the container keeps an upgraded connection open for writing after the peer ended its output
     *         (TCP half-close). Grizzly (Payara, GlassFish) ends the whole connection when a read sees the peer's FIN:
     *         what the application writes after that is lost
     */
    public boolean keepsOutputAfterPeerFin() {
        return !product.equals("Payara Micro") && !product.equals("GlassFish");
    }

    /**
     * @return whether {@code response.reset()} removes an {@code Upgrade} header set before it. Grizzly (Payara, GlassFish)
     *         keeps that header in a field of its own, outside the header map, which neither {@code reset()} nor
     *         {@code setHeader(name, null)} clears
     */
    public boolean resetRemovesUpgradeHeader() {
        return keepsOutputAfterPeerFin();
    }

    /** @return whether the container reports a peer's reset as an ordinary end of input (Jetty, Grizzly): no cause to see */
    public boolean reportsResetAsEnd() {
        return isJetty() || !keepsOutputAfterPeerFin();
    }

    /**
     * @return why this harness cannot run this container with TLS or a request log, or null: GlassFish Embedded's
     *         HTTPS listener and access log are not set up (the opt-in kind; its default HTTPS listener logs SEVERE
     *         errors here)
     */
    public String tlsUnsupportedReason() {
        return this == GLASSFISH_7 ? this + ": the harness sets up neither an HTTPS listener nor the access log for "
            + "GlassFish Embedded (an opt-in kind)" : null;
    }

    /** @return why this container runs only when named in {@code -Dcontainers}, or null when it runs by default */
    public String optInReason() {
        return this == GLASSFISH_7 ? this + " runs only with -Dcontainers=GLASSFISH_7: a redeploy cycle stalled in the "
            + "server's undeploy (README, container table)" : null;
    }

    /** @return whether this container runs in a JVM of its own, see {@link ProcessContainer} */
    public boolean ownProcess() {
        return ownProcess;
    }

    /**
     * @return why this container cannot run on this JVM's Java version (own-process containers run on its JDK), or
     *         null when it can
     */
    public String unsupportedJavaReason() {
        int java = Runtime.version().feature();
        if (java >= minJava && java <= maxJava) {
            return null;
        }
        return this + " runs on Java " + minJava + (maxJava == Integer.MAX_VALUE ? " or newer" : " to " + maxJava)
            + ", this run is on Java " + java + (java < minJava ? " (.ci/run's second pass runs it on Temurin 25)"
            : " (.ci/run's first pass runs it on JDK 17)");
    }

    /** @return the bridge's transport this kind forces on every deployed application, or null (the default, auto) */
    public String bridgeTransport() {
        return bridgeTransport;
    }

    /** @return e.g. {@code 10.1.59} */
    public String version() {
        return version;
    }

    /**
     * @return the container world this kind runs in, e.g. {@code tomcat-11}: the module
     *         {@code container-tests/containers/<directory>}, whose jars make the container (see
     *         {@link ContainerClassPath#containerJars}); it also names the kind's work and log folders
     */
    public String directory() {
        return directory;
    }

    /** @return the launcher class name, loaded from the isolated class loader */
    public String launcherClass() {
        return launcherClass;
    }

    /** @return what {@code ServletContext#getServerInfo()} answers, e.g. {@code Apache Tomcat/10.1.59} */
    public String expectedServerInfo() {
        return serverInfoPrefix == null ? product + " 0.0.0" : serverInfoPrefix + version;
    }

    public boolean isTomcat() {
        return product.equals("Tomcat");
    }

    public boolean isJetty() {
        return product.equals("Jetty");
    }

    /** @return the display name, e.g. {@code Tomcat 10.1.59} (used by parameterized test names) */
    @Override
    public String toString() {
        return product + " " + version + (this == JETTY_12_1 ? " ee10" : this == JETTY_12_1_EE11 ? " ee11" : "")
                + (bridgeTransport != null ? " (" + bridgeTransport + " upgrade)" : "");
    }
}
