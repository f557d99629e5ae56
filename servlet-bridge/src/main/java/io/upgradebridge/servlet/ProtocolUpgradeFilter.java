package io.upgradebridge.servlet;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.servlet.internal.ExecutorChoice;
import io.upgradebridge.servlet.internal.ExtendedConnectRequest;
import io.upgradebridge.servlet.internal.LiveUpgrades;
import io.upgradebridge.servlet.internal.ServletUpgradeStarter;
import io.upgradebridge.servlet.internal.UpgradeStarter;
import io.upgradebridge.servlet.internal.UpgradedConnection;
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
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
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
 *   pool of the bridge's that starts a thread whenever none is idle, so blocking handlers cannot starve the
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

    /** Names the executor for upgrades: a JNDI name or a servlet-context attribute. */
    public static final String EXECUTOR_PARAM = "io.upgradebridge.executor";
    /** {@code auto}, {@code servlet}, {@code jetty} or {@code tomcat}. */
    public static final String TRANSPORT_PARAM = "io.upgradebridge.transport";
    /** Bytes buffered per direction and connection. */
    public static final String BUFFER_SIZE_PARAM = "io.upgradebridge.bufferSize";
    /** Servlet-context attribute under which the filter publishes itself (for {@link #openUpgrades()}). */
    public static final String CONTEXT_ATTRIBUTE = ProtocolUpgradeFilter.class.getName();
    /** Servlet-context attribute holding the {@link UpgradeRouter}s added with {@link #addRouter}. */
    public static final String ROUTERS_ATTRIBUTE = ProtocolUpgradeFilter.class.getName() + ".routers";
    private static final Object ROUTERS_LOCK = new Object();

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    private static final long SHUTDOWN_WAIT_MILLIS = 5_000;
    /** How long live upgrades get to close cleanly (a WebSocket's 1001) before they are cancelled. */
    private static final long GRACE_MILLIS = 2_000;

    private final LiveUpgrades live = new LiveUpgrades();
    private volatile ExecutorChoice executor;
    private volatile UpgradeStarter starter;
    private volatile String starterProblem;
    private volatile int bufferSize = DEFAULT_BUFFER_SIZE;
    private volatile String containerName = "servlet container";
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
        routers(context).add(router);
    }

    /** The routers of {@code context}: the list stored in its attribute, created when absent. */
    private static List<UpgradeRouter> routers(ServletContext context) {
        Objects.requireNonNull(context, "context");
        synchronized (ROUTERS_LOCK) { // race: addRouter from an initializer and init() of a filter
            Object existing = context.getAttribute(ROUTERS_ATTRIBUTE);
            if (existing == null) {
                List<UpgradeRouter> created = new CopyOnWriteArrayList<>();
                context.setAttribute(ROUTERS_ATTRIBUTE, created);
                return created;
            }
            if (existing instanceof CopyOnWriteArrayList) {
                @SuppressWarnings("unchecked")
                List<UpgradeRouter> list = (List<UpgradeRouter>) existing;
                return list;
            }
            throw new IllegalStateException("the servlet-context attribute " + ROUTERS_ATTRIBUTE
                + " is reserved for ProtocolUpgradeFilter's routers, but holds " + existing.getClass().getName());
        }
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        context = config.getServletContext();
        containerName = context.getServerInfo();
        try {
            routers = routers(context);
        } catch (IllegalStateException e) {
            throw new ServletException("ProtocolUpgradeFilter '" + config.getFilterName() + "': " + e.getMessage(), e);
        }
        try {
            bufferSize = parseBufferSize(param(config, BUFFER_SIZE_PARAM));
            executor = ExecutorChoice.choose(param(config, EXECUTOR_PARAM), ExecutorChoice.sources(context::getAttribute),
                "upgrade-bridge-" + context.getContextPath().replace('/', '-') + "-", context.getClassLoader());
        } catch (IllegalArgumentException e) {
            throw new ServletException("ProtocolUpgradeFilter '" + config.getFilterName() + "': " + e.getMessage(), e);
        }
        chooseStarter(param(config, TRANSPORT_PARAM));
        String graceful = joinGracefulStop();
        context.setAttribute(CONTEXT_ATTRIBUTE, this);
        LOG.log(Level.INFO, "Upgrade Bridge on " + containerName + ": upgrades run on " + executor.description()
            + "; connections are taken over through " + (starter != null ? starter.describe() : "nothing (" + starterProblem + ")")
            + (graceful != null ? "; " + graceful : ""));
    }

    /**
     * Where the container stops gracefully before it cuts connections (Jetty), the live upgrades are closed in that
     * phase: WebSocket sessions send 1001, others are cancelled, and the stop does not wait for its timeout.
     */
    private String joinGracefulStop() {
        UpgradeStarter s = starter;
        if (s == null) {
            return null;
        }
        try {
            return s.joinGracefulStop(context, () -> {
                int open = live.size();
                LOG.log(Level.INFO, "the server is stopping: closing " + open + " upgraded connection" + (open == 1 ? "" : "s")
                    + " of " + context.getContextPath() + "/ (WebSocket sessions send 1001)");
                live.shutDown("the server is stopping", GRACE_MILLIS);
            });
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "the bridge cannot take part in " + containerName + "'s graceful stop; upgraded "
                + "connections are closed when the application stops instead (" + e + ")");
            return null;
        }
    }

    private static String param(FilterConfig config, String name) {
        String value = config.getInitParameter(name);
        return value != null ? value : config.getServletContext().getInitParameter(name);
    }

    private static int parseBufferSize(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BUFFER_SIZE;
        }
        try {
            int size = Integer.parseInt(value.trim());
            if (size >= 1024 && size <= 64 * 1024 * 1024) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(BUFFER_SIZE_PARAM + " must be a number of bytes from 1024 to 67108864, was '" + value + "'");
    }

    private void chooseStarter(String transport) throws ServletException {
        String mode = transport == null || transport.isBlank() ? "auto" : transport.trim().toLowerCase(Locale.ROOT);
        String container = containerName.toLowerCase(Locale.ROOT);
        switch (mode) {
            case "servlet":
                starter = new ServletUpgradeStarter(containerName);
                return;
            case "jetty":
                starter = jettyStarter(true);
                return;
            case "tomcat":
                starter = tomcatStarter(true);
                return;
            case "auto":
                if (container.startsWith("jetty")) {
                    starter = jettyStarter(false);
                } else if (container.startsWith("apache tomcat")) {
                    UpgradeStarter tomcat = tomcatStarter(false);
                    starter = tomcat != null ? tomcat : new ServletUpgradeStarter(containerName);
                } else {
                    starter = new ServletUpgradeStarter(containerName);
                }
                return;
            default:
                throw new ServletException(TRANSPORT_PARAM + " must be auto, servlet, jetty or tomcat, was '" + transport + "'");
        }
    }

    /** Jetty's adapter, or null (with {@link #starterProblem} set) when Jetty hides its classes and it was not required. */
    private UpgradeStarter jettyStarter(boolean required) throws ServletException {
        try {
            return loadStarter("io.upgradebridge.servlet.internal.jetty.JettyUpgradeStarter");
        } catch (ReflectiveOperationException | LinkageError e) {
            starterProblem = "Jetty hides its server classes from this webapp, so the bridge cannot take over "
                + "connections (Jetty 12.1's standard upgrade path loses data). Expose org.eclipse.jetty.server., "
                + "org.eclipse.jetty.io. and org.eclipse.jetty.util. to the webapp in " + jettyWebXml()
                + " (see the README)";
            if (required) {
                throw new ServletException(starterProblem, e);
            }
            LOG.log(Level.ERROR, starterProblem + " (" + e + ")");
            return null;
        }
    }

    /**
     * The descriptor Jetty reads for this webapp's environment: {@code WEB-INF/jetty-ee11-web.xml} on ee11 (Jetty 12
     * reads an environment's own file, and {@code WEB-INF/jetty-web.xml} only when there is none).
     */
    private String jettyWebXml() {
        ServletContext ctx = context;
        java.util.regex.Matcher environment = java.util.regex.Pattern.compile("^org\\.eclipse\\.jetty\\.(ee\\d+)\\.")
            .matcher(ctx == null ? "" : ctx.getClass().getName());
        return environment.find() ? "WEB-INF/jetty-" + environment.group(1) + "-web.xml (or WEB-INF/jetty-web.xml)"
            : "WEB-INF/jetty-eeN-web.xml for the webapp's environment (or WEB-INF/jetty-web.xml)";
    }

    /** Tomcat's adapter, or null when this Tomcat lacks its internal upgrade API and it was not required. */
    private UpgradeStarter tomcatStarter(boolean required) throws ServletException {
        try {
            return loadStarter("io.upgradebridge.servlet.internal.tomcat.TomcatUpgradeStarter");
        } catch (ReflectiveOperationException | LinkageError e) {
            String problem = "this webapp cannot use Tomcat's internal upgrade API (org.apache.coyote.http11.upgrade."
                + "InternalHttpUpgradeHandler) on " + containerName;
            if (required) {
                throw new ServletException(problem + "; set " + TRANSPORT_PARAM + " to auto or servlet", e);
            }
            LOG.log(Level.WARNING, problem + "; using the standard HttpServletRequest.upgrade() path instead (" + e + ")");
            return null;
        }
    }

    private static UpgradeStarter loadStarter(String className) throws ReflectiveOperationException {
        return (UpgradeStarter) Class.forName(className, true, ProtocolUpgradeFilter.class.getClassLoader())
            .getConstructor().newInstance();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(resp instanceof HttpServletResponse)) {
            chain.doFilter(req, resp);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) resp;
        String connectProtocol = "CONNECT".equals(request.getMethod()) ? extendedConnectProtocol(request) : null;
        ApplicationCall call = new ApplicationCall(request, response, connectProtocol);
        request.setAttribute(ApplicationCall.ATTRIBUTE, call);
        OutgoingContent.ProtocolUpgrade upgrade;
        try {
            OutgoingContent routed = route(call);
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
                performUpgrade(call, request, response, upgrade);
            } finally {
                call.detach(); // the session keeps the call (URI, headers, principal), not the container's request
            }
        }
    }

    /** The {@code :protocol} of an HTTP/2 extended CONNECT the starter can hand over, or {@code null}. */
    private String extendedConnectProtocol(HttpServletRequest request) {
        UpgradeStarter s = starter;
        if (s == null) {
            return null;
        }
        try {
            return s.extendedConnectProtocol(request);
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "cannot tell whether " + request.getRequestURI() + " is an HTTP/2 extended CONNECT", e);
            return null;
        }
    }

    /** The first router's answer, or {@code null} when no router takes the request. */
    private OutgoingContent route(ApplicationCall call) {
        for (UpgradeRouter router : routers) {
            OutgoingContent answer = router.route(call);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }

    private void performUpgrade(ApplicationCall call, HttpServletRequest request, HttpServletResponse response,
                                OutgoingContent.ProtocolUpgrade upgrade) throws IOException {
        if (response.isCommitted()) {
            LOG.log(Level.WARNING, "cannot upgrade " + call + ": the response was already committed before the servlet returned");
            return;
        }
        String connectProtocol = call.connectProtocol();
        if (connectProtocol != null) {
            if (!connectProtocol.equalsIgnoreCase(upgrade.connectProtocol())) {
                refuse(response, HttpServletResponse.SC_BAD_REQUEST, "this upgrade (" + upgrade.getClass().getSimpleName()
                    + ") does not run over an HTTP/2 extended CONNECT for :protocol " + connectProtocol
                    + "; it needs HTTP/1.1", null);
                return;
            }
        } else if (!"HTTP/1.1".equals(call.protocol())) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "a protocol upgrade needs HTTP/1.1 (a WebSocket may also come "
                + "as an HTTP/2 extended CONNECT); this request came over " + call.protocol(), null);
            return;
        }
        UpgradeStarter s = starter;
        if (s == null) {
            refuse(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the server cannot upgrade connections: " + starterProblem, null);
            return;
        }
        if (live.isShutDown()) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the server is stopping and upgrades no more connections", null);
            return;
        }
        if (connectProtocol != null) {
            response.setStatus(HttpServletResponse.SC_OK); // RFC 8441: a 2xx opens the tunnel
            writeHeaders(response, upgrade.connectResponseHeaders());
        } else {
            response.setStatus(upgrade.status() != null ? upgrade.status().value() : 101);
            writeHeaders(response, upgrade.headers());
        }
        ExecutorChoice executors = executor;
        UpgradedConnection connection = new UpgradedConnection(upgrade, executors.engine(), executors.user(), bufferSize, live,
            () -> call.method() + " " + call.uri() + " " + call.protocol()
                + (call.connectProtocol() != null ? " :protocol " + call.connectProtocol() : "") + " from " + call.remoteAddress());
        try {
            s.start(request, response, connection);
        } catch (Exception | LinkageError e) {
            refuse(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
                "the container refused the HTTP upgrade (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static void writeHeaders(HttpServletResponse response, Headers headers) {
        for (String name : headers.names()) {
            boolean first = true;
            for (String value : headers.getAll(name)) {
                if (first) {
                    response.setHeader(name, value);
                    first = false;
                } else {
                    response.addHeader(name, value);
                }
            }
        }
    }

    private static void refuse(HttpServletResponse response, int status, String reason, Throwable cause) throws IOException {
        LOG.log(Level.WARNING, "HTTP upgrade refused with " + status + ": " + reason, cause);
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("Connection", "close");
        PrintWriter body = response.getWriter();
        body.println(reason);
        body.flush();
    }

    /** Number of upgraded connections this filter has open now. */
    public int openUpgrades() {
        return live.size();
    }

    /** One line per open upgraded connection, with the state of its job, channels and transport: for debugging. */
    public java.util.List<String> describeOpenUpgrades() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (UpgradedConnection connection : live.snapshot()) {
            lines.add(connection.toString());
        }
        return lines;
    }

    /** Lets live upgrades close cleanly (bounded), cancels the rest, and stops the threads this filter started. */
    @Override
    public void destroy() {
        UpgradeStarter s = starter;
        if (s != null) {
            s.leaveGracefulStop();
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
