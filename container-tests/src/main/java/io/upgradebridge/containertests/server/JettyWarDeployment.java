package io.upgradebridge.containertests.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * The {@link ContainerLauncher#WAR} mode of the Jetty launchers: the WAR file deployed at {@code "/"} the way Jetty's
 * deployer deploys a WAR on a standalone Jetty 12.1: one {@code WebAppContext} of the launcher's environment with
 * Jetty's default configurations, in a {@link ContextHandlerCollection}. Nothing about class visibility is changed
 * here, so the web application sees what it would see on a standalone Jetty: every {@code org.eclipse.jetty.} class
 * hidden, unless its {@code WEB-INF/jetty-eeN-web.xml} (or else {@code WEB-INF/jetty-web.xml}) exposes some
 * ({@link ContainerLauncher#IGNORE_JETTY_WEB_XML} skips those files).
 *
 * <p>Like a standalone Jetty with its {@code eeN-annotations} module, the context scans the WAR for
 * {@code @WebServlet}, {@code @WebFilter} and friends when the WAR's {@code web.xml} is not {@code metadata-complete}
 * (the environment's {@code AnnotationConfiguration}, from the Jetty folder; skipped if that jar is absent).
 *
 * <p>Each deployment is a new {@code WebAppContext} with a new {@code WebAppClassLoader} whose parent is the world
 * loader (the context class loader while the launcher deploys). Undeploy stops it and takes it out of the
 * collection (the server answers 404). {@code Server.stop()} stops a deployed context with the collection, after the
 * server's graceful phase, as on a standalone Jetty.
 */
final class JettyWarDeployment {

    /** Makes the environment's {@code WebAppContext}: war, temp directory (or null), whether to skip jetty-web.xml. */
    @FunctionalInterface
    interface WebAppFactory {
        ContextHandler create(String war, File tempDirectory, boolean ignoreJettyWebXml);
    }

    private final ContextHandlerCollection contexts = new ContextHandlerCollection();
    private final WebAppFactory factory;
    private final String war;
    private final Path workDir;
    private final boolean ignoreJettyWebXml;
    private final AtomicInteger deployments = new AtomicInteger();
    private ContextHandler webapp;

    JettyWarDeployment(Server server, LauncherConfig config, WebAppFactory factory) {
        this.factory = factory;
        this.war = config.war();
        this.workDir = config.workDir() == null ? null : Path.of(config.workDir());
        this.ignoreJettyWebXml = config.ignoreJettyWebXml();
        server.setHandler(contexts);
    }

    /** Deploys the WAR into the started server. */
    void deploy() throws Exception {
        File temp = null;
        if (workDir != null) {
            // where Jetty extracts the WAR; a new folder per deployment, as the deployer's temp folders are
            temp = Files.createDirectories(workDir.resolve("jetty-webapp-" + deployments.incrementAndGet())).toFile();
        }
        ContextHandler context = factory.create(war, temp, ignoreJettyWebXml);
        // As Jetty's StandardDeployer does: added to the started collection, started, then managed by the collection,
        // so that Server.stop() finds the context's Graceful beans and stops the context after its graceful phase.
        contexts.addHandler(context);
        try {
            context.start();
            if (!context.isAvailable()) {
                throw new IllegalStateException("the WAR did not start (see the captured log lines)");
            }
            contexts.manage(context);
        } catch (Exception | Error e) {
            try {
                context.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            } finally {
                contexts.removeHandler(context);
            }
            throw e;
        }
        webapp = context;
    }

    /** Whether the world loader (the Jetty folder) has the class. */
    static boolean isPresent(String className) {
        try {
            Class.forName(className, false, JettyWarDeployment.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The deployed web application's class loader. */
    ClassLoader classLoader() {
        return webapp.getClassLoader();
    }

    void undeploy() throws Exception {
        ContextHandler context = webapp;
        webapp = null;
        try {
            context.stop();
        } finally {
            contexts.removeHandler(context);
            context.destroy();
        }
    }
}
