package io.upgradebridge.sample.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The arguments war-sample's pom passes to a runner: the container asked for ({@code -Dsample.container}), the
 * WAR file and the port ({@code -Dsample.port}).
 */
record SampleArgs(String container, Path war, int port) {

    /** The runners listen on the loopback interface only. */
    static final String HOST = "127.0.0.1";

    static SampleArgs parse(String[] args, Set<String> containers) {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: <container> <war file> <port>; run it with: "
                + "mvn -q -pl war-sample -am package exec:java -DskipTests"
                + " [-Dsample.container=jetty|jetty-ee11|tomcat11|tomcat10.1]");
        }
        String container = args[0];
        if (!containers.contains(container)) {
            throw new IllegalArgumentException("unknown -Dsample.container=" + container
                + ": use jetty (the default, Jetty ee10), jetty-ee11, tomcat11 or tomcat10.1");
        }
        Path war = Path.of(args[1]).toAbsolutePath();
        if (!Files.isRegularFile(war)) {
            throw new IllegalArgumentException(war + " does not exist: build it first (mvn package)");
        }
        return new SampleArgs(container, war, Integer.parseInt(args[2]));
    }

    /** Where a runner may write (Jetty's extracted WAR, Tomcat's base folder): next to the WAR, in target/. */
    Path workDir(String name) {
        return war.resolveSibling("sample-run").resolve(name);
    }

    void printReady(String server) {
        System.out.println();
        System.out.println("war-sample on " + server + ": http://localhost:" + port + "/   (Ctrl-C stops it)");
        System.out.println("  echo-lines (type lines, Ctrl-C ends): curl --no-progress-meter -N -i --http1.1 -X GET -H 'Connection: Upgrade'"
            + " -H 'Upgrade: echo-lines' -H 'Transfer-Encoding:' -H 'Expect:' -T . http://localhost:" + port + "/lines");
        System.out.println("  or: printf 'GET /lines HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: Upgrade\\r\\n"
            + "Upgrade: echo-lines\\r\\n\\r\\nhello\\n' | nc -q1 127.0.0.1 " + port);
        System.out.println();
    }
}
