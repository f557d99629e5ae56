package io.upgradebridge.containertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class path of one isolated container world: the world's jars ({@link #containerJars}), then the servlet-bridge,
 * websocket-raw and websockets jars or classes ({@code servletBridge.path}, {@code websocketRaw.path},
 * {@code websockets.path}; left out for a world that deploys a WAR, which brings its own copies), then this module's
 * server side ({@code serverApp.path} = {@code target/classes}). Surefire sets the three properties,
 * {@code containers.dir}, {@code warSample.path} (the war-sample WAR) and {@code warSampleAnnotations.path} (its
 * annotations WAR); the fallbacks are for an IDE started in the module folder after {@code mvn process-test-classes}.
 */
final class ContainerClassPath {

    private ContainerClassPath() {
    }

    static URL[] of(ContainerKind kind) {
        return of(kind, true);
    }

    static URL[] of(ContainerKind kind, boolean withServletBridge) {
        List<Path> entries = new ArrayList<>(containerJars(kind.directory()));
        if (withServletBridge) {
            entries.add(existing(path("servletBridge.path", "../servlet-bridge/target/classes"), "servletBridge.path"));
            entries.add(existing(path("websocketRaw.path", "../websocket-raw/target/classes"), "websocketRaw.path"));
            entries.add(existing(path("websockets.path", "../websockets/target/classes"), "websockets.path"));
        }
        entries.add(existing(path("serverApp.path", "target/classes"), "serverApp.path"));
        return entries.stream().map(ContainerClassPath::url).toArray(URL[]::new);
    }

    /**
     * @return the jars of the container world {@code world} (a {@link ContainerKind#directory()}), sorted by name: the
     *         module {@code <containers.dir>/<world>} (container-tests/containers) declares the container's artifacts,
     *         and the build copies them with their runtime dependencies into its {@code target/jars}
     */
    static List<Path> containerJars(String world) {
        Path jarsDir = path("containers.dir", "containers").resolve(world).resolve("target").resolve("jars");
        List<Path> jars;
        try (Stream<Path> files = Files.list(jarsDir)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("no container jars in " + jarsDir
                    + ": run the build up to generate-test-resources (mvn -pl container-tests -am verify)", e);
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no container jars in " + jarsDir);
        }
        return jars;
    }

    /** @return the war-sample WAR file ({@code warSample.path}, else the web.xml WAR in ../war-sample/target) */
    static Path warSample() {
        return war("warSample.path", null);
    }

    /**
     * @return the war-sample WAR that registers its servlets and filter by annotation (classifier
     *         {@code annotations}: {@code warSampleAnnotations.path}, else the one in ../war-sample/target)
     */
    static Path warSampleAnnotations() {
        return war("warSampleAnnotations.path", "annotations");
    }

    private static Path war(String property, String classifier) {
        String value = System.getProperty(property);
        if (value != null && !value.isBlank() && !value.startsWith("${")) {
            return existing(Path.of(value).toAbsolutePath().normalize(), property);
        }
        Path target = Path.of("../war-sample/target").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.list(target)) {
            List<Path> wars = files.filter(f -> {
                String name = f.getFileName().toString();
                boolean annotations = name.endsWith("-annotations.war");
                return name.endsWith(".war") && (classifier == null ? !annotations : annotations);
            }).toList();
            if (wars.size() != 1) {
                throw new IllegalStateException("expected one " + (classifier == null ? "" : classifier + " ")
                        + "WAR in " + target + ", found " + wars);
            }
            return wars.get(0);
        } catch (IOException e) {
            throw new IllegalStateException("no war-sample WAR: build it first (mvn -pl war-sample -am package)", e);
        }
    }

    /** @return the value of the system property (or the fallback) as an absolute path */
    static Path path(String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            value = fallback;
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    private static Path existing(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(what + " does not exist: " + path);
        }
        return path;
    }

    private static URL url(Path path) {
        try {
            // toUri() ends a directory with '/', which URLClassLoader needs to treat it as a directory.
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
