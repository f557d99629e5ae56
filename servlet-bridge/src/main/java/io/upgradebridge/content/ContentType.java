package io.upgradebridge.content;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An immutable media type with parameters, such as {@code text/html; charset=UTF-8}: the Java form of
 * Ktor's {@code io.ktor.http.ContentType}, the type of {@code OutgoingContent.contentType}.
 *
 * <p>{@link #toString()} gives the {@code Content-Type} header value. Equality ignores the case of the
 * type, the subtype and parameter names and values (as Ktor does), and the order of parameters.
 */
public final class ContentType {

    /** {@code *}{@code /*}: any media type. */
    public static final ContentType ANY = new ContentType("*", "*");
    /** {@code text/plain}. */
    public static final ContentType TEXT_PLAIN = new ContentType("text", "plain");
    /** {@code text/html}. */
    public static final ContentType TEXT_HTML = new ContentType("text", "html");
    /** {@code application/json}. */
    public static final ContentType APPLICATION_JSON = new ContentType("application", "json");
    /** {@code application/octet-stream}: bytes of no particular type. */
    public static final ContentType APPLICATION_OCTET_STREAM = new ContentType("application", "octet-stream");

    private static final String CHARSET = "charset";

    private final String type;
    private final String subtype;
    private final List<Parameter> parameters;

    /**
     * A media type without parameters.
     *
     * @throws IllegalArgumentException when {@code type} or {@code subtype} is not an HTTP token
     */
    public ContentType(String type, String subtype) {
        this(type, subtype, List.of());
    }

    /**
     * A media type with parameters, kept in the given order.
     *
     * @throws IllegalArgumentException when {@code type} or {@code subtype} is not an HTTP token
     */
    public ContentType(String type, String subtype, List<Parameter> parameters) {
        this.type = HttpSyntax.requireToken(type, "Media type");
        this.subtype = HttpSyntax.requireToken(subtype, "Media subtype");
        this.parameters = List.copyOf(parameters);
    }

    /**
     * Parses a {@code Content-Type} header value such as {@code text/html; charset="utf-8"}. A lone
     * {@code *} stands for {@code *}{@code /*}, as in Ktor.
     *
     * @throws IllegalArgumentException when {@code value} is not {@code type/subtype} followed by
     *     {@code ; name=value} parameters (values may be quoted strings)
     */
    public static ContentType parse(String value) {
        Objects.requireNonNull(value, "Content-Type value");
        return new ContentTypeParser(value).parse();
    }

    /** The type, such as {@code text}. */
    public String type() {
        return type;
    }

    /** The subtype, such as {@code html}. */
    public String subtype() {
        return subtype;
    }

    /** The parameters, in order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The value of parameter {@code name} (ignoring case), or {@code null} when there is none. */
    public String parameter(String name) {
        for (Parameter parameter : parameters) {
            if (parameter.name().equalsIgnoreCase(name)) {
                return parameter.value();
            }
        }
        return null;
    }

    /**
     * The charset named by the {@code charset} parameter, or {@code null} when there is none.
     *
     * @throws java.nio.charset.IllegalCharsetNameException when the name is not a valid charset name
     * @throws java.nio.charset.UnsupportedCharsetException when this JVM does not know the charset
     */
    public Charset charset() {
        String name = parameter(CHARSET);
        return name == null ? null : Charset.forName(name);
    }

    /**
     * This type with parameter {@code name} set to {@code value}: an existing parameter of that name
     * (ignoring case) is replaced in place, otherwise the parameter is added at the end.
     */
    public ContentType withParameter(String name, String value) {
        Parameter replacement = new Parameter(name, value);
        List<Parameter> changed = new ArrayList<>(parameters.size() + 1);
        boolean replaced = false;
        for (Parameter parameter : parameters) {
            if (parameter.name().equalsIgnoreCase(name)) {
                if (!replaced) {
                    changed.add(replacement);
                    replaced = true;
                }
            } else {
                changed.add(parameter);
            }
        }
        if (!replaced) {
            changed.add(replacement);
        }
        return new ContentType(type, subtype, changed);
    }

    /** This type with its {@code charset} parameter set to {@code charset}'s canonical name. */
    public ContentType withCharset(Charset charset) {
        return withParameter(CHARSET, charset.name());
    }

    /** This type with no parameters at all. */
    public ContentType withoutParameters() {
        return parameters.isEmpty() ? this : new ContentType(type, subtype);
    }

    /**
     * Whether this type falls under {@code pattern}: type and subtype equal (ignoring case) or {@code *}
     * in the pattern, and every parameter of the pattern present here with the same value (ignoring
     * case). Ktor's {@code ContentType.match}.
     */
    public boolean match(ContentType pattern) {
        if (!pattern.type.equals("*") && !pattern.type.equalsIgnoreCase(type)) {
            return false;
        }
        if (!pattern.subtype.equals("*") && !pattern.subtype.equalsIgnoreCase(subtype)) {
            return false;
        }
        for (Parameter wanted : pattern.parameters) {
            String actual = parameter(wanted.name());
            if (actual == null || !actual.equalsIgnoreCase(wanted.value())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ContentType)) {
            return false;
        }
        ContentType that = (ContentType) other;
        if (!type.equalsIgnoreCase(that.type) || !subtype.equalsIgnoreCase(that.subtype)
                || parameters.size() != that.parameters.size()) {
            return false;
        }
        for (Parameter parameter : parameters) {
            String value = that.parameter(parameter.name());
            if (value == null || !value.equalsIgnoreCase(parameter.value())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = type.toLowerCase(Locale.ROOT).hashCode() * 31 + subtype.toLowerCase(Locale.ROOT).hashCode();
        for (Parameter parameter : parameters) {
            hash += parameter.name().toLowerCase(Locale.ROOT).hashCode()
                    ^ parameter.value().toLowerCase(Locale.ROOT).hashCode();
        }
        return hash;
    }

    /**
     * The {@code Content-Type} header value: {@code type/subtype} followed by {@code ; name=value} for
     * each parameter, values quoted when they are not tokens.
     */
    @Override
    public String toString() {
        if (parameters.isEmpty()) {
            return type + '/' + subtype;
        }
        StringBuilder text = new StringBuilder(type).append('/').append(subtype);
        for (Parameter parameter : parameters) {
            text.append("; ").append(parameter.name()).append('=')
                    .append(HttpSyntax.quoteIfNeeded(parameter.value()));
        }
        return text.toString();
    }

    /**
     * One {@code name=value} parameter of a media type; Ktor's {@code HeaderValueParam}.
     *
     * @param name an HTTP token
     * @param value any text without CR, LF or NUL (it is quoted when rendered, if it needs to be)
     */
    public record Parameter(String name, String value) {
        /** @throws IllegalArgumentException when the name is not a token or the value holds CR, LF or NUL */
        public Parameter {
            HttpSyntax.requireToken(name, "Media type parameter name");
            HttpSyntax.requireFieldValue(value, "Value of media type parameter ", name);
        }
    }
}
