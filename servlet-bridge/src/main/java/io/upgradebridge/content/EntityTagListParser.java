package io.upgradebridge.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads one {@code If-Match} / {@code If-None-Match} / {@code ETag} value into entity tags; used once per
 * value. Accepts {@code *}, {@code "tag"}, {@code W/"tag"} and, like Ktor, a bare {@code tag} without quotes.
 */
final class EntityTagListParser {

    private final String input;
    private int position;

    EntityTagListParser(String input) {
        this.input = Objects.requireNonNull(input, "header value");
    }

    List<EntityTagVersion> parse() {
        List<EntityTagVersion> tags = new ArrayList<>();
        while (true) {
            skipSeparators();
            if (position == input.length()) {
                return tags;
            }
            tags.add(tag());
            skipWhitespace();
            if (position < input.length() && input.charAt(position) != ',') {
                throw error("expected ',' between entity tags");
            }
        }
    }

    private EntityTagVersion tag() {
        if (input.charAt(position) == '*') {
            position++;
            return EntityTagVersion.STAR;
        }
        boolean weak = input.startsWith("W/", position);
        if (weak) {
            position += 2;
        }
        if (position < input.length() && input.charAt(position) == '"') {
            int close = input.indexOf('"', position + 1);
            if (close < 0) {
                throw error("an entity tag is not closed with '\"'");
            }
            String opaque = input.substring(position + 1, close);
            position = close + 1;
            return new EntityTagVersion('"' + opaque + '"', weak);
        }
        int start = position;
        while (position < input.length() && input.charAt(position) != ','
                && !HttpSyntax.isWhitespace(input.charAt(position))) {
            position++;
        }
        if (start == position) {
            throw error("expected an entity tag");
        }
        return new EntityTagVersion(input.substring(start, position), weak);
    }

    private void skipSeparators() {
        while (position < input.length()
                && (input.charAt(position) == ',' || HttpSyntax.isWhitespace(input.charAt(position)))) {
            position++;
        }
    }

    private void skipWhitespace() {
        while (position < input.length() && HttpSyntax.isWhitespace(input.charAt(position))) {
            position++;
        }
    }

    private IllegalArgumentException error(String problem) {
        String found = position < input.length() ? HttpSyntax.describe(input.charAt(position)) : "the end";
        return new IllegalArgumentException("Invalid entity tag list \"" + HttpSyntax.printable(input) + "\": "
                + problem + " at index " + position + " but found " + found
                + "; write tags like \"abc\" or W/\"abc\", separated by commas, or a lone *");
    }
}
