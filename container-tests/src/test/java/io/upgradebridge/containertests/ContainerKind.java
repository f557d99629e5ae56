package io.upgradebridge.containertests;

import java.util.List;

/**
 * The containers every scenario runs on. Versions come from the build (system properties set by Surefire
 * from the root pom's properties), with the current ones as fallback for runs from an IDE.
 */
public enum ContainerKind {

    TOMCAT_10_1("Tomcat", "tomcat10.version", "10.1.59", List.of("tomcat-10.1"),
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", null),
    TOMCAT_11("Tomcat", "tomcat11.version", "11.0.25", List.of("tomcat-11"),
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", null),
    /**
     * Tomcat 11 with the bridge's transport set to {@code servlet}: the standard {@code HttpServletRequest.upgrade()}
     * path, which the bridge falls back to when Tomcat's internal upgrade API cannot be used.
     */
    TOMCAT_11_SERVLET_UPGRADE("Tomcat", "tomcat11.version", "11.0.25", List.of("tomcat-11"),
            "io.upgradebridge.containertests.server.TomcatLauncher", "Apache Tomcat/", "servlet"),
    /** Jetty 12.1 in its ee10 environment (Servlet 6.0). */
    JETTY_12_1("Jetty", "jetty.version", "12.1.8", List.of("jetty-12.1-ee10", "jetty-12.1"),
            "io.upgradebridge.containertests.server.JettyLauncher", "jetty/", null),
    /** Jetty 12.1 in its ee11 environment (Servlet 6.1): the same core, ee11's own servlet classes. */
    JETTY_12_1_EE11("Jetty", "jetty.version", "12.1.8", List.of("jetty-12.1-ee11", "jetty-12.1"),
            "io.upgradebridge.containertests.server.JettyEe11Launcher", "jetty/", null);

    private final String product;
    private final String version;
    private final List<String> directories;
    private final String launcherClass;
    private final String serverInfoPrefix;
    private final String bridgeTransport;

    ContainerKind(String product, String versionProperty, String defaultVersion, List<String> directories,
                  String launcherClass, String serverInfoPrefix, String bridgeTransport) {
        this.product = product;
        this.version = System.getProperty(versionProperty, defaultVersion);
        this.directories = directories;
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

    /** @return the first folder under {@code containers.dir} with this container's jars, which names the kind's worlds */
    public String directory() {
        return directories.get(0);
    }

    /** @return every folder under {@code containers.dir} whose jars make this container (Jetty: environment, then core) */
    public List<String> directories() {
        return directories;
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
