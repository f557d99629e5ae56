package io.upgradebridge.containertests.server;

import java.util.List;
import java.util.Map;

/**
 * The contract between a test and one embedded servlet container running in its own isolated class loader.
 *
 * <p>An implementation is created by the test side with its public no-arg constructor, reflectively, from
 * the isolated class loader, and is then driven only through the methods below, by name. Every argument and
 * result is a JDK type (loaded by the bootstrap/platform class loader and so shared by both worlds): the test
 * side never sees a container or servlet class. One launcher instance owns one server with one web
 * application at context path {@code ""} ({@code "/"}); it is single-use: {@code start} once, {@code stop}
 * once.
 *
 * <p>Each method runs with the launcher's class loader as the calling thread's context class loader and
 * restores the previous one afterwards.
 *
 * <h2>Configuration keys for {@link #start(Map)}</h2>
 * Unknown keys are rejected. All keys are optional.
 * <ul>
 *   <li>{@value #SERVLETS}: {@code List<Map<String,Object>>}, each with {@value #NAME} ({@code String}),
 *       {@value #CLASS} (servlet class name, {@code String}), {@value #URL_PATTERNS} ({@code List<String>}),
 *       optional {@value #INIT_PARAMS} ({@code Map<String,String>}), {@value #ASYNC_SUPPORTED}
 *       ({@code Boolean}, default {@code true}) and {@value #LOAD_ON_STARTUP} ({@code Integer}, default -1)</li>
 *   <li>{@value #FILTERS}: {@code List<Map<String,Object>>}, each with {@value #NAME}, {@value #CLASS},
 *       {@value #URL_PATTERNS}, optional {@value #INIT_PARAMS} and {@value #ASYNC_SUPPORTED} (default
 *       {@code true}); mapped for the {@code REQUEST} dispatcher, in list order</li>
 *   <li>{@value #LISTENERS}: {@code List<String>}, class names of application listeners, registered as if
 *       declared in {@code web.xml} (so a {@code ServletContextListener} may add filters and servlets in
 *       {@code contextInitialized}), in list order</li>
 *   <li>{@value #CONTEXT_INIT_PARAMS}: {@code Map<String,String>}, servlet context init parameters</li>
 *   <li>{@value #CONTEXT_ATTRIBUTES}: {@code Map<String,Object>}, servlet context attributes set before any
 *       filter or servlet is initialised, on every deploy. Values must be JDK types (a
 *       {@code ConcurrentHashMap}, a {@code CountDownLatch}, a {@code BlockingQueue<String>}...): they are
 *       the way server-side code and the test share state</li>
 *   <li>{@value #IDLE_TIMEOUT_MILLIS}: {@code Number}, connector idle timeout (Tomcat
 *       {@code connectionTimeout}, Jetty {@code ServerConnector#setIdleTimeout})</li>
 *   <li>{@value #ASYNC_TIMEOUT_MILLIS}: {@code Number}, default {@code AsyncContext} timeout (Tomcat
 *       {@code Connector#setAsyncTimeout}; Jetty ee10 reads it once per class loader from the system property
 *       {@code org.eclipse.jetty.ee10.servlet.ServletChannelState.DEFAULT_TIMEOUT}, which the launcher sets
 *       while it initialises that class in its own loader)</li>
 *   <li>{@value #WORK_DIR}: {@code String}, a directory this launcher may write to (Tomcat's base dir, Jetty's
 *       extracted WAR); a temporary directory when absent</li>
 *   <li>{@value #WAR}: {@code String}, the path of a WAR file to deploy at {@code "/"} instead of the web
 *       application built from the keys above, the way a standalone server deploys it: Tomcat with
 *       {@code Tomcat.addWebapp} (unpacked into its {@code webapps} folder, with Tomcat's default servlet and
 *       welcome files), Jetty with its environment's {@code WebAppContext} and Jetty's default rules of which server classes
 *       a web application may see (all of {@code org.eclipse.jetty.} hidden, unless the WAR's
 *       {@code WEB-INF/jetty-eeN-web.xml} or {@code jetty-web.xml} exposes some). The WAR brings its own classes and descriptors, so
 *       {@value #SERVLETS}, {@value #FILTERS}, {@value #LISTENERS}, {@value #CONTEXT_INIT_PARAMS} and {@value #CONTEXT_ATTRIBUTES}
 *       must then be absent or empty</li>
 *   <li>{@value #IGNORE_JETTY_WEB_XML}: {@code Boolean}, default {@code false}; only with {@value #WAR}: Jetty
 *       deploys the WAR without applying its {@code WEB-INF/jetty-web.xml} (Jetty's
 *       {@code JettyWebXmlConfiguration} is removed from the context). Tomcat never reads that file and ignores
 *       the key</li>
 *   <li>{@value #BRIDGE_TRANSPORT}: {@code String}, optional: the bridge's {@code io.upgradebridge.transport}
 *   context parameter for the deployed application (programmatic or WAR) unless it sets one itself; Tomcat only.</li>
 *   <li>{@value #KEY_STORE} and {@value #KEY_STORE_PASSWORD}: {@code String}s, together: the connector speaks TLS with
 *   the key and certificate of this PKCS12 file, and offers HTTP/2 ({@code h2}) and HTTP/1.1 by ALPN, as production
 *   servers are set up (Jetty: {@code SslConnectionFactory}, {@code ALPNServerConnectionFactory},
 *   {@code HTTP2ServerConnectionFactory}, {@code HttpConnectionFactory}; Tomcat: a TLS connector with the
 *   {@code Http2Protocol} upgrade protocol)</li>
 *   <li>{@value #LOG_REQUESTS}: {@code Boolean}, default {@code false}: the container logs every request it receives,
 *   before any application sees it, at INFO to the logger {@value #REQUEST_LOGGER}, as
 *   {@code METHOD /path?query PROTOCOL} plus {@code :protocol NAME} for an HTTP/2 extended CONNECT (Jetty)</li>
 * </ul>
 */
public interface ContainerLauncher {

    String SERVLETS = "servlets";
    String FILTERS = "filters";
    String LISTENERS = "listeners";
    String NAME = "name";
    String CLASS = "class";
    String URL_PATTERNS = "urlPatterns";
    String INIT_PARAMS = "initParams";
    String ASYNC_SUPPORTED = "asyncSupported";
    String LOAD_ON_STARTUP = "loadOnStartup";
    String CONTEXT_INIT_PARAMS = "contextInitParams";
    String CONTEXT_ATTRIBUTES = "contextAttributes";
    String IDLE_TIMEOUT_MILLIS = "idleTimeoutMillis";
    String ASYNC_TIMEOUT_MILLIS = "asyncTimeoutMillis";
    String WORK_DIR = "workDir";
    String WAR = "war";
    String IGNORE_JETTY_WEB_XML = "ignoreJettyWebXml";
    String BRIDGE_TRANSPORT = "bridgeTransport";
    String KEY_STORE = "keyStore";
    String KEY_STORE_PASSWORD = "keyStorePassword";
    String LOG_REQUESTS = "logRequests";
    /** The logger of {@value #LOG_REQUESTS}'s lines. */
    String REQUEST_LOGGER = "containertests.requests";

    /**
     * Starts the server on {@code 127.0.0.1}, port 0, and deploys the web application.
     *
     * @param config the configuration, see the class comment
     * @return the port the connector is bound to
     * @throws Exception if the server or the web application does not start; the caller must still call
     *                   {@link #stop()}
     */
    int start(Map<String, Object> config) throws Exception;

    /**
     * Takes the web application out of service (Tomcat: removes the context from its host; Jetty: stops the
     * context handler). The server and its connector keep running: requests are answered 404.
     *
     * @throws IllegalStateException if nothing is deployed
     */
    void undeploy() throws Exception;

    /**
     * Deploys the same web application again, with the same configuration, new filter and servlet instances
     * and a new web application class loader.
     *
     * @throws IllegalStateException if the web application is deployed already or the launcher is not started
     */
    void deploy() throws Exception;

    /** @return whether the web application is deployed (started and not undeployed since). */
    boolean isDeployed();

    /**
     * Runs the garbage collector a few times (bounded, about 30 s at most) and tells whether the web
     * application class loader of the last {@link #undeploy()} was collected: whether anything (a thread,
     * a static cache, a logger) still holds the undeployed application.
     *
     * @throws IllegalStateException if nothing was undeployed yet
     */
    boolean undeployedClassLoaderCollected() throws InterruptedException;

    /**
     * Stops the server and every thread it started, and detaches the log capture. Idempotent; also valid
     * after a failed {@link #start(Map)}.
     */
    void stop() throws Exception;

    /**
     * @return a snapshot of the {@code java.util.logging} records logged so far from this container's world
     *         (by a thread whose context class loader is this launcher's loader or a descendant of it), one
     *         line each: {@code LEVEL [logger] message}, followed by the exception if there is one
     */
    List<String> logLines();
}
