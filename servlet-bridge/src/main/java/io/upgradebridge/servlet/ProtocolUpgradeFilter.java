package io.upgradebridge.servlet;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.servlet.internal.ExecutorChoice;
import io.upgradebridge.servlet.internal.ExtendedConnectRequest;
import io.upgradebridge.servlet.internal.FilterSettings;
import io.upgradebridge.servlet.internal.LiveUpgrades;
import io.upgradebridge.servlet.internal.TransportChoice;
import io.upgradebridge.servlet.internal.UpgradeRouters;
import io.upgradebridge.servlet.internal.Upgrader;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The servlet filter that turns {@link ApplicationCall#respond} with an
 * {@link OutgoingContent.ProtocolUpgrade} into a real HTTP upgrade, on any container.
 *
 * <p>Register it for the paths that may upgrade, in {@code web.xml}:
 * <pre>{@code
 * <filter>
 *   <filter-name>upgrade-bridge</filter-name>
 *   <filter-class>io.upgradebridge.servlet.ProtocolUpgradeFilter</filter-class>
 *   <async-supported>true</async-supported>
 * </filter>
 * <filter-mapping>
 *   <filter-name>upgrade-bridge</filter-name>
 *   <url-pattern>/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 * or by annotating a subclass: {@code @WebFilter(urlPatterns = "/*", asyncSupported = true) public class
 * MyUpgradeFilter extends ProtocolUpgradeFilter {}}.
 *
 * <p>Parameters (filter init-param, else context-param):
 * <ul>
 *   <li>{@value #EXECUTOR_PARAM}: the executor for upgrades, as a JNDI name ({@code java:...}) or the
 *   name of a servlet-context attribute holding an {@link Executor}. Without it the filter uses, in this
 *   order: {@code java:comp/DefaultManagedExecutorService}, Jetty's server thread pool, virtual threads
 *   (Java 21+), or a bounded pool of its own. That executor is the upgrade's {@code engineContext}, and its
 *   {@code userContext} too, except that application code (which may block) takes at most a quarter of the
 *   threads of Jetty's pool or the bridge's bounded pool; past that it runs on virtual threads (Java 21+) or a
 *   pool of the bridge's that adds threads whenever its threads block, so blocking handlers cannot starve the
 *   bridge's own work or the container. A configured or managed executor serves both: if handlers block, it
 *   must not make tasks wait behind them. The choice is logged once at start-up.</li>
 *   <li>{@value #TRANSPORT_PARAM}: {@code auto} (default: {@code jetty} on Jetty, {@code tomcat} on Tomcat,
 *   {@code servlet} elsewhere), {@code servlet} (always the standard {@code HttpServletRequest.upgrade()}),
 *   {@code jetty} (Jetty's connection API, needed on Jetty 12.1 where the standard path loses the bytes a
 *   client sends after the 101), or {@code tomcat} (Tomcat's internal upgrade API, the one Tomcat's own
 *   WebSocket uses: reads and writes the socket without servlet streams; the standard path works on Tomcat
 *   too, but moves large messages slower).</li>
 *   <li>{@value #BUFFER_SIZE_PARAM}: bytes buffered per direction and connection (default 65536).</li>
 * </ul>
 *
 * <p>Features that own paths (the WebSockets feature's routes) register an {@link UpgradeRouter} with
 * {@link #addRouter}; the filter asks the routers before it calls the chain, and serves their answer through
 * the same upgrade path as {@link ApplicationCall#respond}.
 *
 * <p>When the filter is destroyed (undeploy, server stop), every live upgrade whose job is {@link ShutdownAware} gets
 * up to two seconds to close its connection cleanly (a WebSocket session sends 1001), then every upgrade
 * still live is cancelled and its connection closed, the routers hear {@link UpgradeRouter#filterDestroyed()},
 * and the threads the filter started are stopped. On Jetty the same happens earlier when the server stops: the
 * filter takes part in Jetty's graceful stop (a {@code Graceful} component of its context, as Jetty's own WebSocket
 * does), which runs before Jetty closes connections, so the stop need not wait for its stop timeout.
 */
public class ProtocolUpgradeFilter implements Filter {

    // The filter only coordinates; each job is a class of servlet.internal: FilterSettings reads the parameters,
    // ExecutorChoice picks the executors, TransportChoice the container's way to take connections over,
    // UpgradeRouters keeps the routers, Upgrader performs each upgrade, LiveUpgrades holds the open connections.

    /** Names the executor for upgrades: a JNDI name or a servlet-context attribute. */
    public static final String EXECUTOR_PARAM = FilterSettings.EXECUTOR_PARAM;
    /** {@code auto}, {@code servlet}, {@code jetty} or {@code tomcat}. */
    public static final String TRANSPORT_PARAM = FilterSettings.TRANSPORT_PARAM;
    /** Bytes buffered per direction and connection. */
    public static final String BUFFER_SIZE_PARAM = FilterSettings.BUFFER_SIZE_PARAM;
    /** Servlet-context attribute under which the filter publishes itself (for {@link #openUpgrades()}). */
    public static final String CONTEXT_ATTRIBUTE = ProtocolUpgradeFilter.class.getName();
    /** Servlet-context attribute holding the {@link UpgradeRouter}s added with {@link #addRouter}. */
    public static final String ROUTERS_ATTRIBUTE = UpgradeRouters.ATTRIBUTE;

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final long SHUTDOWN_WAIT_MILLIS = 5_000;
    /** How long live upgrades get to close cleanly (a WebSocket's 1001) before they are cancelled. */
    private static final long GRACE_MILLIS = 2_000;

    private final LiveUpgrades live = new LiveUpgrades();
    private volatile ExecutorChoice executor;
    private volatile TransportChoice transport;
    private volatile Upgrader upgrader;
    private volatile ServletContext context;
    private volatile List<UpgradeRouter> routers = List.of();

    /**
     * Adds a router to the web application of {@code context}: every {@code ProtocolUpgradeFilter} of that
     * application asks it, in the order routers were added, before calling the filter chain. May be called
     * before or after the filter's {@code init}, from any thread.
     *
     * @throws IllegalStateException when the context attribute {@link #ROUTERS_ATTRIBUTE} holds something else
     */
    public static void addRouter(ServletContext context, UpgradeRouter router) {
        Objects.requireNonNull(router, "router");
        UpgradeRouters.of(context).add(router);
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        ServletContext ctx = config.getServletContext();
        context = ctx;
        FilterSettings settings;
        try {
            routers = UpgradeRouters.of(ctx);
            settings = FilterSettings.read(config);
            executor = ExecutorChoice.choose(settings.executor(), ExecutorChoice.sources(ctx::getAttribute),
                "upgrade-bridge-" + ctx.getContextPath().replace('/', '-') + "-", ctx.getClassLoader());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ServletException("ProtocolUpgradeFilter '" + config.getFilterName() + "': " + e.getMessage(), e);
        }
        TransportChoice chosen = TransportChoice.choose(settings.transport(), ctx);
        transport = chosen;
        upgrader = new Upgrader(chosen, executor, settings.bufferSize(), live);
        // where the container stops gracefully before it cuts connections (Jetty), the live upgrades close in that phase
        String graceful = chosen.joinGracefulStop(ctx, () -> {
            int open = live.size();
            LOG.log(Level.INFO, "the server is stopping: closing " + open + " upgraded connection" + (open == 1 ? "" : "s")
                + " of " + ctx.getContextPath() + "/ (WebSocket sessions send 1001)");
            live.shutDown("the server is stopping", GRACE_MILLIS);
        });
        ctx.setAttribute(CONTEXT_ATTRIBUTE, this);
        LOG.log(Level.INFO, "Upgrade Bridge on " + ctx.getServerInfo() + ": upgrades run on " + executor.description()
            + "; connections are taken over through " + chosen.describe() + (graceful != null ? "; " + graceful : ""));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(resp instanceof HttpServletResponse)) {
            chain.doFilter(req, resp);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) resp;
        String connectProtocol = "CONNECT".equals(request.getMethod()) ? transport.extendedConnectProtocol(request) : null;
        ApplicationCall call = new ApplicationCall(request, response, connectProtocol);
        request.setAttribute(ApplicationCall.ATTRIBUTE, call);
        OutgoingContent.ProtocolUpgrade upgrade;
        try {
            OutgoingContent routed = UpgradeRouters.route(routers, call);
            if (routed != null) {
                call.respond(routed); // exactly as if the application had answered: checks, then upgrade below
            } else {
                // an extended CONNECT reaches the application as the GET it replaces (HttpServlet answers CONNECT with 501)
                chain.doFilter(connectProtocol != null ? new ExtendedConnectRequest(request) : request, response);
            }
        } finally {
            upgrade = call.finishHandling();
        }
        if (upgrade != null) {
            try {
                upgrader.perform(call, request, response, upgrade);
            } finally {
                call.detach(); // the session keeps the call (URI, headers, principal), not the container's request
            }
        }
    }

    /** Number of upgraded connections this filter has open now. */
    public int openUpgrades() {
        return live.size();
    }

    /** One line per open upgraded connection, with the state of its job, channels and transport: for debugging. */
    public List<String> describeOpenUpgrades() {
        return live.describe();
    }

    /** Lets live upgrades close cleanly (bounded), cancels the rest, and stops the threads this filter started. */
    @Override
    public void destroy() {
        TransportChoice t = transport;
        if (t != null) {
            t.leaveGracefulStop();
        }
        live.shutDown("the application is stopping", GRACE_MILLIS);
        for (UpgradeRouter router : routers) {
            try {
                router.filterDestroyed();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "router " + router + " failed when the filter was destroyed", e);
            }
        }
        ServletContext ctx = context;
        if (ctx != null && ctx.getAttribute(CONTEXT_ATTRIBUTE) == this) {
            ctx.removeAttribute(CONTEXT_ATTRIBUTE);
        }
        ExecutorChoice choice = executor;
        if (choice != null) {
            choice.shutdown(SHUTDOWN_WAIT_MILLIS);
        }
    }
}
