package io.upgradebridge.sample.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;

/**
 * Deploys the war-sample WAR file into embedded Tomcat (11 or 10.1, whichever tomcat-embed-core the profile put
 * on the class path) with {@link Tomcat#addWebapp(String, String)}, as a standalone Tomcat deploys a WAR dropped
 * into webapps/ROOT.war: unpacked, with web.xml, annotations and Tomcat's default servlet.
 */
public final class TomcatSample {

    private TomcatSample() {
    }

    public static void main(String[] args) throws Exception {
        SampleArgs sample = SampleArgs.parse(args, Set.of("tomcat11", "tomcat10.1"));

        Path base = sample.workDir(sample.container());
        Files.createDirectories(base.resolve("webapps")); // the host's appBase, where Tomcat unpacks the WAR

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setProperty("address", SampleArgs.HOST);
        connector.setPort(sample.port());
        tomcat.setConnector(connector);
        // Web application class loaders delegate to this one (exec:java's), not to the JVM's system class loader
        tomcat.getServer().setParentClassLoader(TomcatSample.class.getClassLoader());

        Context webapp = tomcat.addWebapp("", sample.war().toString());
        // Tomcat's defaults (a standalone Tomcat's conf/web.xml) include the JSP servlet, which Tomcat always loads
        // at startup, and there is no JSP engine on this class path: take it out again
        webapp.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType()) && webapp.findChild("jsp") != null) {
                webapp.removeServletMapping("*.jsp");
                webapp.removeServletMapping("*.jspx");
                webapp.removeChild(webapp.findChild("jsp"));
            }
        });
        tomcat.start();
        if (webapp.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            tomcat.destroy();
            throw new IllegalStateException("the web application did not start: see Tomcat's log above");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // Ctrl-C stops the server
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "tomcat-shutdown"));
        sample.printReady(ServerInfo.getServerInfo());
        tomcat.getServer().await();
    }
}
