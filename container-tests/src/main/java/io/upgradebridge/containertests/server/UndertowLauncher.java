package io.upgradebridge.containertests.server;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ListenerInfo;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletInfo;
import io.upgradebridge.containertests.server.LauncherConfig.FilterSpec;
import io.upgradebridge.containertests.server.LauncherConfig.ServletSpec;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.EventListener;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Embedded Undertow 2.3 (Servlet 6.0): one HTTP listener on 127.0.0.1 (with {@link ContainerLauncher#KEY_STORE}: an
 * HTTPS listener with HTTP/2 enabled, ALPN {@code h2} and {@code http/1.1}) and one servlet deployment at {@code "/"}
 * built with Undertow's {@link DeploymentInfo} API (listeners, filters, servlets, context parameters and attributes).
 * Undertow adds its default servlet when no servlet maps {@code "/"}. Its {@code HttpServletRequest.upgrade()}
 * writes the 101 once the servlet's request has completed and then calls {@code init} on a worker thread.
 *
 * <p>Each deployment gets its own (empty) class loader whose parent is the world loader, as with Jetty, so that the
 * application's threads and loader can be told apart. Undeploy stops and undeploys the deployment and takes it off
 * the path handler (the server answers 404); deploy builds a new deployment from the same configuration.
 *
 * <p>With {@link ContainerLauncher#WAR} the WAR is deployed by {@link UndertowWarDeployment} (embedded Undertow has
 * no deployer of its own: WildFly's parses descriptors). Undertow has no setting for the default
 * {@code AsyncContext} timeout (30 s): {@link ContainerLauncher#ASYNC_TIMEOUT_MILLIS} is not applied.
 *
 * <p>Stop undeploys the application first, as WildFly stops its deployments before its listeners (the bridge's filter
 * then closes every session, WebSockets with 1001), then stops Undertow and its worker: {@code Undertow.stop()} alone
 * would wait for ever for connections that stay open.
 */
public final class UndertowLauncher extends AbstractLauncher {

    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    /** Task threads of the XNIO worker (Undertow's default: 8 per core). */
    private static final int WORKER_THREADS = 16;

    private final AtomicInteger deployments = new AtomicInteger();
    private final ServletContainer servletContainer = ServletContainer.Factory.newInstance();
    private final PathHandler paths = Handlers.path();
    private LauncherConfig config;
    private Undertow server;
    private XnioWorker worker;
    private ThreadPoolExecutor tasks;
    private DeploymentManager manager;
    private ClassLoader applicationLoader;

    /** Public no-arg constructor: the test side creates launchers reflectively. */
    public UndertowLauncher() {
    }

    @Override
    protected int startServer(LauncherConfig config) throws Exception {
        this.config = config;
        tasks = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            new WorldThreads(worldLoader()));
        tasks.allowCoreThreadTimeOut(true);
        worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorkerBuilder()
            .setWorkerName("undertow").setWorkerIoThreads(2).setDaemon(true).setExternalExecutorService(tasks).build();
        Undertow.Builder builder = Undertow.builder().setWorker(worker)
            .setHandler(config.logRequests() ? new RequestLog(paths) : paths);
        if (config.tls()) {
            // as a production Undertow (WildFly's https-listener with enable-http2): TLS, ALPN h2 and http/1.1
            builder.addHttpsListener(0, "127.0.0.1", tls(config)).setServerOption(UndertowOptions.ENABLE_HTTP2, true);
        } else {
            builder.addHttpListener(0, "127.0.0.1");
        }
        config.idleTimeoutMillis().ifPresent(ms -> builder.setServerOption(UndertowOptions.IDLE_TIMEOUT, (int) ms)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) ms));
        server = builder.build();
        server.start();
        deployApplication();
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** An {@link SSLContext} with the key and certificate of the configured PKCS12 key store. */
    private static SSLContext tls(LauncherConfig config) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(config.keyStore()))) {
            keys.load(in, config.keyStorePassword().toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, config.keyStorePassword().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    /**
     * Logs every request as Undertow received it ({@link ContainerLauncher#LOG_REQUESTS}): method, path and query, and
     * the protocol of the exchange ({@code HTTP/2.0} over an HTTP/2 stream), before any servlet sees it.
     */
    private static final class RequestLog implements HttpHandler {
        private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ContainerLauncher.REQUEST_LOGGER);
        private final HttpHandler next;

        RequestLog(HttpHandler next) {
            this.next = next;
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            String query = exchange.getQueryString();
            LOG.info(exchange.getRequestMethod() + " " + exchange.getRequestPath()
                + (query == null || query.isEmpty() ? "" : "?" + query) + " " + exchange.getProtocol());
            next.handleRequest(exchange);
        }
    }

    @Override
    protected void deployApplication() throws Exception {
        int n = deployments.incrementAndGet();
        DeploymentInfo info;
        if (config.deploysWar()) {
            info = UndertowWarDeployment.deploymentInfo(config, worldLoader(), n);
        } else {
            info = programmaticDeployment(n);
        }
        DeploymentManager deployment = servletContainer.addDeployment(info);
        deployment.deploy();
        paths.addPrefixPath("/", deployment.start());
        manager = deployment;
        applicationLoader = info.getClassLoader();
    }

    private DeploymentInfo programmaticDeployment(int n) throws ClassNotFoundException {
        ClassLoader loader = new URLClassLoader("undertow-context-" + n, new URL[0], worldLoader());
        DeploymentInfo info = Servlets.deployment()
            .setClassLoader(loader)
            .setContextPath("/")
            .setDeploymentName("app-" + n);
        config.contextInitParams().forEach(info::addInitParameter);
        if (config.bridgeTransport() != null && !config.contextInitParams().containsKey("io.upgradebridge.transport")) {
            info.addInitParameter("io.upgradebridge.transport", config.bridgeTransport());
        }
        config.contextAttributes().forEach(info::addServletContextAttribute);
        for (String listener : config.listeners()) {
            info.addListener(new ListenerInfo(loadClass(loader, listener, EventListener.class)));
        }
        for (FilterSpec spec : config.filters()) {
            FilterInfo filter = Servlets.filter(spec.name(), loadClass(loader, spec.className(), Filter.class))
                .setAsyncSupported(spec.asyncSupported());
            spec.initParams().forEach(filter::addInitParam);
            info.addFilter(filter);
            for (String pattern : spec.urlPatterns()) {
                info.addFilterUrlMapping(spec.name(), pattern, DispatcherType.REQUEST);
            }
        }
        for (ServletSpec spec : config.servlets()) {
            ServletInfo servlet = Servlets.servlet(spec.name(), loadClass(loader, spec.className(), Servlet.class))
                .setAsyncSupported(spec.asyncSupported())
                .setLoadOnStartup(spec.loadOnStartup() < 0 ? null : spec.loadOnStartup());
            spec.initParams().forEach(servlet::addInitParam);
            spec.urlPatterns().forEach(servlet::addMapping);
            info.addServlet(servlet);
        }
        return info;
    }

    private static <T> Class<? extends T> loadClass(ClassLoader loader, String name, Class<T> type)
            throws ClassNotFoundException {
        return Class.forName(name, false, loader).asSubclass(type);
    }

    @Override
    protected ClassLoader applicationClassLoader() {
        return applicationLoader;
    }

    @Override
    protected void undeployApplication() throws Exception {
        DeploymentManager deployment = manager;
        manager = null;
        applicationLoader = null;
        DeploymentInfo info = deployment.getDeployment().getDeploymentInfo();
        paths.removePrefixPath("/");
        try {
            deployment.stop();
        } finally {
            deployment.undeploy();
            servletContainer.removeDeployment(info);
            if (info.getResourceManager() != null) {
                info.getResourceManager().close();
            }
        }
    }

    @Override
    protected void stopServer() throws Exception {
        try {
            if (manager != null) {
                undeployApplication();
            }
        } finally {
            try {
                if (server != null) {
                    server.stop(); // closes the listener; the worker is ours to stop
                }
            } finally {
                stopWorker();
            }
        }
    }

    /**
     * Stops the XNIO worker: a plain {@code shutdown()} waits until every connection is closed, so a client that keeps
     * one open (an idle keep-alive connection) would hold it for ever; as Jetty's stop timeout does, connections still
     * open after {@value #STOP_TIMEOUT_MILLIS} ms are cut ({@code shutdownNow}).
     */
    private void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.shutdown();
            if (!worker.awaitTermination(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
                worker.awaitTermination(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        if (tasks != null) {
            tasks.shutdownNow();
            tasks.awaitTermination(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The worker's task threads, with the world loader as their context class loader. XNIO's own pool starts a thread
     * from whichever thread hands it a task, and a new thread inherits that thread's context class loader: a task
     * submitted while a servlet runs (Undertow ends the exchange of an upgrade and starts its {@code init} from the
     * request's thread) would start a pool thread that holds the application's loader for as long as it lives, past
     * undeploy (seen: {@code XNIO-1 task-3} holding the first deployment's loader). Tomcat's thread factory sets the
     * loader the same way.
     */
    private static final class WorldThreads implements ThreadFactory {
        private final ClassLoader world;
        private final AtomicInteger count = new AtomicInteger();

        WorldThreads(ClassLoader world) {
            this.world = world;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "undertow-task-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(world);
            return thread;
        }
    }
}
