package io.upgradebridge.containertests;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A container in a JVM of its own (Payara Micro, GlassFish Embedded: application servers that set JVM-wide state,
 * logging, security and URL handlers, and cannot share a JVM with the other containers): the test side of
 * {@code io.upgradebridge.containertests.process.ProcessAgent}.
 *
 * <p>The application is always a WAR: a {@link ContainerConfig#war} is copied, and a programmatic configuration
 * (servlets, filters, listeners, context parameters) is turned into one, with a generated {@code WEB-INF/web.xml}
 * ({@code metadata-complete}), this module's server-side classes in {@code WEB-INF/classes} (those that do not refer to
 * an embedded container's API) and the bridge's three jars in {@code WEB-INF/lib}. Either WAR gets the
 * {@code ClassLoaderBeacon} jar, through which the agent learns the application's class loader. Context attributes
 * cannot cross a process boundary: a configuration with any is refused.
 *
 * <p>The child JVM runs on the JDK of this JVM ({@code java.home}), with the {@code Add-Opens}/{@code Add-Exports} of
 * the server jar's manifest, on {@code 127.0.0.1} and a port picked here. Its log records reach this side in the form
 * the in-JVM launchers capture them ({@code LEVEL [logger] message}), as the container's log lines (also in
 * {@code records.log} in its work directory); the rest of its standard output, the server's own console format, is in
 * {@code server.log} there. With TLS the port is the server's HTTPS listener, with the configured key store as the
 * JVM's ({@code javax.net.ssl.keyStore}); with the request log, the server's access log becomes that log.
 */
final class ProcessContainer {

    private static final String AGENT = "io.upgradebridge.containertests.process.ProcessAgent";
    private static final String PROCESS_PACKAGE = "io/upgradebridge/containertests/process/";
    private static final String BEACON = PROCESS_PACKAGE + "ClassLoaderBeacon.class";
    /** Byte sequences in a class file that refer to an embedded container's API: such a class stays out of a WAR. */
    private static final List<String> CONTAINER_APIS = List.of("org/apache/catalina/", "org/apache/coyote/",
        "org/apache/tomcat/", "org/eclipse/jetty/", "io/undertow/", "org/xnio/");
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** How many times a start is made when the port it was given turns out to be taken. */
    static final int PORT_ATTEMPTS = 3;
    /** The class of what a JVM throws when the address it binds is in use. */
    private static final String BIND_FAILURE = "java.net.BindException";
    private static final int MAX_LOG_LINES = 50_000;
    /** What starts a line that carries one log record (the agent's {@code LogRelay.MARKER}). */
    private static final String RECORD = "@@record ";

    private final Process process;
    private final Socket control;
    private final BufferedReader answers;
    private final Writer requests;
    private final Path war;
    private final int port;
    /** The server's log records, as the in-JVM launchers capture them ({@code LEVEL [logger] message}). */
    private final List<String> log;
    private boolean deployed;

    private ProcessContainer(Process process, Socket control, Path war, int port, List<String> log) throws IOException {
        this.process = process;
        this.control = control;
        this.answers = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
        this.requests = new OutputStreamWriter(control.getOutputStream(), StandardCharsets.UTF_8);
        this.war = war;
        this.port = port;
        this.log = log;
    }

    /** Starts the server of {@code kind} in a new JVM and deploys the application of {@code launch} (the launcher map). */
    static ProcessContainer start(ContainerKind kind, Map<String, Object> launch, Path workDir) throws Exception {
        return start(kind, launch, workDir, FREE_PORTS);
    }

    /**
     * Starts as {@link #start(ContainerKind, Map, Path)} does, on the ports {@code ports} gives. A port found free here
     * can be taken before the server's JVM binds it (another server, or a client socket given it as its ephemeral
     * port: Payara Micro failed so in CI with {@code BindException: Address already in use}); a start that failed
     * so is made again on the next port, {@value #PORT_ATTEMPTS} attempts in all.
     */
    static ProcessContainer start(ContainerKind kind, Map<String, Object> launch, Path workDir, PortSource ports)
            throws Exception {
        Files.createDirectories(workDir);
        Path war = buildWar(launch, workDir);
        Path agentJar = agentJar(workDir.resolve("agent.jar"));
        Path serverJar = serverJar(kind);
        for (int attempt = 1; ; attempt++) {
            int port = ports.next();
            try {
                return startOnce(kind, launch, workDir, war, agentJar, serverJar, port);
            } catch (PortTaken taken) {
                if (attempt == PORT_ATTEMPTS) {
                    throw taken.failure;
                }
                System.out.println("[harness] " + kind + ": port " + port + " was taken before the server bound it"
                    + " (attempt " + attempt + " of " + PORT_ATTEMPTS + "); starting it again on another port");
            }
        }
    }

    /** Where each start attempt takes its port. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    /** A port of the loopback address that is free when asked. */
    static final PortSource FREE_PORTS = ProcessContainer::freePort;

    /** A start that failed because a port the server was to listen on was in use; {@code failure} says how. */
    private static final class PortTaken extends Exception {
        final Exception failure;

        PortTaken(Exception failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    private static ProcessContainer startOnce(ContainerKind kind, Map<String, Object> launch, Path workDir, Path war,
                                              Path agentJar, Path serverJar, int port) throws Exception {
        Path portFile = workDir.resolve("control.port");
        Files.deleteIfExists(portFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        if (launch.get("keyStore") != null) {
            // the server's key store, as a production server is given one: the test certificate (127.0.0.1 in its SAN)
            command.add("-Djavax.net.ssl.keyStore=" + launch.get("keyStore"));
            command.add("-Djavax.net.ssl.keyStorePassword=" + launch.get("keyStorePassword"));
            command.add("-Djavax.net.ssl.keyStoreType=PKCS12");
        }
        command.addAll(manifestModuleOptions(serverJar));
        command.add("-cp");
        command.add(serverJar + java.io.File.pathSeparator + agentJar);
        command.add(AGENT);
        command.add(kind.launcherClass());
        command.add(portFile.toString());
        command.add(Integer.toString(port));
        command.add(workDir.toString());
        Object idle = launch.get("idleTimeoutMillis");
        command.add(idle == null ? "0" : Long.toString(((Number) idle).longValue()));
        command.add(launch.get("keyStore") != null ? "tls" : "plain");
        command.add(Boolean.TRUE.equals(launch.get("logRequests")) ? "requests" : "none");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        List<String> log = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        Thread pump = new Thread(() -> copyLog(process.getInputStream(), log, raw, workDir),
            "log-of-" + kind.directory());
        pump.setDaemon(true);
        pump.start();
        ProcessContainer started = null;
        try {
            Socket control = connect(portFile, process);
            control.setSoTimeout((int) BOOT_TIMEOUT.toMillis());
            started = new ProcessContainer(process, control, war, port, log);
            started.call("start " + war);
            started.deployed = true;
            control.setSoTimeout((int) COMMAND_TIMEOUT.toMillis());
            return started;
        } catch (Exception | Error e) {
            process.destroyForcibly();
            process.waitFor();
            pump.join(TimeUnit.SECONDS.toMillis(10)); // the rest of the output, up to the JVM's end
            boolean portTaken;
            synchronized (log) {
                portTaken = Stream.concat(raw.stream(), log.stream()).anyMatch(line -> line.contains(BIND_FAILURE))
                    || String.valueOf(e.getMessage()).contains(BIND_FAILURE);
                e.addSuppressed(new IllegalStateException("log of the failed start:\n" + String.join("\n",
                    raw.subList(Math.max(0, raw.size() - 200), raw.size()))));
            }
            if (portTaken && e instanceof Exception failure) {
                throw new PortTaken(failure);
            }
            throw e;
        }
    }

    int port() {
        return port;
    }

    synchronized boolean isDeployed() {
        return deployed;
    }

    synchronized void undeploy() throws IOException {
        if (!deployed) {
            throw new IllegalStateException("nothing deployed");
        }
        deployed = false;
        String note = call("undeploy");
        if (!note.isEmpty()) {
            throw new IllegalStateException(note);
        }
    }

    synchronized void deploy() throws IOException {
        if (deployed) {
            throw new IllegalStateException("already deployed");
        }
        call("deploy " + war);
        deployed = true;
    }

    synchronized boolean undeployedClassLoaderCollected() throws IOException {
        return Boolean.parseBoolean(call("collected"));
    }

    /** The live threads of the server's JVM whose name starts with one of {@code prefixes}, each with its stack. */
    synchronized List<String> threadsNamed(String... prefixes) throws IOException {
        if (!process.isAlive()) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        for (String block : call("threads").split("\n\n")) {
            String name = block.lines().findFirst().orElse("");
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    found.add(block);
                    break;
                }
            }
        }
        return found;
    }

    /** Writes a heap dump (live objects) of the server's JVM to {@code file}. */
    synchronized void dumpHeap(Path file) throws IOException {
        call("heapdump " + file.toAbsolutePath());
    }

    /** The server's log records so far, each as {@code LEVEL [logger] message} plus a stack trace (see LogRelay). */
    List<String> logLines() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Sets a logger's level in the server's JVM; returns the previous level ({@code "null"}: inherited). */
    synchronized String setLogLevel(String logger, String level) throws IOException {
        return call("loglevel " + logger + " " + level);
    }

    /** Stops the server and waits (bounded) for its JVM to end; kills it if it does not. */
    synchronized void stop() throws Exception {
        try {
            if (process.isAlive()) {
                call("stop");
            }
        } finally {
            deployed = false;
            try {
                control.close();
            } finally {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        }
    }

    private String call(String request) throws IOException {
        requests.write(request + "\n");
        requests.flush();
        String answer = answers.readLine();
        if (answer == null) {
            throw new IOException("the server's JVM ended during '" + request + "' (exit " + exitCode() + ")");
        }
        String payload = new String(Base64.getDecoder().decode(answer.substring(answer.indexOf(' ') + 1)),
            StandardCharsets.UTF_8);
        if (!answer.startsWith("OK ")) {
            throw new IOException("'" + request + "' failed in the server's JVM:\n" + payload);
        }
        return payload;
    }

    private String exitCode() {
        try {
            return process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static Socket connect(Path portFile, Process process) throws Exception {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (!Files.exists(portFile)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server's JVM ended before it listened (exit " + process.exitValue() + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the server's JVM did not listen within " + BOOT_TIMEOUT);
            }
            Thread.sleep(50);
        }
        int controlPort = Integer.parseInt(Files.readString(portFile).trim());
        return new Socket(InetAddress.getLoopbackAddress(), controlPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * Reads the server's standard output: a relayed log record ({@code @@record} and Base64, see the agent's
     * {@code LogRelay}) becomes one entry of {@code log} and of {@code records.log}; every other line (the server's
     * own console format) goes to {@code raw} and {@code server.log}.
     */
    private static void copyLog(InputStream output, List<String> log, List<String> raw, Path workDir) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
             Writer copy = Files.newBufferedWriter(workDir.resolve("server.log"));
             Writer records = Files.newBufferedWriter(workDir.resolve("records.log"))) {
            String line;
            while ((line = lines.readLine()) != null) {
                boolean record = line.startsWith(RECORD);
                String text = record ? new String(Base64.getDecoder().decode(line.substring(RECORD.length()).trim()),
                    StandardCharsets.UTF_8) : line;
                Writer file = record ? records : copy;
                file.write(text);
                file.write('\n');
                file.flush();
                synchronized (log) {
                    List<String> target = record ? log : raw;
                    if (target.size() < MAX_LOG_LINES) {
                        target.add(text);
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            synchronized (log) {
                log.add("(the server's log could not be read further: " + e + ")");
            }
        }
    }

    /** The server's jar: the one jar of the kind's container world. */
    private static Path serverJar(ContainerKind kind) {
        List<Path> jars = ContainerClassPath.containerJars(kind.directory());
        if (jars.size() != 1) {
            throw new IllegalStateException("expected one server jar for " + kind + ", found " + jars);
        }
        return jars.get(0);
    }

    /** {@code --add-opens}/{@code --add-exports} for what the server jar's manifest opens when run with {@code java -jar}. */
    private static List<String> manifestModuleOptions(Path serverJar) throws IOException {
        List<String> options = new ArrayList<>();
        try (JarFile jar = new JarFile(serverJar.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            for (String[] kind : new String[][] {{"Add-Opens", "--add-opens="}, {"Add-Exports", "--add-exports="}}) {
                String value = main.getValue(kind[0]);
                if (value != null) {
                    for (String target : value.trim().split("\\s+")) {
                        options.add(kind[1] + target + "=ALL-UNNAMED");
                    }
                }
            }
        }
        return options;
    }

    /** The agent's jar: this module's {@code process} package without the beacon (which must only be in WARs). */
    private static Path agentJar(Path jar) throws IOException {
        Path classes = ContainerClassPath.path("serverApp.path", "target/classes");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            addTree(out, classes, "", name -> name.startsWith(PROCESS_PACKAGE) && !name.equals(BEACON));
        }
        return jar;
    }

    private static byte[] beaconJar() throws IOException {
        Path classes = ContainerClassPath.path("serverApp.path", "target/classes");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            put(out, BEACON, Files.readAllBytes(classes.resolve(BEACON)));
            put(out, "META-INF/services/jakarta.servlet.ServletContainerInitializer",
                "io.upgradebridge.containertests.process.ClassLoaderBeacon\n".getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /** The WAR to deploy: the configured one plus the beacon, or one built from the programmatic configuration. */
    @SuppressWarnings("unchecked")
    private static Path buildWar(Map<String, Object> launch, Path workDir) throws IOException {
        Map<String, Object> attributes = (Map<String, Object>) launch.getOrDefault("contextAttributes", Map.of());
        if (!attributes.isEmpty()) {
            throw new IllegalArgumentException("context attributes cannot reach a server in another JVM: " + attributes.keySet());
        }
        Path target = workDir.resolve("app.war");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            if (launch.get("war") != null) {
                try (ZipFile source = new ZipFile(launch.get("war").toString())) {
                    for (ZipEntry entry : java.util.Collections.list(source.entries())) {
                        try (InputStream in = source.getInputStream(entry)) {
                            if (entry.isDirectory()) {
                                out.putNextEntry(new ZipEntry(entry.getName()));
                                out.closeEntry();
                            } else {
                                put(out, entry.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            } else {
                put(out, "WEB-INF/web.xml", WebXml.of(launch).getBytes(StandardCharsets.UTF_8));
                Path classes = ContainerClassPath.path("serverApp.path", "target/classes");
                addTree(out, classes, "WEB-INF/classes/", name -> !name.startsWith(PROCESS_PACKAGE)
                    && (!name.endsWith(".class") || !refersToAContainer(classes, name)));
                for (String[] jar : new String[][] {{"servletBridge.path", "../servlet-bridge/target/classes", "servlet-bridge.jar"},
                        {"websocketRaw.path", "../websocket-raw/target/classes", "websocket-raw.jar"},
                        {"websockets.path", "../websockets/target/classes", "websockets.jar"}}) {
                    put(out, "WEB-INF/lib/" + jar[2], jarBytes(ContainerClassPath.path(jar[0], jar[1])));
                }
            }
            put(out, "WEB-INF/lib/upgrade-bridge-test-beacon.jar", beaconJar());
        }
        return target;
    }

    /** Whether the class (or the class it is nested in) refers to an embedded container's API. */
    private static boolean refersToAContainer(Path classes, String classFile) {
        try {
            int nested = classFile.indexOf('$');
            if (nested > 0 && refersToAContainer(classes, classFile.substring(0, nested) + ".class")) {
                return true;
            }
            String text = new String(Files.readAllBytes(classes.resolve(classFile)), StandardCharsets.ISO_8859_1);
            return CONTAINER_APIS.stream().anyMatch(text::contains);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A jar file's bytes, or a jar made of a classes folder (the reactor before {@code package}). */
    private static byte[] jarBytes(Path jarOrClasses) throws IOException {
        if (!Files.isDirectory(jarOrClasses)) {
            return Files.readAllBytes(jarOrClasses);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            addTree(out, jarOrClasses, "", name -> true);
        }
        return bytes.toByteArray();
    }

    private static void addTree(ZipOutputStream out, Path root, String prefix, java.util.function.Predicate<String> include)
            throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (include.test(name)) {
                    put(out, prefix + name, Files.readAllBytes(file));
                }
            }
        }
    }

    private static void put(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    /** Writes the {@code web.xml} of a programmatic configuration. */
    static final class WebXml {

        private WebXml() {
        }

        @SuppressWarnings("unchecked")
        static String of(Map<String, Object> launch) {
            StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\" metadata-complete=\"true\">\n");
            Map<String, String> params = new java.util.LinkedHashMap<>((Map<String, String>) launch.getOrDefault("contextInitParams", Map.of()));
            Object transport = launch.get("bridgeTransport");
            if (transport != null) {
                params.putIfAbsent("io.upgradebridge.transport", transport.toString());
            }
            params.forEach((name, value) -> xml.append("  <context-param><param-name>").append(escape(name))
                .append("</param-name><param-value>").append(escape(value)).append("</param-value></context-param>\n"));
            for (String listener : (List<String>) launch.getOrDefault("listeners", List.of())) {
                xml.append("  <listener><listener-class>").append(escape(listener)).append("</listener-class></listener>\n");
            }
            for (Map<String, Object> filter : (List<Map<String, Object>>) launch.getOrDefault("filters", List.of())) {
                component(xml, "filter", filter, false);
            }
            for (Map<String, Object> filter : (List<Map<String, Object>>) launch.getOrDefault("filters", List.of())) {
                mapping(xml, "filter", filter, "<dispatcher>REQUEST</dispatcher>");
            }
            for (Map<String, Object> servlet : (List<Map<String, Object>>) launch.getOrDefault("servlets", List.of())) {
                component(xml, "servlet", servlet, true);
            }
            for (Map<String, Object> servlet : (List<Map<String, Object>>) launch.getOrDefault("servlets", List.of())) {
                mapping(xml, "servlet", servlet, "");
            }
            return xml.append("</web-app>\n").toString();
        }

        /** {@code <KIND-mapping>} of one filter or servlet: its name, its URL patterns, then {@code tail}. */
        @SuppressWarnings("unchecked")
        private static void mapping(StringBuilder xml, String kind, Map<String, Object> component, String tail) {
            xml.append("  <").append(kind).append("-mapping><").append(kind).append("-name>")
                .append(escape(component.get("name").toString())).append("</").append(kind).append("-name>");
            for (String pattern : (List<String>) component.get("urlPatterns")) {
                xml.append("<url-pattern>").append(escape(pattern)).append("</url-pattern>");
            }
            xml.append(tail).append("</").append(kind).append("-mapping>\n");
        }

        @SuppressWarnings("unchecked")
        private static void component(StringBuilder xml, String type, Map<String, Object> spec, boolean servlet) {
            xml.append("  <").append(type).append("><").append(type).append("-name>").append(escape(spec.get("name").toString()))
                .append("</").append(type).append("-name><").append(type).append("-class>").append(escape(spec.get("class").toString()))
                .append("</").append(type).append("-class>");
            Object async = spec.get("asyncSupported");
            String asyncSupported = "<async-supported>" + (async == null || Boolean.TRUE.equals(async)) + "</async-supported>";
            if (!servlet) {
                xml.append(asyncSupported); // the schema's order: a filter's async-supported comes before its init-params
            }
            ((Map<String, String>) spec.getOrDefault("initParams", Map.of())).forEach((name, value) -> xml
                .append("<init-param><param-name>").append(escape(name)).append("</param-name><param-value>")
                .append(escape(value)).append("</param-value></init-param>"));
            Object load = spec.get("loadOnStartup");
            if (servlet && load != null && ((Number) load).intValue() >= 0) {
                xml.append("<load-on-startup>").append(load).append("</load-on-startup>");
            }
            if (servlet) {
                xml.append(asyncSupported);
            }
            xml.append("</").append(type).append(">\n");
        }

        private static String escape(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }

    @Override
    public String toString() {
        return "ProcessContainer{port=" + port + ", alive=" + process.isAlive() + '}';
    }

}
