package io.upgradebridge.sample.run;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * What {@code JettySample} (ee10) and {@code JettyEe11Sample} (ee11) share: Jetty's core server, which is the same
 * in every environment (each environment has its own copy of every servlet class, {@code WebAppContext} included).
 */
final class JettyServer {

    private JettyServer() {
    }

    /**
     * Serves {@code webapp} at {@code /} on the sample's port until Ctrl-C; fails if the web application did not
     * start.
     */
    static void serve(SampleArgs sample, String environment, ContextHandler webapp) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(SampleArgs.HOST);
        connector.setPort(sample.port());
        server.addConnector(connector);
        server.setHandler(webapp);
        server.setStopAtShutdown(true); // Ctrl-C stops the server

        server.start();
        if (!webapp.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the web application did not start: see Jetty's log above");
        }
        sample.printReady("Jetty " + Server.getVersion() + " (" + environment + ")");
        server.join();
    }
}
