package io.upgradebridge.benchmarks.server;

import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * One echo server at {@code ws://127.0.0.1:PORT/echo}, in its own JVM: {@code BenchServer CONTAINER MODE PORT}
 * with CONTAINER {@code tomcat} (10.1 or 11: whichever is on the class path) or {@code jetty}, and MODE
 * {@code bridge}, {@code native-jakarta}, {@code native-jetty} (Jetty only) or {@code floor} (Tomcat only: the handshake
 * scenario's floor, {@link FloorUpgradeServlet}). Prints {@code READY <info>} once
 * it accepts connections and runs until it is stopped (SIGTERM: the shutdown hook stops the container).
 */
public final class BenchServer {

    /** Tomcat's default of 8192 would refuse the scale scenario's 10,000 sessions; the same limit for both modes. */
    static final int MAX_CONNECTIONS = 20_000;
    static final String HOST = "127.0.0.1";
    static final String PATH = "/echo";

    private static final Set<String> MODES = Set.of("bridge", "native-jakarta", "native-jetty", "floor");

    private BenchServer() {
    }

    /** A started server. */
    interface Running extends AutoCloseable {
        String info();

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !MODES.contains(args[1])) {
            System.err.println("usage: BenchServer tomcat|jetty bridge|native-jakarta|native-jetty|floor PORT");
            System.exit(2);
        }
        String container = args[0];
        String mode = args[1];
        int port = Integer.parseInt(args[2]);
        Running server;
        switch (container) {
            case "tomcat":
                server = TomcatEchoServer.start(mode, port);
                break;
            case "jetty":
                server = JettyEchoServer.start(mode, port);
                break;
            default:
                throw new IllegalArgumentException("unknown container " + container);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "bench-server-stop"));
        System.out.println("READY " + server.info() + " " + mode + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
