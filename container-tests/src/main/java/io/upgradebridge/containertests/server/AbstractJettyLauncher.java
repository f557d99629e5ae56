package io.upgradebridge.containertests.server;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.TunnelSupport;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12.1, whatever its servlet environment: {@link Server}, one {@link ServerConnector} on 127.0.0.1
 * and one servlet context at {@code "/"}, built by the environment's subclass ({@link JettyLauncher} for ee10,
 * {@link JettyEe11Launcher} for ee11) with sessions, listeners, filters and servlets registered programmatically.
 * Everything here is Jetty's core API, the same in every environment.
 *
 * <p>Each deployment gets its own (empty) context class loader whose parent is the world loader, so threads a
 * web application starts can be told apart the way Tomcat's web application class loader allows. Undeploy
 * stops the context handler (the server answers 404); deploy starts it again with a new class loader. Holders
 * registered through the embedded API survive a restart; servlet and filter instances are new.
 *
 * <p>With {@link ContainerLauncher#WAR} the server deploys that WAR file instead, as a standalone Jetty does: see
 * {@link JettyWarDeployment}. Stop is {@code Server.stop()} with a 5 s stop timeout, as a standalone Jetty stops.
 */
abstract class AbstractJettyLauncher extends AbstractLauncher {

    private static final long STOP_TIMEOUT_MILLIS = 5_000;

    private final AtomicInteger deployments = new AtomicInteger();
    private Server server;
    private ContextHandler context;
    private JettyWarDeployment warDeployment;

    /** @return the servlet environment, {@code ee10} or {@code ee11} (the package segment of its classes) */
    protected abstract String environment();

    /** @return the environment's {@code ServletContextHandler} at {@code "/"} with everything {@code config} lists */
    protected abstract ContextHandler newServletContext(LauncherConfig config);

    /**
     * @return the environment's {@code WebAppContext} for {@code war} at {@code "/"} with Jetty's default configurations,
     *     plus annotation scanning when the environment's annotations jar is in the Jetty folder, without
     *     {@code JettyWebXmlConfiguration} when {@code ignoreJettyWebXml}
     */
    protected abstract ContextHandler newWebAppContext(String war, File tempDirectory, boolean ignoreJettyWebXml);

    @Override
    protected int startServer(LauncherConfig config) throws Exception {
        config.asyncTimeoutMillis().ifPresent(this::initAsyncDefaultTimeout);

        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty-qtp");
        server = new Server(threads);
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);
        ServerConnector connector = config.tls() ? tlsConnector(config) : new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        config.idleTimeoutMillis().ifPresent(connector::setIdleTimeout);
        server.addConnector(connector);

        if (config.deploysWar()) {
            warDeployment = new JettyWarDeployment(server, config, this::newWebAppContext);
            if (config.logRequests()) {
                server.setHandler(new RequestLog(server.getHandler()));
            }
            server.start();
            warDeployment.deploy();
            return connector.getLocalPort();
        }

        context = newServletContext(config);
        context.setClassLoader(newContextLoader());
        server.setHandler(config.logRequests() ? new RequestLog(context) : context);
        server.start();
        if (!context.isAvailable()) {
            throw new IllegalStateException("context did not start (see the captured log lines)");
        }
        return connector.getLocalPort();
    }

    /**
     * TLS with the configured key store, and by ALPN HTTP/2 ({@code h2}, which advertises
     * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} by default) and HTTP/1.1: a production Jetty with its {@code ssl},
     * {@code http2} and {@code https} modules.
     */
    private ServerConnector tlsConnector(LauncherConfig config) {
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // clients connect to 127.0.0.1, which SNI does not carry
        http.addCustomizer(secure);
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http11.getProtocol());
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(config.keyStore());
        tls.setKeyStorePassword(config.keyStorePassword());
        tls.setKeyStoreType("PKCS12");
        return new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
    }

    /**
     * Logs every request as the container received it ({@link ContainerLauncher#LOG_REQUESTS}): method, path, the
     * connection's protocol, and the {@code :protocol} of an HTTP/2 extended CONNECT.
     */
    private static final class RequestLog extends Handler.Wrapper {
        private static final Logger LOG = Logger.getLogger(ContainerLauncher.REQUEST_LOGGER);

        RequestLog(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            TunnelSupport tunnel = request.getTunnelSupport();
            LOG.info(request.getMethod() + " " + request.getHttpURI().getPathQuery() + " "
                    + request.getConnectionMetaData().getProtocol()
                    + (tunnel != null && tunnel.getProtocol() != null ? " :protocol " + tunnel.getProtocol() : ""));
            return super.handle(request, response, callback);
        }
    }

    /**
     * Jetty's servlet environments have no setter for the default AsyncContext timeout: {@code ServletChannelState}
     * reads a system property once, when the class is initialised. This world has its own copy of that class, so set
     * the property, initialise the class here, and put the property back.
     */
    private void initAsyncDefaultTimeout(long millis) {
        String channelState = "org.eclipse.jetty." + environment() + ".servlet.ServletChannelState";
        String property = channelState + ".DEFAULT_TIMEOUT";
        synchronized (System.class) {
            String previous = System.setProperty(property, Long.toString(millis));
            try {
                Class.forName(channelState, true, worldLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            } finally {
                if (previous == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, previous);
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
                server.stop(); // graceful phase (bounded by the stop timeout), connectors, then the handlers
            } finally {
                server.destroy();
            }
        }
    }
}
