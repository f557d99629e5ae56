package io.upgradebridge.containertests.server;

import io.upgradebridge.containertests.server.LauncherConfig.FilterSpec;
import io.upgradebridge.containertests.server.LauncherConfig.ServletSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.TomcatURLStreamHandlerFactory;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.modeler.Registry;

/**
 * Embedded Tomcat (10.1 or 11: the embedding API used here is the same) with one {@link StandardContext} at
 * context path {@code ""}, its own web application class loader, listeners, filters and servlets registered
 * programmatically.
 *
 * <p>Undeploy removes the context from the host (stop + destroy, as the manager's undeploy does): that is
 * when {@code WebappClassLoaderBase.clearReferencesThreads} logs "... appears to have started a thread named
 * [x] but has failed to stop it ...". Threads are not stopped for the application
 * ({@code clearReferencesStopThreads} false). Deploy builds a new context from the same configuration.
 *
 * <p>With {@link ContainerLauncher#WAR} the context is that WAR file, deployed with
 * {@link Tomcat#addWebapp(Host, String, String, LifecycleListener) Tomcat.addWebapp} as a standalone Tomcat deploys
 * {@code webapps/ROOT.war}: unpacked into the host's {@code webapps} folder, with Tomcat's defaults (default
 * servlet, welcome files, MIME types) except the JSP servlet, as there is no JSP engine here.
 */
public final class TomcatLauncher extends AbstractLauncher {

    /** The bridge filter's transport parameter, set for {@link ContainerLauncher#BRIDGE_TRANSPORT}. */
    private static final String TRANSPORT_PARAM = "io.upgradebridge.transport";

    private static final String CATALINA_BASE = "catalina.base";
    private static final String CATALINA_HOME = "catalina.home";

    private LauncherConfig config;
    private Tomcat tomcat;
    private StandardContext context;
    private Path docBase;

    /** Public no-arg constructor: the test side creates launchers reflectively. */
    public TomcatLauncher() {
    }

    @Override
    protected int startServer(LauncherConfig config) throws Exception {
        this.config = config;
        // No JMX: two Tomcats in one JVM would register the same MBean names in the platform MBean server
        // (and keep this loader reachable from it). Static state of *this* world's Registry class only.
        Registry.disableRegistry();
        // No "war:" URL handler: URL.setURLStreamHandlerFactory can be called once per JVM, so the second
        // Tomcat would fail to start, and the first one's loader would stay reachable forever. Not needed
        // here: the application is a folder, or a WAR that the host unpacks before it deploys it.
        TomcatURLStreamHandlerFactory.disable();
        Path base = config.workDir() != null
                ? Files.createDirectories(Path.of(config.workDir()))
                : Files.createTempDirectory("tomcat-");
        docBase = Files.createDirectories(base.resolve("docBase"));
        Files.createDirectories(base.resolve("webapps"));

        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        createServerKeepingCatalinaProperties();
        tomcat.getServer().setParentClassLoader(worldLoader());
        tomcat.getHost().setAutoDeploy(false);
        tomcat.getEngine().setName("Tomcat");

        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        config.idleTimeoutMillis().ifPresent(ms -> connector.setProperty("connectionTimeout", Long.toString(ms)));
        config.asyncTimeoutMillis().ifPresent(connector::setAsyncTimeout);
        if (config.tls()) {
            configureTls(connector, config);
        }
        tomcat.setConnector(connector);
        if (config.logRequests()) {
            tomcat.getEngine().getPipeline().addValve(new RequestLog());
        }

        tomcat.start();
        if (connector.getLocalPort() <= 0) {
            throw new IllegalStateException("Tomcat connector did not bind: " + connector.getStateName());
        }
        deployApplication();
        return connector.getLocalPort();
    }

    /**
     * TLS with the configured key store and, as a production Tomcat enables HTTP/2, the {@link Http2Protocol} upgrade
     * protocol: ALPN offers {@code h2} and {@code http/1.1}. (Tomcat's HTTP/2 does not advertise
     * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}, so browsers open WebSockets over HTTP/1.1 connections.)
     */
    private static void configureTls(Connector connector, LauncherConfig config) {
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig host = new SSLHostConfig();
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateKeystoreFile(config.keyStore());
        certificate.setCertificateKeystorePassword(config.keyStorePassword());
        certificate.setCertificateKeystoreType("PKCS12");
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        connector.addUpgradeProtocol(new Http2Protocol());
    }

    /**
     * Logs every request as Tomcat received it ({@link ContainerLauncher#LOG_REQUESTS}): method, path and protocol, before
     * the context's filters run.
     */
    private static final class RequestLog extends ValveBase {
        private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ContainerLauncher.REQUEST_LOGGER);

        RequestLog() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws java.io.IOException, jakarta.servlet.ServletException {
            String query = request.getQueryString();
            LOG.info(request.getMethod() + " " + request.getRequestURI() + (query != null ? "?" + query : "") + " "
                    + request.getProtocol());
            getNext().invoke(request, response);
        }
    }

    /**
     * {@code Tomcat#getServer()} writes catalina.base/catalina.home into the JVM-wide system properties and
     * reads catalina.home from there: keep other containers of this JVM out of each other's way.
     */
    private void createServerKeepingCatalinaProperties() {
        String base = System.clearProperty(CATALINA_BASE);
        String home = System.clearProperty(CATALINA_HOME);
        try {
            tomcat.getServer();
        } finally {
            restore(CATALINA_BASE, base);
            restore(CATALINA_HOME, home);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Override
    protected void deployApplication() {
        if (config.deploysWar()) {
            deployWar();
            return;
        }
        StandardContext ctx = new StandardContext();
        ctx.setName("");
        ctx.setPath("");
        ctx.setDocBase(docBase.toString());
        ctx.addLifecycleListener(new Tomcat.FixContextListener());
        ctx.setParentClassLoader(worldLoader());
        ctx.setClearReferencesStopThreads(false);
        config.contextInitParams().forEach(ctx::addParameter);
        if (config.bridgeTransport() != null && !config.contextInitParams().containsKey(TRANSPORT_PARAM)) {
            ctx.addParameter(TRANSPORT_PARAM, config.bridgeTransport());
        }
        Map<String, Object> attributes = config.contextAttributes();
        if (!attributes.isEmpty()) {
            ctx.addServletContainerInitializer((classes, servletContext) -> attributes.forEach(
                    servletContext::setAttribute), null);
        }
        // as web.xml declares them: such a listener may add filters and servlets while the context starts
        config.listeners().forEach(ctx::addApplicationListener);
        for (FilterSpec spec : config.filters()) {
            FilterDef def = new FilterDef();
            def.setFilterName(spec.name());
            def.setFilterClass(spec.className());
            def.setAsyncSupported(Boolean.toString(spec.asyncSupported()));
            spec.initParams().forEach(def::addInitParameter);
            ctx.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName(spec.name());
            spec.urlPatterns().forEach(map::addURLPattern);
            ctx.addFilterMap(map);
        }
        for (ServletSpec spec : config.servlets()) {
            Wrapper wrapper = ctx.createWrapper();
            wrapper.setName(spec.name());
            wrapper.setServletClass(spec.className());
            wrapper.setAsyncSupported(spec.asyncSupported());
            wrapper.setLoadOnStartup(spec.loadOnStartup());
            spec.initParams().forEach(wrapper::addInitParameter);
            ctx.addChild(wrapper);
            spec.urlPatterns().forEach(pattern -> ctx.addServletMapping(pattern, spec.name()));
        }
        boolean mapsRoot = config.servlets().stream().anyMatch(spec -> spec.urlPatterns().contains("/"));
        if (!mapsRoot) {
            // what a standalone Tomcat's conf/web.xml gives every application (and Jetty adds by itself): a
            // default servlet, so that requests to paths no servlet maps still pass the application's filters
            Wrapper fallback = ctx.createWrapper();
            fallback.setName("default");
            fallback.setServletClass("org.apache.catalina.servlets.DefaultServlet");
            fallback.setLoadOnStartup(1);
            ctx.addChild(fallback);
            ctx.addServletMapping("/", "default");
        }
        addAndStart(ctx);
    }

    private void deployWar() {
        // addWebapp creates the context, adds it to the running host and so starts it
        Context ctx;
        try {
            ctx = tomcat.addWebapp(tomcat.getHost(), "", config.war(), new NoJspContextConfig(config.bridgeTransport()));
        } catch (RuntimeException e) {
            removeFailed(tomcat.getHost().findChild(""), e);
            throw e;
        }
        checkStarted((StandardContext) ctx);
    }

    /** Adds {@code ctx} to the running host, which starts it. */
    private void addAndStart(StandardContext ctx) {
        Host host = tomcat.getHost();
        try {
            // Starts the context at once: the host is running.
            host.addChild(ctx);
        } catch (RuntimeException e) {
            removeFailed(ctx, e);
            throw e;
        }
        checkStarted(ctx);
    }

    private void checkStarted(StandardContext ctx) {
        if (!ctx.getState().isAvailable()) {
            IllegalStateException failure = new IllegalStateException("context did not start: " + ctx.getStateName()
                    + " (see the captured log lines)");
            removeFailed(ctx, failure);
            throw failure;
        }
        context = ctx;
    }

    /** A context that failed to start stays a child of the host: remove it so deploy can be retried. */
    private void removeFailed(Container ctx, RuntimeException failure) {
        Host host = tomcat.getHost();
        if (ctx != null && host.findChild(ctx.getName()) != null) {
            try {
                host.removeChild(ctx);
            } catch (RuntimeException removeFailure) {
                failure.addSuppressed(removeFailure);
            }
        }
    }

    /**
     * {@link ContextConfig} for a WAR, after Tomcat's {@code DefaultWebXmlListener} (which {@code addWebapp} adds
     * first): takes out the JSP servlet of Tomcat's defaults again. Tomcat always loads it at startup, and without
     * a JSP engine on the class path that fails with a logged stack trace.
     */
    private static final class NoJspContextConfig extends ContextConfig {
        private final String bridgeTransport;

        NoJspContextConfig(String bridgeTransport) {
            this.bridgeTransport = bridgeTransport;
        }

        @Override
        public void lifecycleEvent(LifecycleEvent event) {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType()) && event.getLifecycle() instanceof Context ctx
                    && ctx.findChild("jsp") != null) {
                ctx.removeServletMapping("*.jsp");
                ctx.removeServletMapping("*.jspx");
                ctx.removeChild(ctx.findChild("jsp"));
            }
            super.lifecycleEvent(event);
            // after web.xml was read (configure start), before the context merges its parameters and starts filters
            if (bridgeTransport != null && Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())
                    && event.getLifecycle() instanceof Context ctx && ctx.findParameter(TRANSPORT_PARAM) == null) {
                ctx.addParameter(TRANSPORT_PARAM, bridgeTransport);
            }
        }
    }

    @Override
    protected ClassLoader applicationClassLoader() {
        return context.getLoader().getClassLoader();
    }

    @Override
    protected void undeployApplication() {
        StandardContext ctx = context;
        context = null;
        tomcat.getHost().removeChild(ctx);
    }

    @Override
    protected void stopServer() throws Exception {
        if (tomcat == null) {
            return;
        }
        try {
            tomcat.stop();
        } finally {
            tomcat.destroy();
            context = null;
        }
    }
}
