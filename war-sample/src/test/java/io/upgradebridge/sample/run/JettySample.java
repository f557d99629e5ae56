package io.upgradebridge.sample.run;

import java.util.Set;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Deploys the war-sample WAR file into embedded Jetty 12.1 (ee10) the way a standalone Jetty deploys a WAR: a
 * {@link WebAppContext} with Jetty's default rules of what a web application may see, which hide every
 * {@code org.eclipse.jetty.*} class. The WAR's {@code WEB-INF/jetty-web.xml} exposes what the bridge needs.
 * Annotation scanning is on, as with the {@code ee10-annotations} module, for the WAR that registers its servlets
 * and filter by annotation ({@code -Dsample.warSuffix=-annotations}).
 */
public final class JettySample {

    private JettySample() {
    }

    public static void main(String[] args) throws Exception {
        SampleArgs sample = SampleArgs.parse(args, Set.of("jetty"));

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(SampleArgs.HOST);
        connector.setPort(sample.port());
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext(sample.war().toString(), "/");
        webapp.setTempDirectory(sample.workDir("jetty").toFile()); // where Jetty extracts the WAR
        webapp.getConfigurations().add(new AnnotationConfiguration()); // @WebServlet, @WebFilter, ...
        server.setHandler(webapp);
        server.setStopAtShutdown(true); // Ctrl-C stops the server

        server.start();
        if (!webapp.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the web application did not start: see Jetty's log above");
        }
        sample.printReady("Jetty " + Server.getVersion());
        server.join();
    }
}
