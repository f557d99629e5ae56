package io.upgradebridge.benchmarks.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One node of the chat fan-out benchmark, in its own JVM: {@code ChatNodeServer tomcat|jetty PORT WAR} deploys the
 * war-sample WAR at {@code /} on 127.0.0.1:PORT as a standalone server would (Tomcat: {@code addWebapp}; Jetty: an
 * ee10 {@code WebAppContext} with Jetty's default class hiding, which the WAR's {@code jetty-web.xml} opens), with
 * the same connection limit as the echo servers. The sample's settings (its Redis, for the chat of several nodes)
 * come as system properties. Prints {@code READY <info>} and runs until SIGTERM.
 */
public final class ChatNodeServer {

    private ChatNodeServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ChatNodeServer tomcat|jetty PORT WAR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        Path war = Path.of(args[2]).toAbsolutePath();
        if (!Files.isRegularFile(war)) {
            throw new IllegalArgumentException("no WAR at " + war);
        }
        BenchServer.Running server = switch (args[0]) {
            case "tomcat" -> OnTomcat.start(port, war);
            case "jetty" -> OnJetty.start(port, war);
            default -> throw new IllegalArgumentException("unknown container " + args[0]);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "chat-node-stop"));
        System.out.println("READY " + server.info() + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** Separate classes, so that each JVM loads only its own container's classes. */
    private static final class OnTomcat {
    static BenchServer.Running start(int port, Path war) throws Exception {
        Path base = Files.createTempDirectory("chat-node-tomcat-");
        org.apache.catalina.startup.Tomcat tomcat = new org.apache.catalina.startup.Tomcat();
        tomcat.setBaseDir(base.toString());
        Files.createDirectories(base.resolve("webapps"));
        org.apache.catalina.connector.Connector connector = new org.apache.catalina.connector.Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setProperty("address", BenchServer.HOST);
        connector.setProperty("maxConnections", Integer.toString(BenchServer.MAX_CONNECTIONS));
        tomcat.setConnector(connector);
        tomcat.getHost().setAppBase(base.resolve("webapps").toString());
        tomcat.addWebapp("", war.toString());
        tomcat.start();
        if (connector.getLocalPort() <= 0) {
            throw new IllegalStateException("Tomcat did not bind port " + port);
        }
        return new BenchServer.Running() {
            @Override
            public String info() {
                return org.apache.catalina.util.ServerInfo.getServerInfo().replace(' ', '_');
            }

            @Override
            public void close() throws Exception {
                tomcat.stop();
                tomcat.destroy();
            }
        };
    }

    }

    private static final class OnJetty {
    static BenchServer.Running start(int port, Path war) throws Exception {
        org.eclipse.jetty.server.Server server = new org.eclipse.jetty.server.Server();
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server);
        connector.setHost(BenchServer.HOST);
        connector.setPort(port);
        server.addConnector(connector);
        org.eclipse.jetty.ee10.webapp.WebAppContext context = new org.eclipse.jetty.ee10.webapp.WebAppContext();
        context.setContextPath("/");
        context.setWar(war.toString());
        context.setTempDirectory(Files.createTempDirectory("chat-node-jetty-").toFile());
        server.setHandler(context);
        server.start();
        if (!context.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the web application did not start", context.getUnavailableException());
        }
        return new BenchServer.Running() {
            @Override
            public String info() {
                return "Jetty/" + org.eclipse.jetty.server.Server.getVersion();
            }

            @Override
            public void close() throws Exception {
                context.stop(); // the sessions hear 1001 while the connector is still up
                server.stop();
            }
        };
    }
    }
}
