package io.upgradebridge.containertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of the project's {@code README.md} ({@code readme.path}, set by Surefire; else
 * {@code ../README.md} from the module folder), so tests can compile and deploy what the README shows.
 *
 * <p>A block of the quick start section names its file: the line before it (blank lines aside) is the path in
 * backticks, optionally followed by a colon and words ({@code `src/main/webapp/WEB-INF/web.xml`: the filter ...}),
 * a path relative to {@code examples/quickstart}.
 */
final class Readme {

    /** The heading of the section whose named blocks are the files of {@code examples/quickstart}. */
    static final String QUICK_START = "Quick start: your own WAR";

    private static final Pattern FENCE = Pattern.compile("^```\\s*([\\w+-]*)\\s*$");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*$");
    private static final Pattern FILE_LINE = Pattern.compile("^`([\\w./-]+\\.\\w+)`(?::.*)?$");

    /**
     * One fenced block.
     *
     * @param language what follows the opening fence ({@code java}, {@code xml}, ... or empty)
     * @param text the lines between the fences, each ending with a newline
     * @param firstLine the README line number (1-based) of the block's first line of text
     * @param section the text of the last heading before the block
     * @param file the path the line before the block names, or null
     */
    record Block(String language, String text, int firstLine, String section, String file) {
        @Override
        public String toString() {
            return language + " block at README line " + firstLine + " (" + section + ")";
        }
    }

    private final List<Block> blocks;

    private Readme(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** @return the project's README */
    static Readme load() {
        Path path = path();
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** @return where the project's README is */
    static Path path() {
        return ContainerClassPath.path("readme.path", "../README.md");
    }

    /** @return the folder of the quick start's project, {@code examples/quickstart} beside the README */
    static Path quickStartFolder() {
        return path().getParent().resolve("examples/quickstart");
    }

    /** Parses Markdown text; an unclosed fence is an error (GitHub would show the rest of the file as code). */
    static Readme parse(String markdown) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String section = "";
        String lastTextLine = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (j < lines.length && !lines[j].startsWith("```")) {
                    text.append(lines[j]).append('\n');
                    j++;
                }
                if (j == lines.length) {
                    throw new IllegalArgumentException("README line " + (i + 1) + ": a code block is never closed");
                }
                String file = null;
                if (lastTextLine != null) {
                    Matcher fileLine = FILE_LINE.matcher(lastTextLine.strip());
                    if (fileLine.matches()) {
                        file = fileLine.group(1);
                    }
                }
                blocks.add(new Block(fence.group(1), text.toString(), i + 2, section, file));
                i = j;
                lastTextLine = null;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                section = heading.group(1);
            }
            if (!line.isBlank()) {
                lastTextLine = line;
            }
        }
        return new Readme(List.copyOf(blocks));
    }

    List<Block> blocks() {
        return blocks;
    }

    List<Block> blocks(String language) {
        return blocks.stream().filter(b -> b.language().equals(language)).toList();
    }

    /**
     * @return the quick start's files: path (relative to {@code examples/quickstart}) to content, in README order
     * @throws IllegalStateException when a path is named twice
     */
    Map<String, String> quickStartFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        for (Block block : blocks) {
            if (block.section().equals(QUICK_START) && block.file() != null
                    && files.put(block.file(), block.text()) != null) {
                throw new IllegalStateException("the quick start shows " + block.file() + " twice (" + block + ")");
            }
        }
        return files;
    }
}
