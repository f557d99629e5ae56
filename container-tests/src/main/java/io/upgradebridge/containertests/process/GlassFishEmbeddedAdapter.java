package io.upgradebridge.containertests.process;

import java.io.File;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * GlassFish Embedded ({@code glassfish-embedded-all.jar} on the class path) through its {@code org.glassfish.embeddable}
 * API: the HTTP listener {@code http-listener} on {@code 127.0.0.1} and the given port (and, if asked, idle timeout in
 * whole seconds), the HTTPS listener on {@code 127.0.0.1} and a free port, set as embedded configuration properties
 * before start. The application is deployed as {@code app}
 * at {@code "/"}.
 */
public final class GlassFishEmbeddedAdapter implements ServerAdapter {

    private static final String CONFIG = "embedded-glassfish-config.server.network-config.";
    private static final String APP = "app";

    private Object glassfish;

    /** Public no-arg constructor: {@link ProcessAgent} creates adapters reflectively. */
    public GlassFishEmbeddedAdapter() {
    }

    @Override
    public void start(int port, Path workDir, OptionalLong idleTimeoutMillis, boolean tls, Path accessLog) throws Exception {
        if (tls || accessLog != null) {
            // the test side does not ask (ContainerKind.unsupportedConfigurationReason); a direct caller learns why
            throw new UnsupportedOperationException("the harness sets up neither TLS nor the access log for GlassFish Embedded");
        }
        Class<?> runtimeType = Class.forName("org.glassfish.embeddable.GlassFishRuntime");
        Class<?> propertiesType = Class.forName("org.glassfish.embeddable.GlassFishProperties");
        Object runtime = runtimeType.getMethod("bootstrap").invoke(null);
        Properties config = new Properties();
        config.setProperty(CONFIG + "network-listeners.network-listener.http-listener.port", Integer.toString(port));
        config.setProperty(CONFIG + "network-listeners.network-listener.http-listener.address", "127.0.0.1");
        config.setProperty(CONFIG + "network-listeners.network-listener.http-listener.enabled", "true");
        // the HTTPS listener stays (disabled, GlassFish logs SEVERE errors about it), on loopback and a free port
        config.setProperty(CONFIG + "network-listeners.network-listener.https-listener.address", "127.0.0.1");
        config.setProperty(CONFIG + "network-listeners.network-listener.https-listener.port", Integer.toString(freePort()));
        idleTimeoutMillis.ifPresent(ms -> config.setProperty(CONFIG + "protocols.protocol.http-listener.http.timeout-seconds",
            Long.toString(Math.max(1, ms / 1000))));
        Object properties = propertiesType.getConstructor(Properties.class).newInstance(config);
        glassfish = runtimeType.getMethod("newGlassFish", propertiesType).invoke(runtime, properties);
        type("GlassFish").getMethod("start").invoke(glassfish);
        // as PayaraMicroAdapter: idle threads of the default managed executor end after 1 s
        Object runner = type("GlassFish").getMethod("getCommandRunner").invoke(glassfish);
        for (String setting : new String[] {"core-pool-size=0", "keep-alive-seconds=1"}) {
            Object result = type("CommandRunner").getMethod("run", String.class, String[].class)
                .invoke(runner, "set", new String[] {PayaraMicroAdapter.MANAGED_EXECUTOR + setting});
            Object status = type("CommandResult").getMethod("getExitStatus").invoke(result);
            if (!"SUCCESS".equals(String.valueOf(status))) {
                Object output = type("CommandResult").getMethod("getOutput").invoke(result);
                throw new IllegalStateException("asadmin set " + setting + " failed: " + status + " " + output);
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Override
    public void deploy(Path war) throws Exception {
        Object deployer = type("GlassFish").getMethod("getDeployer").invoke(glassfish);
        Object name = type("Deployer").getMethod("deploy", File.class, String[].class)
            .invoke(deployer, war.toFile(), new String[] {"--name=" + APP, "--contextroot=/"});
        if (name == null) {
            throw new IllegalStateException("GlassFish did not deploy " + war + " (see its log)");
        }
    }

    @Override
    public void undeploy() throws Exception {
        Object deployer = type("GlassFish").getMethod("getDeployer").invoke(glassfish);
        type("Deployer").getMethod("undeploy", String.class, String[].class).invoke(deployer, APP, new String[0]);
    }

    @Override
    public void stop() throws Exception {
        if (glassfish != null) {
            type("GlassFish").getMethod("stop").invoke(glassfish);
            type("GlassFish").getMethod("dispose").invoke(glassfish);
        }
    }

    /** A public type of the embeddable API. */
    private static Class<?> type(String simpleName) throws ClassNotFoundException {
        return Class.forName("org.glassfish.embeddable." + simpleName);
    }
}
