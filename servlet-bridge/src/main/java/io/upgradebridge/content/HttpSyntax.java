package io.upgradebridge.content;

/**
 * The few HTTP grammar rules this package checks (RFC 9110 section 5.6): tokens, field values and
 * quoted strings. One place, so that every check reports the same way.
 */
final class HttpSyntax {

    /** The characters besides letters and digits that an HTTP token may hold. */
    static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HttpSyntax() {
    }

    /** Whether {@code ch} may appear in an HTTP token ({@code tchar}). */
    static boolean isTokenChar(char ch) {
        return (ch >= 'a' && ch <= 'z')
                || (ch >= 'A' && ch <= 'Z')
                || (ch >= '0' && ch <= '9')
                || TOKEN_SYMBOLS.indexOf(ch) >= 0;
    }

    /** Whether {@code text} is a non-empty HTTP token. */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isTokenChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that {@code text} is a non-empty HTTP token.
     *
     * @param what what the text is, for the message ("Header name", "Media type")
     * @return {@code text}
     * @throws IllegalArgumentException naming the first bad character and what is allowed
     */
    static String requireToken(String text, String what) {
        if (text == null) {
            throw new NullPointerException(what + " must not be null");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (!isTokenChar(ch)) {
                throw new IllegalArgumentException(what + " \"" + printable(text) + "\" contains "
                        + describe(ch) + " at index " + i + "; it may only contain letters, digits and "
                        + TOKEN_SYMBOLS);
            }
        }
        return text;
    }

    /**
     * Checks that {@code value} can be sent as (part of) a header value: no CR, LF or NUL, which would
     * end the header early or let a caller inject headers.
     *
     * @param what what the value is, for the message ("Value of header X-Trace")
     * @return {@code value}
     */
    static String requireFieldValue(String value, String what) {
        return requireFieldValue(value, what, "");
    }

    /**
     * {@link #requireFieldValue(String, String)} with the description in two parts ({@code "Value of header "},
     * {@code name}), joined only for the message: checking a valid value builds no string.
     */
    static String requireFieldValue(String value, String what, String whose) {
        if (value == null) {
            throw new NullPointerException(what + whose + " must not be null");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\r' || ch == '\n' || ch == '\0') {
                throw new IllegalArgumentException(what + whose + " \"" + printable(value) + "\" contains "
                        + describe(ch) + " at index " + i
                        + "; remove CR, LF and NUL characters (encode the value, for example with"
                        + " percent-encoding, if it must carry them)");
            }
        }
        return value;
    }

    /** {@code value} as a token when it is one, otherwise as a quoted string with {@code \} and {@code "} escaped. */
    static String quoteIfNeeded(String value) {
        return isToken(value) ? value : quote(value);
    }

    /** {@code value} as a quoted string with {@code \} and {@code "} escaped. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                quoted.append('\\');
            }
            quoted.append(ch);
        }
        return quoted.append('"').toString();
    }

    /** Whether {@code ch} is optional white space (space or horizontal tab). */
    static boolean isWhitespace(char ch) {
        return ch == ' ' || ch == '\t';
    }

    /** A readable name for {@code ch}, for error messages. */
    static String describe(char ch) {
        switch (ch) {
            case '\r':
                return "a carriage return (CR, 0x0D)";
            case '\n':
                return "a line feed (LF, 0x0A)";
            case '\0':
                return "a NUL character (0x00)";
            case ' ':
                return "a space (0x20)";
            default:
                if (ch < 0x20 || ch == 0x7F) {
                    return String.format("a control character (0x%02X)", (int) ch);
                }
                return String.format("'%c' (U+%04X)", ch, (int) ch);
        }
    }

    /** {@code text} with control characters shown as escapes, so that messages stay on one line. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\r') {
                out.append("\\r");
            } else if (ch == '\n') {
                out.append("\\n");
            } else if (ch < 0x20 || ch == 0x7F) {
                out.append(String.format("\\u%04X", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
