package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README cannot drift from the code: every Java block compiles against the library modules (as a user's file
 * would, imports included), every XML block is well-formed, and the quick start's files are those of
 * {@code examples/quickstart} and name this build's version. {@link QuickStartWarTest} deploys the quick start.
 */
class ReadmeSnippetsTest {

    private static final Readme README = Readme.load();

    @Test
    void everyJavaBlockCompilesAgainstTheLibraryModules(@TempDir Path classes) throws IOException {
        List<Readme.Block> java = README.blocks("java");
        assertTrue(java.size() >= 6, () -> "the README's Java blocks: " + java);
        ReadmeCompiler.Result result = ReadmeCompiler.compile(java, ReadmeCompiler.libraryClassPath(), classes);
        assertTrue(result.success(), result::report);
        assertTrue(result.messages().isEmpty(), result::report);
        try (Stream<Path> files = Files.walk(classes)) {
            long compiled = files.filter(f -> f.toString().endsWith(".class")).count();
            assertTrue(compiled >= java.size(), "one class file per block at least: " + compiled);
        }
    }

    /** The check itself can fail: a snippet that uses a name it never defines is reported at its README line. */
    @Test
    void aSnippetUsingAnUndefinedNameFailsAtItsReadmeLine(@TempDir Path classes) throws IOException {
        Readme broken = Readme.parse("""
            # Title

            ## Routes

            ```java
            import io.upgradebridge.websockets.WebSockets;
            import jakarta.servlet.ServletContextEvent;
            import jakarta.servlet.ServletContextListener;

            public class MyWebSockets implements ServletContextListener {
                @Override
                public void contextInitialized(ServletContextEvent event) {
                    WebSockets.install(event.getServletContext()).webSocket("/ws/chat", "chat", room);
                }
            }
            ```
            """);
        ReadmeCompiler.Result result = ReadmeCompiler.compile(broken.blocks("java"), ReadmeCompiler.libraryClassPath(), classes);
        assertFalse(result.success(), result::report);
        assertTrue(result.report().contains("README line 13 (Routes): error: cannot find symbol"), result::report);
        assertTrue(result.report().contains("room"), result::report);
    }

    /** A fragment ({@code { ... }}, no imports) is no file a user could compile: reported, not skipped. */
    @Test
    void aFragmentIsReportedNotSkipped(@TempDir Path classes) throws IOException {
        Readme fragments = Readme.parse("""
            ## Annotations

            ```java
            @WebSocketEndpoint(value = "/ws/chat", protocol = "chat")
            public class ChatEndpoint implements WebSocketHandler { ... }
            ```

            ```java
            session.incoming().forEach(message -> session.send(message));
            ```
            """);
        ReadmeCompiler.Result result = ReadmeCompiler.compile(fragments.blocks("java"), ReadmeCompiler.libraryClassPath(), classes);
        assertFalse(result.success(), result::report);
        assertTrue(result.report().contains("README line 9 (Annotations): a Java block must be a whole source file"),
            result::report);
        // alone, the first block fails in javac: "{ ... }" is no class body (and nothing is imported)
        Readme first = Readme.parse("```java\n" + fragments.blocks("java").get(0).text() + "```\n");
        ReadmeCompiler.Result javac = ReadmeCompiler.compile(first.blocks("java"), ReadmeCompiler.libraryClassPath(), classes);
        assertFalse(javac.success(), javac::report);
        assertTrue(javac.report().contains("README line 3 (): error: illegal start of type"), javac::report);
    }

    @Test
    void everyXmlBlockIsWellFormed() throws Exception {
        List<Readme.Block> xml = README.blocks("xml");
        assertFalse(xml.isEmpty());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        // the Jetty files' DOCTYPE names a DTD on the web: well-formedness only, nothing fetched
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (Readme.Block block : xml) {
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            // a whole file starts with its XML declaration; anything else is a part of web.xml (a <filter> and its
            // <filter-mapping>, say), checked inside an element of its own, on the same lines
            String text = block.text().startsWith("<?xml") ? block.text() : "<fragment>" + block.text() + "</fragment>";
            try {
                Document document = builder.parse(new InputSource(new StringReader(text)));
                assertTrue(document.getDocumentElement() != null, block::toString);
            } catch (org.xml.sax.SAXParseException e) {
                fail(block + ": not well-formed at its line " + e.getLineNumber() + " (README line "
                    + (block.firstLine() + e.getLineNumber() - 1) + "): " + e.getMessage());
            }
        }
    }

    /** The folder a user copies and the README's quick start are the same files, byte for byte. */
    @Test
    void theQuickStartIsTheExamplesQuickstartFolder() throws IOException {
        Map<String, String> shown = new TreeMap<>(README.quickStartFiles());
        assertTrue(shown.keySet().containsAll(List.of("pom.xml", "src/main/webapp/WEB-INF/web.xml",
            "src/main/webapp/WEB-INF/jetty-ee10-web.xml", "src/main/webapp/WEB-INF/jetty-ee11-web.xml")), shown::toString);
        Path folder = Readme.quickStartFolder();
        Map<String, String> onDisk = new TreeMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = folder.relativize(file).toString().replace('\\', '/');
                if (!relative.startsWith("target/")) {
                    onDisk.put(relative, Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(shown.keySet(), onDisk.keySet(), "the README's quick start files and " + folder);
        shown.forEach((path, text) -> assertEquals(text, onDisk.get(path), () -> path + " differs between the README and "
            + folder));
    }

    /** Every block of the quick start names its file, except the commands (sh) and the browser's console (js). */
    @Test
    void everyQuickStartBlockIsAFileOrACommand() {
        for (Readme.Block block : README.blocks()) {
            if (block.section().equals(Readme.QUICK_START) && block.file() == null) {
                assertTrue(List.of("sh", "js").contains(block.language()),
                    () -> block + " names no file: put `path/in/examples/quickstart`: on the line before it");
            }
        }
    }

    /** Every link to a section of the README ({@code (#anchor)}) names a heading, as GitHub derives its anchor. */
    @Test
    void everyLinkToASectionNamesAHeading() throws IOException {
        String markdown = Files.readString(Readme.path(), StandardCharsets.UTF_8);
        Set<String> anchors = new HashSet<>();
        Matcher heading = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$").matcher(markdown);
        while (heading.find()) {
            anchors.add(heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-'));
        }
        Matcher link = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(markdown);
        int links = 0;
        while (link.find()) {
            links++;
            assertTrue(anchors.contains(link.group(1)), "no heading for the link #" + link.group(1) + " (headings: "
                + anchors + ")");
        }
        assertTrue(links > 0, "the README links to its sections");
    }

    /**
     * The set-up table's "run the sample" row names every container war-sample's runner offers
     * ({@code -Dsample.container=...}, one profile each in war-sample's pom) and no other, and each profile's runner
     * exists and accepts its name.
     */
    @Test
    void theSampleRowNamesEveryContainerOfTheSampleRunner() throws Exception {
        Path warSample = Readme.path().getParent().resolve("war-sample");
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(warSample.resolve("pom.xml").toFile());
        Map<String, String> runners = new TreeMap<>(); // -Dsample.container value -> the runner's main class
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            NodeList names = profile.getElementsByTagName("name");
            if (names.getLength() == 1 && names.item(0).getTextContent().equals("sample.container")) {
                String value = profile.getElementsByTagName("value").item(0).getTextContent().trim();
                String mainClass = profile.getElementsByTagName("sample.mainClass").item(0).getTextContent().trim();
                runners.put(value, mainClass);
            }
        }
        assertTrue(runners.keySet().containsAll(List.of("jetty-ee11", "tomcat11", "tomcat10.1")), runners::toString);

        String markdown = Files.readString(Readme.path(), StandardCharsets.UTF_8);
        String row = markdown.lines().filter(line -> line.startsWith("| run the sample:")).findFirst()
            .orElseThrow(() -> new AssertionError("no \"| run the sample:\" row in the README"));
        Set<String> named = new TreeSet<>();
        Matcher option = Pattern.compile("-Dsample\\.container=([\\w.-]+)").matcher(row);
        while (option.find()) {
            named.add(option.group(1));
        }
        assertEquals(runners.keySet(), named, "the README's run-the-sample row and war-sample's profiles: " + row);

        for (Map.Entry<String, String> runner : runners.entrySet()) {
            Path source = warSample.resolve("src/test/java").resolve(runner.getValue().replace('.', '/') + ".java");
            assertTrue(Files.isRegularFile(source), () -> runner + ": no " + source);
            assertTrue(Files.readString(source, StandardCharsets.UTF_8).contains("\"" + runner.getKey() + "\""),
                () -> source + " does not accept -Dsample.container=" + runner.getKey());
        }
    }

    /** The quick start's pom imports the BOM of this very build: a version bump must update the README too. */
    @Test
    void theQuickStartImportsThisVersionsBom() {
        String version = System.getProperty("upgradeBridge.version");
        String pom = README.quickStartFiles().get("pom.xml");
        String bom = "<artifactId>upgrade-bridge-bom</artifactId>\n        <version>";
        int at = pom.indexOf(bom);
        assertTrue(at >= 0, pom);
        String shown = pom.substring(at + bom.length(), pom.indexOf('<', at + bom.length()));
        if (version != null && !version.startsWith("${")) {
            assertEquals(version, shown, "the quick start's BOM version");
        }
        assertTrue(README.blocks("sh").stream().anyMatch(b -> b.text().contains("mvn -q install -DskipTests")),
            "the README says how to install the modules locally");
    }
}
