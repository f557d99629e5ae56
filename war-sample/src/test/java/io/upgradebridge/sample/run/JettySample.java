package io.upgradebridge.sample.run;

import java.util.Set;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;

/**
 * Deploys the war-sample WAR file into embedded Jetty 12.1 (ee10, Servlet 6.0) the way a standalone Jetty deploys a
 * WAR: a {@link WebAppContext} with Jetty's default rules of what a web application may see, which hide every
 * {@code org.eclipse.jetty.*} class. The WAR's {@code WEB-INF/jetty-ee10-web.xml} exposes what the bridge needs.
 * Annotation scanning is on, as with the {@code ee10-annotations} module, for the WAR that registers its servlets
 * and filter by annotation ({@code -Dsample.warSuffix=-annotations}). {@code JettyEe11Sample} is the same on ee11.
 */
public final class JettySample {

    private JettySample() {
    }

    public static void main(String[] args) throws Exception {
        SampleArgs sample = SampleArgs.parse(args, Set.of("jetty"));

        WebAppContext webapp = new WebAppContext(sample.war().toString(), "/");
        webapp.setTempDirectory(sample.workDir("jetty").toFile()); // where Jetty extracts the WAR
        webapp.getConfigurations().add(new AnnotationConfiguration()); // @WebServlet, @WebFilter, ...
        JettyServer.serve(sample, "ee10", webapp);
    }
}
