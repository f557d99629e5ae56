package io.upgradebridge.containertests;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the README's Java blocks with the JDK's compiler ({@code javax.tools}), each block one source file, all in
 * one compilation, and reports every error and warning at its README line.
 *
 * <p>A block must be a whole compilation unit, as a user would paste it into a file: its imports, then its types,
 * one of them public (that type names the file). A block without a {@code package} declaration is compiled in a
 * package of its own ({@code readme.lineN}, declared on the block's first line, so line numbers stay the same): the
 * README may show two classes of the same name in different sections. Blocks that declare a package (the quick
 * start's) share it, as the files of one project do.
 *
 * <p>Options: {@code --release 17} (what the library supports), {@code -Xlint:all} except {@code serial} (servlets
 * without {@code serialVersionUID} are the norm) and {@code processing}, and {@code -Werror}: README code compiles
 * without a warning.
 */
final class ReadmeCompiler {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
        "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)",
        Pattern.MULTILINE);

    /** The outcome: whether everything compiled, and the compiler's messages at README lines. */
    record Result(boolean success, List<String> messages, Path classes) {
        String report() {
            return messages.isEmpty() ? "(no messages)" : String.join("\n", messages);
        }
    }

    private ReadmeCompiler() {
    }

    /**
     * @return what a user's project compiles against: the Servlet API ({@code servletApi.path}, set by Surefire; else
     *         the copy in the Jetty ee10 world's jars) and the three library modules
     */
    static List<Path> libraryClassPath() {
        return List.of(servletApi(),
            ContainerClassPath.path("servletBridge.path", "../servlet-bridge/target/classes"),
            ContainerClassPath.path("websocketRaw.path", "../websocket-raw/target/classes"),
            ContainerClassPath.path("websockets.path", "../websockets/target/classes"));
    }

    private static Path servletApi() {
        String value = System.getProperty("servletApi.path");
        if (value != null && !value.isBlank() && !value.startsWith("${")) {
            return Path.of(value).toAbsolutePath().normalize();
        }
        return ContainerClassPath.containerJars(ContainerKind.JETTY_12_1.directory()).stream()
            .filter(jar -> jar.getFileName().toString().startsWith("jakarta.servlet-api-"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Servlet API among " + ContainerKind.JETTY_12_1 + "'s jars"));
    }

    /**
     * Compiles {@code blocks} against {@code classPath} into {@code classes}.
     *
     * @throws IllegalArgumentException when a block declares no public type (it cannot be a file of its own)
     */
    static Result compile(List<Readme.Block> blocks, List<Path> classPath, Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler in this runtime (" + System.getProperty("java.home")
                + "): run the tests on a JDK");
        }
        Files.createDirectories(classes);
        Map<JavaFileObject, Readme.Block> sources = new IdentityHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Readme.Block block : blocks) {
            Matcher type = PUBLIC_TYPE.matcher(block.text());
            if (!type.find()) {
                problems.add("README line " + block.firstLine() + " (" + block.section() + "): a Java block must be a"
                    + " whole source file with its imports and a public class, interface, enum or record");
                continue;
            }
            Matcher pkg = PACKAGE.matcher(block.text());
            String packageName;
            String text;
            if (pkg.find()) {
                packageName = pkg.group(1);
                text = block.text();
            } else {
                packageName = "readme.line" + block.firstLine();
                text = "package " + packageName + "; " + block.text();
            }
            String path = packageName.replace('.', '/') + "/" + type.group(1) + ".java";
            sources.put(new Source(path, text), block);
        }
        if (!problems.isEmpty()) {
            return new Result(false, problems, classes);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of(
            "--release", "17",
            "-proc:none",
            "-Xlint:all,-serial,-processing",
            "-Werror",
            "-classpath", classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
            "-d", classes.toString());
        StringWriter out = new StringWriter();
        boolean success;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            success = compiler.getTask(out, files, diagnostics, options, null, sources.keySet()).call();
        }
        List<String> messages = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            Readme.Block block = d.getSource() == null ? null : sources.get(d.getSource());
            String where = block == null ? "javac"
                : "README line " + (block.firstLine() + d.getLineNumber() - 1) + " (" + block.section() + ")";
            messages.add(where + ": " + d.getKind().toString().toLowerCase(Locale.ROOT) + ": "
                + d.getMessage(Locale.ROOT));
        }
        if (!out.toString().isBlank()) {
            messages.add(out.toString().strip());
        }
        return new Result(success, messages, classes);
    }

    /** A source file held in memory, under the path javac expects for its package and public type. */
    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(String path, String text) {
            super(URI.create("string:///" + path), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
