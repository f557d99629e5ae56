package io.upgradebridge.websockets.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One extension as a client offers it in {@code Sec-WebSocket-Extensions} (RFC 6455 section 9.1): a name and
 * its parameters, each with or without a value.
 *
 * <pre>
 * extension-list = 1#extension
 * extension      = extension-token *( ";" extension-param )
 * extension-param = token [ "=" ( token | quoted-string ) ]
 * </pre>
 *
 * <p>Names (of the extension and of its parameters) are tokens and compare case-insensitively, so they are kept
 * in lower case. A quoted value is unescaped and must then be a token too (RFC 6455 section 9.1). Whitespace
 * around {@code ,}, {@code ;} and {@code =} is allowed.
 *
 * <p>An element that breaks the grammar does not spoil the others: it comes out with a {@link #problem()} (and
 * the name, when that much could be read), parsing goes on after the next comma, and the caller declines it.
 *
 * @param name the extension token in lower case; empty when the element did not even start with one
 * @param parameters the parameters in the order offered; duplicates are kept for the caller to judge
 * @param problem why the element breaks the grammar, or {@code null} when it is well formed
 */
record ExtensionOffer(String name, List<Parameter> parameters, String problem) {

    /** The characters besides letters and digits that an HTTP token may hold (RFC 9110 section 5.6.2). */
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    /**
     * One extension parameter.
     *
     * @param name the parameter name in lower case
     * @param value the value, unquoted, or {@code null} when the parameter had none
     */
    record Parameter(String name, String value) {

        Parameter {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return value == null ? name : name + "=" + value;
        }
    }

    ExtensionOffer {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
    }

    /** Whether the element follows the grammar. */
    boolean wellFormed() {
        return problem == null;
    }

    /**
     * Every extension in the header values, in order: the values as the request carries them (one header may
     * be split over several lines). Empty list elements are skipped, as the list rule of RFC 9110 allows.
     */
    static List<ExtensionOffer> parseAll(List<String> headerValues) {
        List<ExtensionOffer> offers = new ArrayList<>();
        if (headerValues == null) {
            return offers;
        }
        for (String value : headerValues) {
            if (value == null) {
                continue;
            }
            for (String element : splitOutsideQuotes(value, ',')) {
                if (!element.isBlank()) {
                    offers.add(parseElement(element.trim()));
                }
            }
        }
        return offers;
    }

    /** One list element: {@code name *( ";" param )}. */
    private static ExtensionOffer parseElement(String element) {
        List<String> parts = splitOutsideQuotes(element, ';');
        String name = parts.get(0).trim();
        if (!isToken(name)) {
            return new ExtensionOffer("", List.of(), "extension name \"" + name + "\" is not a token");
        }
        String lowerName = name.toLowerCase(Locale.ROOT);
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 1; i < parts.size(); i++) {
            String part = parts.get(i).trim();
            int equals = part.indexOf('=');
            String parameterName = (equals < 0 ? part : part.substring(0, equals)).trim();
            if (!isToken(parameterName)) {
                return new ExtensionOffer(lowerName, parameters, "parameter name \"" + parameterName + "\" is not a token");
            }
            String value = null;
            if (equals >= 0) {
                value = parseValue(part.substring(equals + 1).trim());
                if (value == null) {
                    return new ExtensionOffer(lowerName, parameters, "parameter " + parameterName
                            + " has a value that is neither a token nor a quoted token: " + part.substring(equals + 1).trim());
                }
            }
            parameters.add(new Parameter(parameterName.toLowerCase(Locale.ROOT), value));
        }
        return new ExtensionOffer(lowerName, parameters, null);
    }

    /** The value as a token, or unquoted and unescaped; {@code null} when it is neither a token nor a quoted token. */
    private static String parseValue(String text) {
        if (isToken(text)) {
            return text;
        }
        if (text.length() < 2 || text.charAt(0) != '"' || text.charAt(text.length() - 1) != '"') {
            return null;
        }
        StringBuilder unquoted = new StringBuilder(text.length());
        for (int i = 1; i < text.length() - 1; i++) {
            char ch = text.charAt(i);
            if (ch == '\\') {
                i++;
                if (i == text.length() - 1) {
                    return null; // the backslash escaped the closing quote: the string never ends
                }
                ch = text.charAt(i);
            } else if (ch == '"') {
                return null; // a bare quote inside: two strings, or text after the string
            }
            unquoted.append(ch);
        }
        String value = unquoted.toString();
        return isToken(value) ? value : null;
    }

    /**
     * Splits {@code text} at each {@code separator} that is not inside a quoted string. An unterminated quoted
     * string runs to the end of {@code text}, so the last piece carries it and fails later as a bad value.
     */
    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> pieces = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted && ch == '\\') {
                i++; // the escaped character never ends the string nor separates
            } else if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && ch == separator) {
                pieces.add(text.substring(start, i));
                start = i + 1;
            }
        }
        pieces.add(text.substring(start));
        return pieces;
    }

    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            boolean tokenChar = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || TOKEN_SYMBOLS.indexOf(ch) >= 0;
            if (!tokenChar) {
                return false;
            }
        }
        return true;
    }

    /** As offered, for logs: {@code permessage-deflate; client_max_window_bits}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name.isEmpty() ? "?" : name);
        for (Parameter parameter : parameters) {
            text.append("; ").append(parameter);
        }
        return problem == null ? text.toString() : text + " (malformed: " + problem + ")";
    }
}
