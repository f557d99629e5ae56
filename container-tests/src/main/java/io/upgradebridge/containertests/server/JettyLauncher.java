package io.upgradebridge.containertests.server;

import io.upgradebridge.containertests.server.LauncherConfig.FilterSpec;
import io.upgradebridge.containertests.server.LauncherConfig.ServletSpec;
import jakarta.servlet.DispatcherType;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ListenerHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.eclipse.jetty.ee10.servlet.Source;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12.1 (ee10, Servlet 6.0): {@link Server}, one {@link ServerConnector} on 127.0.0.1 and one
 * {@link ServletContextHandler} at {@code "/"} with sessions, listeners, filters and servlets registered
 * programmatically.
 *
 * <p>Each deployment gets its own (empty) context class loader whose parent is the world loader, so threads a
 * web application starts can be told apart the way Tomcat's web application class loader allows. Undeploy
 * stops the context handler (the server answers 404); deploy starts it again with a new class loader. Holders
 * registered through this embedded API survive a restart; servlet and filter instances are new.
 *
 * <p>With {@link ContainerLauncher#WAR} the server deploys that WAR file instead, as a standalone Jetty does: see
 * {@link JettyWarDeployment}.
 */
public final class JettyLauncher extends AbstractLauncher {

    private static final String ASYNC_TIMEOUT_PROPERTY =
            "org.eclipse.jetty.ee10.servlet.ServletChannelState.DEFAULT_TIMEOUT";
    private static final long STOP_TIMEOUT_MILLIS = 5_000;

    private final AtomicInteger deployments = new AtomicInteger();
    private Server server;
    private ServletContextHandler context;
    private JettyWarDeployment warDeployment;

    /** Public no-arg constructor: the test side creates launchers reflectively. */
    public JettyLauncher() {
    }

    @Override
    protected int startServer(LauncherConfig config) throws Exception {
        config.asyncTimeoutMillis().ifPresent(this::initAsyncDefaultTimeout);

        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty-qtp");
        server = new Server(threads);
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        config.idleTimeoutMillis().ifPresent(connector::setIdleTimeout);
        server.addConnector(connector);

        if (config.deploysWar()) {
            warDeployment = new JettyWarDeployment(server, config);
            server.start();
            warDeployment.deploy();
            return connector.getLocalPort();
        }

        context = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
        config.contextInitParams().forEach(context::setInitParameter);
        // ContextHandler attributes are persistent: they are there again after a restart.
        config.contextAttributes().forEach(context::setAttribute);
        ServletHandler handler = context.getServletHandler();
        for (String listener : config.listeners()) {
            // a descriptor-like (not ServletContext.addListener) listener: it may add filters and servlets
            ListenerHolder holder = handler.newListenerHolder(Source.EMBEDDED);
            holder.setClassName(listener);
            handler.addListener(holder);
        }
        for (FilterSpec spec : config.filters()) {
            FilterHolder holder = new FilterHolder();
            holder.setName(spec.name());
            holder.setClassName(spec.className());
            holder.setAsyncSupported(spec.asyncSupported());
            holder.setInitParameters(spec.initParams());
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName(spec.name());
            mapping.setPathSpecs(spec.urlPatterns().toArray(String[]::new));
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            handler.addFilter(holder, mapping);
        }
        for (ServletSpec spec : config.servlets()) {
            ServletHolder holder = new ServletHolder();
            holder.setName(spec.name());
            holder.setClassName(spec.className());
            holder.setAsyncSupported(spec.asyncSupported());
            holder.setInitOrder(spec.loadOnStartup());
            holder.setInitParameters(spec.initParams());
            handler.addServlet(holder);
            ServletMapping mapping = new ServletMapping();
            mapping.setServletName(spec.name());
            mapping.setPathSpecs(spec.urlPatterns().toArray(String[]::new));
            handler.addServletMapping(mapping);
        }
        context.setClassLoader(newContextLoader());
        server.setHandler(context);
        server.start();
        if (!context.isAvailable()) {
            throw new IllegalStateException("context did not start (see the captured log lines)");
        }
        return connector.getLocalPort();
    }

    /**
     * Jetty ee10 has no setter for the default AsyncContext timeout: {@code ServletChannelState} reads a system
     * property once, when the class is initialised. This world has its own copy of that class, so set the
     * property, initialise the class here, and put the property back.
     */
    private void initAsyncDefaultTimeout(long millis) {
        synchronized (System.class) {
            String previous = System.setProperty(ASYNC_TIMEOUT_PROPERTY, Long.toString(millis));
            try {
                Class.forName("org.eclipse.jetty.ee10.servlet.ServletChannelState", true, worldLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            } finally {
                if (previous == null) {
                    System.clearProperty(ASYNC_TIMEOUT_PROPERTY);
                } else {
                    System.setProperty(ASYNC_TIMEOUT_PROPERTY, previous);
                }
            }
        }
    }

    private ClassLoader newContextLoader() {
        return new URLClassLoader("jetty-context-" + deployments.incrementAndGet(), new URL[0], worldLoader());
    }

    @Override
    protected void deployApplication() throws Exception {
        if (warDeployment != null) {
            warDeployment.deploy();
            return;
        }
        context.setClassLoader(newContextLoader());
        context.start();
        if (!context.isAvailable()) {
            throw new IllegalStateException("context did not start (see the captured log lines)");
        }
    }

    @Override
    protected ClassLoader applicationClassLoader() {
        return warDeployment != null ? warDeployment.classLoader() : context.getClassLoader();
    }

    @Override
    protected void undeployApplication() throws Exception {
        if (warDeployment != null) {
            warDeployment.undeploy();
            return;
        }
        context.stop();
        // the stopped handler is kept for the next deploy: it must not keep the undeployed application's loader
        context.setClassLoader(null);
    }

    @Override
    protected void stopServer() throws Exception {
        if (server != null) {
            try {
                if (warDeployment != null) {
                    warDeployment.stop();
                }
            } finally {
                try {
                    server.stop();
                } finally {
                    server.destroy();
                }
            }
        }
    }
}
