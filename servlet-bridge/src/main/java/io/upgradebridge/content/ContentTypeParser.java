package io.upgradebridge.content;

import java.util.ArrayList;
import java.util.List;

/** Reads one {@code Content-Type} header value into a {@link ContentType}; used once per value. */
final class ContentTypeParser {

    private final String input;
    private int position;

    ContentTypeParser(String input) {
        this.input = input;
    }

    ContentType parse() {
        if (input.trim().equals("*")) {
            return ContentType.ANY;
        }
        skipWhitespace();
        String type = token("media type");
        expect('/');
        String subtype = token("media subtype");
        List<ContentType.Parameter> parameters = new ArrayList<>();
        skipWhitespace();
        while (position < input.length()) {
            expect(';');
            skipWhitespace();
            if (position == input.length() || input.charAt(position) == ';') {
                continue; // an empty parameter, as in "text/plain;" or "a/b;;c=d"
            }
            String name = token("parameter name");
            skipWhitespace();
            expect('=');
            skipWhitespace();
            String value = position < input.length() && input.charAt(position) == '"'
                    ? quotedString()
                    : token("value of parameter " + name);
            parameters.add(new ContentType.Parameter(name, value));
            skipWhitespace();
        }
        return new ContentType(type, subtype, parameters);
    }

    private String token(String what) {
        int start = position;
        while (position < input.length() && HttpSyntax.isTokenChar(input.charAt(position))) {
            position++;
        }
        if (start == position) {
            throw error("expected a " + what);
        }
        return input.substring(start, position);
    }

    private String quotedString() {
        StringBuilder value = new StringBuilder();
        position++; // opening quote
        while (position < input.length()) {
            char ch = input.charAt(position++);
            if (ch == '"') {
                return value.toString();
            }
            if (ch == '\\') {
                if (position == input.length()) {
                    break;
                }
                ch = input.charAt(position++);
            }
            value.append(ch);
        }
        throw error("a quoted value is not closed with '\"'");
    }

    private void expect(char wanted) {
        if (position >= input.length() || input.charAt(position) != wanted) {
            throw error("expected '" + wanted + "'");
        }
        position++;
    }

    private void skipWhitespace() {
        while (position < input.length() && HttpSyntax.isWhitespace(input.charAt(position))) {
            position++;
        }
    }

    private IllegalArgumentException error(String problem) {
        String found = position < input.length() ? HttpSyntax.describe(input.charAt(position)) : "the end";
        return new IllegalArgumentException("Invalid Content-Type \"" + HttpSyntax.printable(input) + "\": "
                + problem + " at index " + position + " but found " + found
                + "; write it as type/subtype followed by optional \"; name=value\" parameters");
    }
}
