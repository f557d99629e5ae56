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
    JETTY_12_1("Jetty", "jetty.version", "12.1.8", "jetty-12.1",
            "io.upgradebridge.containertests.server.JettyLauncher", "jetty/", null);

    private final String product;
    private final String version;
    private final String directory;
    private final String launcherClass;
    private final String serverInfoPrefix;
    private final String bridgeTransport;

    ContainerKind(String product, String versionProperty, String defaultVersion, String directory,
                  String launcherClass, String serverInfoPrefix, String bridgeTransport) {
        this.product = product;
        this.version = System.getProperty(versionProperty, defaultVersion);
        this.directory = directory;
        this.launcherClass = launcherClass;
        this.serverInfoPrefix = serverInfoPrefix;
        this.bridgeTransport = bridgeTransport;
    }

    /** @return the bridge's transport this kind forces on every deployed application, or null (the default, auto) */
    public String bridgeTransport() {
        return bridgeTransport;
    }

    /** @return e.g. {@code 10.1.59} */
    public String version() {
        return version;
    }

    /** @return the folder under {@code containers.dir} with this container's jars */
    public String directory() {
        return directory;
    }

    /** @return the launcher class name, loaded from the isolated class loader */
    public String launcherClass() {
        return launcherClass;
    }

    /** @return what {@code ServletContext#getServerInfo()} answers, e.g. {@code Apache Tomcat/10.1.59} */
    public String expectedServerInfo() {
        return serverInfoPrefix + version;
    }

    public boolean isTomcat() {
        return this != JETTY_12_1;
    }

    /** @return the display name, e.g. {@code Tomcat 10.1.59} (used by parameterized test names) */
    @Override
    public String toString() {
        return product + " " + version + (bridgeTransport != null ? " (" + bridgeTransport + " upgrade)" : "");
    }
}
