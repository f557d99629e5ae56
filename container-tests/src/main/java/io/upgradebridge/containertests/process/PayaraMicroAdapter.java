package io.upgradebridge.containertests.process;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Payara Micro through its embedding API ({@code fish.payara.micro.PayaraMicro}, on the class path as
 * {@code payara-micro.jar}): no clustering and no Hazelcast (which would bind and multicast on other interfaces), the
 * HTTP listener (with TLS: the HTTPS listener, the key of the JVM's key store, HTTP/2 by ALPN) bound to {@code 127.0.0.1},
 * the given port and, if asked, idle timeout (whole seconds: {@code timeout-seconds} of the listener's protocol), and
 * if asked the access log ({@code %request%}, written as requests are answered), set by {@code asadmin set} commands
 * before boot. The application is deployed as {@code app} at {@code "/"}.
 */
public final class PayaraMicroAdapter implements ServerAdapter {

    private static final String LISTENER = "configs.config.server-config.network-config.";
    private static final String APP = "app";
    static final String MANAGED_EXECUTOR = "resources.managed-executor-service.concurrent/__defaultManagedExecutorService.";

    private Object runtime;

    /** Public no-arg constructor: {@link ProcessAgent} creates adapters reflectively. */
    public PayaraMicroAdapter() {
    }

    @Override
    public void start(int port, Path workDir, OptionalLong idleTimeoutMillis, boolean tls, Path accessLog) throws Exception {
        Class<?> micro = Class.forName("fish.payara.micro.PayaraMicro");
        Object boot = micro.getMethod("getInstance").invoke(null);
        micro.getMethod("setNoCluster", boolean.class).invoke(boot, true);
        micro.getMethod("setNoHazelcast", boolean.class).invoke(boot, true); // no data grid: it would bind other interfaces
        if (tls) {
            // Payara's https-listener, HTTP/2 on by default there; the certificate of the JVM's key store
            // (javax.net.ssl.keyStore, set by the test side) instead of Payara's own s1as
            micro.getMethod("setSslPort", int.class).invoke(boot, port);
            micro.getMethod("setSslCert", String.class).invoke(boot, onlyAlias());
            micro.getMethod("setHttpPort", int.class).invoke(boot, freePort());
        } else {
            micro.getMethod("setHttpPort", int.class).invoke(boot, port);
        }
        micro.getMethod("setRootDir", File.class).invoke(boot, workDir.resolve("payara-root").toFile());
        micro.getMethod("setPrintLogo", boolean.class).invoke(boot, false);
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"set", LISTENER + "network-listeners.network-listener.http-listener.address=127.0.0.1"});
        commands.add(new String[] {"set", LISTENER + "network-listeners.network-listener.https-listener.address=127.0.0.1"});
        if (accessLog != null) {
            java.nio.file.Files.createDirectories(accessLog);
            micro.getMethod("setAccessLogDir", String.class).invoke(boot, accessLog.toString());
            micro.getMethod("setAccessLogFormat", String.class).invoke(boot, "%request%");
            // each line as its request is answered (the default writes every 300 s)
            commands.add(new String[] {"set", "configs.config.server-config.http-service.access-log.write-interval-seconds=0"});
        }
        // idle threads of the default managed executor end after 1 s (not 60): a thread that pool starts keeps what the
        // submitting thread had (Java 17-23: the access control context of its stack, hence the application's classes
        // and loader) for as long as it lives, so an undeployed application stays reachable until its threads end
        commands.add(new String[] {"set", MANAGED_EXECUTOR + "core-pool-size=0"});
        commands.add(new String[] {"set", MANAGED_EXECUTOR + "keep-alive-seconds=1"});
        for (String listener : new String[] {"http-listener", "https-listener"}) {
            idleTimeoutMillis.ifPresent(ms -> commands.add(new String[] {"set",
                LISTENER + "protocols.protocol." + listener + ".http.timeout-seconds=" + Math.max(1, ms / 1000)}));
        }
        Consumer<Object> preBoot = runner -> {
            for (String[] command : commands) {
                run(runner, command);
            }
        };
        micro.getMethod("setPreBootHandler", Consumer.class).invoke(boot, preBoot);
        runtime = micro.getMethod("bootStrap").invoke(boot);
    }

    /** The one alias of the JVM's key store ({@code javax.net.ssl.keyStore}). */
    private static String onlyAlias() throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance(System.getProperty("javax.net.ssl.keyStoreType", "PKCS12"));
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(Path.of(System.getProperty("javax.net.ssl.keyStore")))) {
            keys.load(in, System.getProperty("javax.net.ssl.keyStorePassword").toCharArray());
        }
        List<String> aliases = java.util.Collections.list(keys.aliases());
        if (aliases.size() != 1) {
            throw new IllegalStateException("expected one key in javax.net.ssl.keyStore, found " + aliases);
        }
        return aliases.get(0);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void run(Object runner, String[] command) {
        try {
            Method run = Class.forName("fish.payara.micro.boot.AdminCommandRunner", false, runner.getClass().getClassLoader())
                .getMethod("run", String.class, String[].class);
            String[] args = new String[command.length - 1];
            System.arraycopy(command, 1, args, 0, args.length);
            run.invoke(runner, command[0], args);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("asadmin " + String.join(" ", command) + " failed", e);
        }
    }

    @Override
    public void deploy(Path war) throws Exception {
        Method deploy = api().getMethod("deploy", String.class, String.class, File.class);
        Object deployed = deploy.invoke(runtime, APP, "/", war.toFile());
        Object names = api().getMethod("getDeployedApplicationNames").invoke(runtime);
        if (!Boolean.TRUE.equals(deployed) || !((java.util.Collection<?>) names).contains(APP)) {
            throw new IllegalStateException("Payara Micro did not deploy " + war + " (see its log)");
        }
    }

    @Override
    public void undeploy() throws Exception {
        api().getMethod("undeploy", String.class).invoke(runtime, APP);
    }

    @Override
    public void stop() throws Exception {
        if (runtime != null) {
            api().getMethod("shutdown").invoke(runtime);
        }
    }

    /** The public interface of the runtime (its implementation class need not be accessible). */
    private Class<?> api() throws ClassNotFoundException {
        return Class.forName("fish.payara.micro.PayaraMicroRuntime", false, runtime.getClass().getClassLoader());
    }
}
