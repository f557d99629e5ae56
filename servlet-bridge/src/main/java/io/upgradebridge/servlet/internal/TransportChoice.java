package io.upgradebridge.servlet.internal;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a filter takes connections over: the {@link UpgradeStarter} for the container it runs on (Jetty's connection
 * API on Jetty, Tomcat's internal upgrade API on Tomcat, the standard {@code HttpServletRequest.upgrade()} elsewhere),
 * or, when the container hides what the bridge needs, none and why. The container adapters are loaded by name, so
 * that nothing of a container is needed where it does not run.
 */
public final class TransportChoice {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final Pattern JETTY_ENVIRONMENT = Pattern.compile("^org\\.eclipse\\.jetty\\.(ee\\d+)\\.");

    /** The values of {@value FilterSettings#TRANSPORT_PARAM}. */
    public enum Mode {
        /** Jetty's API on Jetty, Tomcat's on Tomcat (the standard path if it cannot be loaded), the standard path elsewhere. */
        AUTO,
        /** Always the standard {@code HttpServletRequest.upgrade()}. */
        SERVLET,
        /** Jetty's connection API; the filter fails to start where it cannot be loaded. */
        JETTY,
        /** Tomcat's internal upgrade API; the filter fails to start where it cannot be loaded. */
        TOMCAT
    }

    private final UpgradeStarter starter;
    private final String problem;

    private TransportChoice(UpgradeStarter starter, String problem) {
        this.starter = starter;
        this.problem = problem;
    }

    /**
     * Chooses the starter for {@code mode} on the container of {@code context}.
     *
     * @throws ServletException when the mode asks for an adapter that cannot be loaded here
     */
    public static TransportChoice choose(Mode mode, ServletContext context) throws ServletException {
        String containerName = context.getServerInfo();
        String container = containerName.toLowerCase(Locale.ROOT);
        switch (mode) {
            case SERVLET:
                return standard(containerName);
            case JETTY:
                return jetty(context, true);
            case TOMCAT:
                return tomcat(containerName, true);
            default:
                if (container.startsWith("jetty")) {
                    return jetty(context, false);
                }
                if (container.startsWith("apache tomcat")) {
                    TransportChoice tomcat = tomcat(containerName, false);
                    return tomcat != null ? tomcat : standard(containerName);
                }
                return standard(containerName);
        }
    }

    private static TransportChoice standard(String containerName) {
        return new TransportChoice(new ServletUpgradeStarter(containerName), null);
    }

    /** Jetty's adapter; without it (Jetty hides its classes and it was not required) no starter, and why. */
    private static TransportChoice jetty(ServletContext context, boolean required) throws ServletException {
        try {
            return new TransportChoice(load("io.upgradebridge.servlet.internal.jetty.JettyUpgradeStarter", "org.eclipse.jetty.server.Request"), null);
        } catch (ReflectiveOperationException | LinkageError e) {
            String problem = "Jetty hides its server classes from this webapp, so the bridge cannot take over "
                + "connections (Jetty 12.1's standard upgrade path loses data). Expose org.eclipse.jetty.server., "
                + "org.eclipse.jetty.io. and org.eclipse.jetty.util. to the webapp in " + jettyWebXml(context)
                + " (see the README)";
            if (required) {
                throw new ServletException(problem, e);
            }
            LOG.log(Level.ERROR, problem + " (" + e + ")");
            return new TransportChoice(null, problem);
        }
    }

    /**
     * The descriptor Jetty reads for the webapp's environment: {@code WEB-INF/jetty-ee11-web.xml} on ee11 (Jetty 12
     * reads an environment's own file, and {@code WEB-INF/jetty-web.xml} only when there is none).
     */
    private static String jettyWebXml(ServletContext context) {
        Matcher environment = JETTY_ENVIRONMENT.matcher(context.getClass().getName());
        return environment.find() ? "WEB-INF/jetty-" + environment.group(1) + "-web.xml (or WEB-INF/jetty-web.xml)"
            : "WEB-INF/jetty-eeN-web.xml for the webapp's environment (or WEB-INF/jetty-web.xml)";
    }

    /** Tomcat's adapter, or {@code null} when this Tomcat lacks its internal upgrade API and it was not required. */
    private static TransportChoice tomcat(String containerName, boolean required) throws ServletException {
        try {
            return new TransportChoice(load("io.upgradebridge.servlet.internal.tomcat.TomcatUpgradeStarter",
                "org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler"), null);
        } catch (ReflectiveOperationException | LinkageError e) {
            String problem = "this webapp cannot use Tomcat's internal upgrade API (org.apache.coyote.http11.upgrade."
                + "InternalHttpUpgradeHandler) on " + containerName;
            if (required) {
                throw new ServletException(problem + "; set " + FilterSettings.TRANSPORT_PARAM + " to auto or servlet", e);
            }
            LOG.log(Level.WARNING, problem + "; using the standard HttpServletRequest.upgrade() path instead (" + e + ")");
            return null;
        }
    }

    /**
     * Loads an adapter. On the module path the bridge's module first reads the container's module the adapter links
     * against (module-info requires Jetty's only statically and Tomcat's not at all); on the class path, as in every
     * web application, there is nothing to read.
     */
    private static UpgradeStarter load(String className, String containerClass) throws ReflectiveOperationException {
        ClassLoader loader = TransportChoice.class.getClassLoader();
        Module bridge = TransportChoice.class.getModule();
        if (bridge.isNamed()) {
            bridge.addReads(Class.forName(containerClass, false, loader).getModule());
        }
        return (UpgradeStarter) Class.forName(className, true, loader).getConstructor().newInstance();
    }

    /** The starter, or {@code null} when the container cannot hand connections over (see {@link #problem()}). */
    public UpgradeStarter starter() {
        return starter;
    }

    /** Why there is no starter, or {@code null}. */
    public String problem() {
        return problem;
    }

    /** The {@code :protocol} of an HTTP/2 extended CONNECT the starter can hand over, or {@code null}. */
    public String extendedConnectProtocol(HttpServletRequest request) {
        if (starter == null) {
            return null;
        }
        try {
            return starter.extendedConnectProtocol(request);
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "cannot tell whether " + request.getRequestURI() + " is an HTTP/2 extended CONNECT", e);
            return null;
        }
    }

    /**
     * Lets the container's graceful stop run {@code stopping} first, where it has one (Jetty).
     *
     * @return what joined, for the start-up log line, or {@code null}
     */
    public String joinGracefulStop(ServletContext context, Runnable stopping) {
        if (starter == null) {
            return null;
        }
        try {
            return starter.joinGracefulStop(context, stopping);
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "the bridge cannot take part in " + context.getServerInfo() + "'s graceful stop; upgraded "
                + "connections are closed when the application stops instead (" + e + ")");
            return null;
        }
    }

    /** Undoes {@link #joinGracefulStop}. */
    public void leaveGracefulStop() {
        if (starter != null) {
            starter.leaveGracefulStop();
        }
    }

    /** What takes connections over, for the start-up log line. */
    public String describe() {
        return starter != null ? starter.describe() : "nothing (" + problem + ")";
    }
}
