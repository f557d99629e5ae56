package io.upgradebridge.benchmarks.reference;

import java.util.concurrent.CountDownLatch;

/**
 * A reference server for the benchmark table, in its own JVM, no container and no servlet:
 * {@code ReferenceServer nio-ws|tcp PORT}. {@code nio-ws}: a plain NIO WebSocket echo at
 * {@code ws://127.0.0.1:PORT/echo} ({@link WebSocketEchoConnection}); {@code tcp}: a plain NIO TCP echo, bytes in,
 * the same bytes out ({@link TcpEchoConnection}). Selector threads: {@code -Dbench.selectors=N}, by default one per
 * available processor. Prints {@code READY <info>} like the container servers and runs until it is stopped.
 */
public final class ReferenceServer {

    private ReferenceServer() {
    }

    /** Starts the server {@code kind} ({@code nio-ws} or {@code tcp}) on 127.0.0.1:{@code port} (0: any). */
    static NioServer start(String kind, int port, int selectors) throws Exception {
        return switch (kind) {
            case "nio-ws" -> NioServer.start(port, selectors, "nio-ws-echo", WebSocketEchoConnection::new);
            case "tcp" -> NioServer.start(port, selectors, "tcp-echo", TcpEchoConnection::new);
            default -> throw new IllegalArgumentException("unknown reference server " + kind + ": nio-ws or tcp");
        };
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ReferenceServer nio-ws|tcp PORT");
            System.exit(2);
        }
        int selectors = Integer.getInteger("bench.selectors", Runtime.getRuntime().availableProcessors());
        NioServer server = start(args[0], Integer.parseInt(args[1]), selectors);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "reference-server-stop"));
        System.out.println("READY " + (args[0].equals("tcp") ? "NIO TCP echo" : "NIO WebSocket echo") + " "
                + selectors + " selector threads " + args[0] + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
