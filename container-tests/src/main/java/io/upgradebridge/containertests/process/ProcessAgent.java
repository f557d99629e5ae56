package io.upgradebridge.containertests.process;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.OptionalLong;
import javax.management.ObjectName;

/**
 * The main class of a container-test server that runs in a JVM of its own (Payara Micro, GlassFish Embedded): it boots
 * the server through a {@link ServerAdapter} and does, on request of the test JVM, what the in-JVM launchers do
 * (deploy, undeploy, tell whether the undeployed application's class loader was collected, list the threads, stop).
 *
 * <p>Arguments: the adapter's class name, the file to write the control port to, the HTTP port, a work directory,
 * the connector idle timeout in milliseconds (0: the server's default), {@code tls} or {@code plain} (the port is the
 * server's HTTPS listener), {@code requests} or {@code none} (the server's access log becomes the request log of
 * {@link AccessLogTail}). The agent listens on {@code 127.0.0.1}, port 0, writes the port to that file, and serves one
 * connection: a request is one line {@code COMMAND [argument]}, an answer one line {@code OK <base64>} or
 * {@code ERR <base64>}. Commands: {@code start WAR}, {@code deploy WAR}, {@code undeploy}, {@code collected},
 * {@code threads}, {@code heapdump FILE} (live objects), {@code loglevel LOGGER LEVEL} (answers the previous level),
 * {@code stop} (which ends the JVM). The server's log goes to this JVM's standard output, which the test side reads,
 * and every log record once more through {@link LogRelay}, in the form the in-JVM launchers capture.
 */
public final class ProcessAgent implements ClassLoaderWatchMBean {

    private final LogRelay relay = new LogRelay();
    private volatile WeakReference<Object> deployedLoader;
    private volatile WeakReference<Object> undeployedLoader;

    @Override
    public void started(Object classLoader) {
        deployedLoader = new WeakReference<>(classLoader);
    }

    public static void main(String[] args) throws Exception {
        ServerAdapter adapter = (ServerAdapter) Class.forName(args[0]).getConstructor().newInstance();
        Path portFile = Path.of(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        Path workDir = Files.createDirectories(Path.of(args[3]));
        long idle = Long.parseLong(args[4]);
        boolean tls = args.length > 5 && args[5].equals("tls");
        Path accessLog = args.length > 6 && args[6].equals("requests") ? workDir.resolve("access-log") : null;
        ProcessAgent agent = new ProcessAgent();
        agent.relay.install();
        ManagementFactory.getPlatformMBeanServer().registerMBean(new javax.management.StandardMBean(agent, ClassLoaderWatchMBean.class), new ObjectName(NAME));
        try (ServerSocket control = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path partial = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(partial, Integer.toString(control.getLocalPort()));
            Files.move(partial, portFile);
            try (Socket socket = control.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                 Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    String command = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
                    String argument = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
                    String answer;
                    try {
                        answer = "OK " + encode(agent.run(adapter, command, argument, httpPort, workDir, idle, tls, accessLog));
                    } catch (Throwable t) {
                        StringWriter trace = new StringWriter();
                        t.printStackTrace(new PrintWriter(trace));
                        answer = "ERR " + encode(trace.toString());
                    }
                    out.write(answer + "\n");
                    out.flush();
                    if (command.equals("stop")) {
                        break;
                    }
                }
            }
        } finally {
            System.exit(0); // the server's non-daemon threads must not keep this JVM
        }
    }

    private String run(ServerAdapter adapter, String command, String argument, int httpPort, Path workDir, long idle,
                       boolean tls, Path accessLog) throws Exception {
        switch (command) {
            case "start":
                adapter.start(httpPort, workDir, idle > 0 ? OptionalLong.of(idle) : OptionalLong.empty(), tls, accessLog);
                relay.install(); // again: the server may have reset the root logger's handlers while it booted
                if (accessLog != null) {
                    AccessLogTail.start(accessLog);
                }
                adapter.deploy(Path.of(argument));
                return "";
            case "loglevel":
                String[] loggerAndLevel = argument.split(" ");
                return relay.setLevel(loggerAndLevel[0], loggerAndLevel[1]);
            case "deploy":
                adapter.deploy(Path.of(argument));
                return "";
            case "undeploy":
                undeployedLoader = deployedLoader;
                deployedLoader = null;
                adapter.undeploy();
                return undeployedLoader == null ? "no class loader was reported by the application" : "";
            case "collected":
                return Boolean.toString(collected());
            case "threads":
                return threads();
            case "heapdump":
                java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpHeap(argument, true);
                return argument;
            case "stop":
                adapter.stop();
                return "";
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    /**
     * A bounded wait with explicit GCs, longer than the in-JVM launchers' 3 s: these servers let go of an undeployed
     * context in threads of their own a few seconds later (GlassFish's per-context background thread sleeps up to
     * 10 s between its checks, with the context's loader as its context class loader).
     */
    private boolean collected() throws InterruptedException {
        WeakReference<Object> ref = undeployedLoader;
        if (ref == null) {
            throw new IllegalStateException("nothing was undeployed, or the application reported no class loader");
        }
        for (int i = 0; i < 300 && ref.get() != null; i++) { // up to 30 s, as the in-JVM launchers
            System.gc();
            Thread.sleep(100);
        }
        return ref.get() == null;
    }

    /** Every live thread: its name on one line, its stack indented below, a blank line after each. */
    private static String threads() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            if (!entry.getKey().isAlive()) {
                continue;
            }
            text.append(entry.getKey().getName()).append('\n');
            for (StackTraceElement element : entry.getValue()) {
                text.append("    at ").append(element).append('\n');
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
