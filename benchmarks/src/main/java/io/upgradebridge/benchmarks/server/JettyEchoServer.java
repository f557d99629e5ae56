package io.upgradebridge.benchmarks.server;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Embedded Jetty 12.1 (ee10) with one {@link ServletContextHandler} at {@code /}: the bridge's filter and echo
 * servlet (the server classes are on the application's class path, as the bridge's Jetty transport needs), or
 * Jetty's Jakarta WebSocket with {@link JakartaEchoEndpoint}, or Jetty's own WebSocket API
 * ({@link WebSocketUpgradeHandler} in front of the servlets) with {@link JettyApiEchoEndpoint}. Default thread pool
 * and connector, bound to 127.0.0.1.
 */
final class JettyEchoServer implements BenchServer.Running {

    /** Room for the large scenario's 1 MiB messages (Jetty's WebSocket defaults are 64 KiB). */
    private static final int MAX_MESSAGE = 2 * 1024 * 1024;

    private final Server server;

    private JettyEchoServer(Server server) {
        this.server = server;
    }

    static JettyEchoServer start(String mode, int port) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(BenchServer.HOST);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        switch (mode) {
            case "bridge":
                FilterHolder filter = new FilterHolder(new ProtocolUpgradeFilter());
                filter.setAsyncSupported(true);
                context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
                ServletHolder servlet = new ServletHolder(new BridgeEchoServlet());
                servlet.setAsyncSupported(true);
                context.addServlet(servlet, BenchServer.PATH);
                break;
            case "native-jakarta":
                JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
                    container.setDefaultMaxBinaryMessageBufferSize(MAX_MESSAGE);
                    container.addEndpoint(JakartaEchoEndpoint.class);
                });
                break;
            case "native-jetty":
                WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, context, container -> {
                    container.setMaxBinaryMessageSize(MAX_MESSAGE);
                    container.setMaxFrameSize(MAX_MESSAGE);
                    container.addMapping(BenchServer.PATH, (request, response, callback) -> new JettyApiEchoEndpoint());
                });
                context.insertHandler(upgrades);
                break;
            default:
                throw new IllegalArgumentException("Jetty has no mode " + mode);
        }
        server.setHandler(context);
        server.start();
        if (!context.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the context did not start");
        }
        return new JettyEchoServer(server);
    }

    @Override
    public String info() {
        return "Jetty/" + Server.getVersion();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
