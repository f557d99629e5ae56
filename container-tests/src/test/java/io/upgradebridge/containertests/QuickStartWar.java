package io.upgradebridge.containertests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds the README's quick start into a WAR from the README alone: its Java blocks compiled (against the Servlet API
 * and the library modules, as its {@code pom.xml} compiles them), its {@code src/main/webapp} blocks
 * ({@code web.xml}, {@code jetty-ee10-web.xml}, {@code jetty-ee11-web.xml}) copied to the WAR's root, and the three
 * library jars in {@code WEB-INF/lib}, where its {@code pom.xml}'s one dependency ({@code websockets}) puts them.
 */
final class QuickStartWar {

    private static final String WEBAPP = "src/main/webapp/";
    private static final String JAVA = "src/main/java/";

    private QuickStartWar() {
    }

    /** @return {@code target/readme-quickstart/quickstart.war}, built now from the README */
    static Path build() {
        try {
            return build(Readme.load(), Path.of("target", "readme-quickstart").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path build(Readme readme, Path workDir) throws IOException {
        Map<String, String> files = readme.quickStartFiles();
        if (!files.containsKey(WEBAPP + "WEB-INF/web.xml")) {
            throw new IllegalStateException("the README's quick start shows no " + WEBAPP + "WEB-INF/web.xml: " + files.keySet());
        }
        deleteRecursively(workDir);
        Path classes = workDir.resolve("classes");
        List<Readme.Block> java = readme.blocks().stream()
            .filter(b -> b.section().equals(Readme.QUICK_START) && b.file() != null && b.file().startsWith(JAVA))
            .toList();
        ReadmeCompiler.Result compiled = ReadmeCompiler.compile(java, ReadmeCompiler.libraryClassPath(), classes);
        if (!compiled.success()) {
            throw new IllegalStateException("the README's quick start does not compile:\n" + compiled.report());
        }
        Path war = workDir.resolve("quickstart.war");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(war))) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                if (file.getKey().startsWith(WEBAPP)) {
                    put(out, file.getKey().substring(WEBAPP.length()), file.getValue().getBytes(StandardCharsets.UTF_8));
                }
            }
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    put(out, "WEB-INF/classes/" + classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
            List<Path> libraries = ReadmeCompiler.libraryClassPath().subList(1, 4);  // not the Servlet API
            List<String> names = List.of("servlet-bridge", "websocket-raw", "websockets");
            for (int i = 0; i < libraries.size(); i++) {
                put(out, "WEB-INF/lib/" + names.get(i) + ".jar", jar(libraries.get(i)));
            }
        }
        return war;
    }

    /** @return the jar's bytes; a classes folder (a run before the package phase, or from an IDE) is jarred first */
    private static byte[] jar(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return Files.readAllBytes(path);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes); Stream<Path> walk = Files.walk(path)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                put(out, path.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return bytes.toByteArray();
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(all::add);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            Files.delete(all.get(i));
        }
    }
}
