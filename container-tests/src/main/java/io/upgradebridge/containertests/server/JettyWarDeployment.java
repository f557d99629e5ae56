package io.upgradebridge.containertests.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.webapp.Configuration;
import org.eclipse.jetty.ee10.webapp.JettyWebXmlConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * The {@link ContainerLauncher#WAR} mode of {@link JettyLauncher}: the WAR file deployed at {@code "/"} the way
 * Jetty's deployer deploys a WAR on a standalone Jetty 12.1 (ee10): one {@link WebAppContext} with Jetty's default
 * configurations, in a {@link ContextHandlerCollection}. Nothing about class visibility is changed here, so the web
 * application sees what it would see on a standalone Jetty: every {@code org.eclipse.jetty.} class hidden, unless
 * its {@code WEB-INF/jetty-web.xml} exposes some ({@link ContainerLauncher#IGNORE_JETTY_WEB_XML} skips that file).
 *
 * <p>Like a standalone Jetty with its {@code ee10-annotations} module, the context scans the WAR for
 * {@code @WebServlet}, {@code @WebFilter} and friends when the WAR's {@code web.xml} is not {@code metadata-complete}
 * ({@code AnnotationConfiguration}, from {@code jetty-ee10-annotations} in the Jetty folder; skipped if that jar is
 * absent).
 *
 * <p>Each deployment is a new {@code WebAppContext} with a new {@code WebAppClassLoader} whose parent is the world
 * loader (the context class loader while the launcher deploys). Undeploy stops it and takes it out of the
 * collection (the server answers 404).
 */
final class JettyWarDeployment {

    private static final String ANNOTATION_CONFIGURATION = "org.eclipse.jetty.ee10.annotations.AnnotationConfiguration";

    private final ContextHandlerCollection contexts = new ContextHandlerCollection();
    private final String war;
    private final Path workDir;
    private final boolean ignoreJettyWebXml;
    private final AtomicInteger deployments = new AtomicInteger();
    private WebAppContext webapp;

    JettyWarDeployment(Server server, LauncherConfig config) {
        this.war = config.war();
        this.workDir = config.workDir() == null ? null : Path.of(config.workDir());
        this.ignoreJettyWebXml = config.ignoreJettyWebXml();
        server.setHandler(contexts);
    }

    /** Deploys the WAR into the started server. */
    void deploy() throws Exception {
        WebAppContext context = new WebAppContext(war, "/");
        if (workDir != null) {
            // where Jetty extracts the WAR; a new folder per deployment, as the deployer's temp folders are
            Path temp = Files.createDirectories(workDir.resolve("jetty-webapp-" + deployments.incrementAndGet()));
            context.setTempDirectory(temp.toFile());
        }
        if (isPresent(ANNOTATION_CONFIGURATION)) {
            // by name: the harness compiles without jetty-ee10-annotations (only the Jetty folder has it)
            context.getConfigurations().add(ANNOTATION_CONFIGURATION);
        }
        if (ignoreJettyWebXml) {
            // (not Configurations.remove(Class): Configurations is a List, so that call binds to remove(Object))
            context.setConfigurations(context.getConfigurations().stream()
                    .filter(configuration -> !(configuration instanceof JettyWebXmlConfiguration))
                    .toArray(Configuration[]::new));
        }
        // Added to a started collection, the context is not managed by it: this class starts and stops it.
        contexts.addHandler(context);
        try {
            context.start();
            if (!context.isAvailable()) {
                throw new IllegalStateException("the WAR did not start (see the captured log lines)");
            }
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

    private static boolean isPresent(String className) {
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
        WebAppContext context = webapp;
        webapp = null;
        try {
            context.stop();
        } finally {
            contexts.removeHandler(context);
            context.destroy();
        }
    }

    /** Undeploys what is deployed, before the server stops (which would not stop an unmanaged context). */
    void stop() throws Exception {
        if (webapp != null) {
            undeploy();
        }
    }
}
