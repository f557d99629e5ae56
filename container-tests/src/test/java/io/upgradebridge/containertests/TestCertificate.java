package io.upgradebridge.containertests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made once per test JVM with the running JDK's
 * {@code keytool} into a temporary PKCS12 file (removed when the JVM exits). Clients of the TLS tests trust any
 * certificate (Chromium with {@code --ignore-certificate-errors}, Jetty's client with {@code trustAll}).
 */
final class TestCertificate {

    static final String PASSWORD = "upgrade-bridge-test";
    private static Path keyStore;

    private TestCertificate() {
    }

    /** The PKCS12 key store, made on first use. */
    static synchronized Path keyStore() {
        if (keyStore == null) {
            keyStore = create();
        }
        return keyStore;
    }

    private static Path create() {
        try {
            Path folder = Files.createTempDirectory("upgrade-bridge-tls");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(folder)));
            Path file = folder.resolve("server.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Path log = folder.resolve("keytool.log");
            Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "server",
                    "-keyalg", "RSA", "-keysize", "2048", "-validity", "7", "-dname", "CN=localhost",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12", "-keystore", file.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0 || !Files.exists(file)) {
                throw new IllegalStateException("keytool failed (" + process.exitValue() + "): "
                    + Files.readString(log, StandardCharsets.UTF_8));
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the test certificate", e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
