package io.upgradebridge.containertests;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A self-signed certificate for 127.0.0.1 made by the JDK's {@code keytool} (nothing else needs to be installed),
 * written as the PEM files a server such as nginx reads ({@link #certificatePem()}, {@link #keyPem()}, PKCS#8), with
 * an {@link SSLContext} and trust manager that trust exactly this certificate, for the test's clients; the PKCS12 key
 * store itself ({@link #keyStore()}, {@link #PASSWORD}) for servers that read one (Jetty, Tomcat). {@link #shared()}
 * is one certificate per test JVM, in a temporary folder removed when the JVM exits.
 */
final class TestCertificate {

    /** The password of {@link #keyStore()} and of its key. */
    static final String PASSWORD = "changeit";
    private static final String ALIAS = "test";
    private static TestCertificate shared;

    private final Path keyStore;
    private final Path certificatePem;
    private final Path keyPem;
    private final KeyStore trustStore;

    private TestCertificate(Path keyStore, Path certificatePem, Path keyPem, KeyStore trustStore) {
        this.keyStore = keyStore;
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
        this.trustStore = trustStore;
    }

    /** Makes a new EC P-256 key and certificate (CN and SAN 127.0.0.1 and localhost, valid 2 days) in {@code dir}. */
    static TestCertificate create(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("test.p12");
        Files.deleteIfExists(keystore);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext",
                "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
            .redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Key key = store.getKey(ALIAS, PASSWORD.toCharArray());
        Certificate certificate = store.getCertificate(ALIAS);
        Path certificatePem = dir.resolve("test-cert.pem");
        Path keyPem = dir.resolve("test-key.pem");
        Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII); // PKCS#8
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, certificate);
        return new TestCertificate(keystore, certificatePem, keyPem, trust);
    }

    /** One certificate for the whole test JVM, made on first use. */
    static synchronized TestCertificate shared() {
        if (shared == null) {
            try {
                Path folder = Files.createTempDirectory("upgrade-bridge-tls");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(folder)));
                shared = create(folder);
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the test certificate", e);
            }
        }
        return shared;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }

    /** The PKCS12 key store with the key and certificate, alias {@code test}, password {@link #PASSWORD}. */
    Path keyStore() {
        return keyStore;
    }

    Path certificatePem() {
        return certificatePem;
    }

    Path keyPem() {
        return keyPem;
    }

    /** Trusts this certificate only. */
    X509TrustManager trustManager() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }

    /** A TLS context whose clients trust this certificate only. */
    SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, null);
        return context;
    }
}
