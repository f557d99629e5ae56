package io.upgradebridge.benchmarks.server;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * Embedded Tomcat (10.1 or 11) with one context at {@code ""}: the bridge's filter and echo servlet, Tomcat's own
 * WebSocket ({@link WsSci}) with {@link JakartaEchoEndpoint}, or ({@code floor}) {@link FloorUpgradeServlet}, the least
 * a WebSocket handshake and close can cost on Tomcat's upgrade path. NIO connector, defaults except the
 * address and {@link BenchServer#MAX_CONNECTIONS}.
 */
final class TomcatEchoServer implements BenchServer.Running {

    private final Tomcat tomcat;

    private TomcatEchoServer(Tomcat tomcat) {
        this.tomcat = tomcat;
    }

    static TomcatEchoServer start(String mode, int port) throws Exception {
        Path base = Files.createTempDirectory("bench-tomcat-");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setProperty("address", BenchServer.HOST);
        connector.setProperty("maxConnections", Integer.toString(BenchServer.MAX_CONNECTIONS));
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        // Without any servlet mapped at "/", Tomcat answers 404 before the filter chain runs, so Tomcat's WsFilter
        // would never see an upgrade request for /echo. Both modes get the same default servlet.
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        switch (mode) {
            case "bridge":
                addBridge(context);
                break;
            case "floor":
                Tomcat.addServlet(context, "floor", new FloorUpgradeServlet()).setAsyncSupported(true);
                context.addServletMappingDecoded(BenchServer.PATH, "floor");
                break;
            case "native-jakarta":
                // WsSci registers the annotated endpoints it is given, as a container's annotation scan would
                context.addServletContainerInitializer(new WsSci(), Set.of(JakartaEchoEndpoint.class));
                break;
            default:
                throw new IllegalArgumentException("Tomcat has no mode " + mode);
        }
        tomcat.start();
        if (connector.getLocalPort() <= 0) {
            throw new IllegalStateException("Tomcat did not bind port " + port);
        }
        return new TomcatEchoServer(tomcat);
    }

    private static void addBridge(Context context) {
        FilterDef filter = new FilterDef();
        filter.setFilterName("upgrade-bridge");
        filter.setFilter(new ProtocolUpgradeFilter());
        filter.setAsyncSupported("true");
        context.addFilterDef(filter);
        FilterMap map = new FilterMap();
        map.setFilterName("upgrade-bridge");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        Tomcat.addServlet(context, "echo", new BridgeEchoServlet()).setAsyncSupported(true);
        context.addServletMappingDecoded(BenchServer.PATH, "echo");
    }

    @Override
    public String info() {
        return ServerInfo.getServerInfo().replace(' ', '_');
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
