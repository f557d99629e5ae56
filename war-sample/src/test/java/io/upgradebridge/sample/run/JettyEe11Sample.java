package io.upgradebridge.sample.run;

import java.util.Set;
import org.eclipse.jetty.ee11.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee11.webapp.WebAppContext;

/**
 * Deploys the war-sample WAR file into embedded Jetty 12.1 (ee11, Servlet 6.1) the way a standalone Jetty deploys a
 * WAR: a {@link WebAppContext} with Jetty's default rules of what a web application may see, which hide every
 * {@code org.eclipse.jetty.*} class. The WAR's {@code WEB-INF/jetty-ee11-web.xml} exposes what the bridge needs.
 * Annotation scanning is on, as with the {@code ee11-annotations} module, for the WAR that registers its servlets
 * and filter by annotation ({@code -Dsample.warSuffix=-annotations}). {@code JettySample} is the same on ee10.
 */
public final class JettyEe11Sample {

    private JettyEe11Sample() {
    }

    public static void main(String[] args) throws Exception {
        SampleArgs sample = SampleArgs.parse(args, Set.of("jetty-ee11"));

        WebAppContext webapp = new WebAppContext(sample.war().toString(), "/");
        webapp.setTempDirectory(sample.workDir("jetty-ee11").toFile()); // where Jetty extracts the WAR
        webapp.getConfigurations().add(new AnnotationConfiguration()); // @WebServlet, @WebFilter, ...
        JettyServer.serve(sample, "ee11", webapp);
    }
}
