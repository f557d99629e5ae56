package io.upgradebridge.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A version given by an entity tag: the Java form of Ktor's {@code io.ktor.http.content.EntityTagVersion}.
 * Sends {@code ETag} and answers {@code If-Match} and {@code If-None-Match}.
 *
 * <p>Comparison follows RFC 9110 section 8.8.3, where Ktor is looser: {@code If-Match} uses the strong
 * comparison (a weak tag on either side never matches), {@code If-None-Match} the weak one (tags match
 * when their opaque parts do, {@code W/} or not), and {@code *} matches any current representation in both
 * (Ktor ignores {@code If-None-Match: *}). An {@code If-Match} that cannot be read fails the precondition;
 * an {@code If-None-Match} that cannot be read is ignored.
 *
 * <p>The tag {@code *} stands for "any" ({@link #STAR}); it is not an ordinary tag.
 */
public final class EntityTagVersion implements Version {

    /** Header that carries this version in a response. */
    public static final String ETAG = "ETag";
    /** Request header: go on only when the current tag is one of these (strong comparison). */
    public static final String IF_MATCH = "If-Match";
    /** Request header: send the content only when the current tag is none of these (weak comparison). */
    public static final String IF_NONE_MATCH = "If-None-Match";

    /** {@code *}: any representation; Ktor's {@code EntityTagVersion.STAR}. */
    public static final EntityTagVersion STAR = new EntityTagVersion("*", false);

    private final String etag;
    private final boolean weak;

    /** A strong tag; the same as {@code new EntityTagVersion(etag, false)}. */
    public EntityTagVersion(String etag) {
        this(etag, false);
    }

    /**
     * A tag, strong or weak.
     *
     * @param etag the opaque tag, with or without its surrounding double quotes ({@code abc} and
     *     {@code "abc"} are the same tag), without a {@code W/} prefix
     * @param weak whether the tag is weak ({@code W/"abc"}): it marks content that is equivalent but not
     *     byte-for-byte the same
     * @throws IllegalArgumentException when the tag holds a double quote, a space, a control character or
     *     a character above U+00FF
     */
    public EntityTagVersion(String etag, boolean weak) {
        Objects.requireNonNull(etag, "etag");
        String opaque = etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
        this.etag = requireOpaqueTag(opaque, etag);
        if (weak && this.etag.equals("*")) {
            throw new IllegalArgumentException("W/* is not an entity tag; use * (STAR) alone to mean any tag");
        }
        this.weak = weak;
    }

    /**
     * Reads a list of entity tags as sent in {@code If-Match} and {@code If-None-Match}, such as
     * {@code "a", W/"b"} or {@code *}. Like Ktor, a tag without quotes is accepted as if it were quoted.
     *
     * @throws IllegalArgumentException when the value is not a comma-separated list of entity tags
     */
    public static List<EntityTagVersion> parse(String headerValue) {
        return new EntityTagListParser(headerValue).parse();
    }

    /**
     * Reads one entity tag, as sent in {@code ETag}: {@code "abc"}, {@code W/"abc"} or {@code *}.
     *
     * @throws IllegalArgumentException when the value is not exactly one entity tag
     */
    public static EntityTagVersion parseSingle(String headerValue) {
        List<EntityTagVersion> tags = parse(headerValue);
        if (tags.size() != 1) {
            throw new IllegalArgumentException("Expected exactly one entity tag in \""
                    + HttpSyntax.printable(headerValue) + "\" but found " + tags.size()
                    + "; write it like \"abc\" or W/\"abc\", with the quotes");
        }
        return tags.get(0);
    }

    /** The opaque tag without quotes and without {@code W/}, or {@code *} for {@link #STAR}. */
    public String etag() {
        return etag;
    }

    /** Whether this is a weak tag. */
    public boolean weak() {
        return weak;
    }

    /** The tag as written in a header: {@code "abc"}, {@code W/"abc"} or {@code *}. */
    public String headerValue() {
        if (isStar()) {
            return "*";
        }
        return (weak ? "W/\"" : "\"") + etag + '"';
    }

    /**
     * {@link VersionCheckResult#PRECONDITION_FAILED} when {@code If-Match} is present and names neither
     * this tag (strong comparison) nor {@code *}; {@link VersionCheckResult#NOT_MODIFIED} when
     * {@code If-None-Match} names this tag (weak comparison) or {@code *}; {@link VersionCheckResult#OK}
     * otherwise.
     */
    @Override
    public VersionCheckResult check(Headers requestHeaders) {
        List<String> ifMatch = requestHeaders.getAll(IF_MATCH);
        if (!ifMatch.isEmpty()) {
            List<EntityTagVersion> given = parseAll(ifMatch);
            if (given == null || match(given) != VersionCheckResult.OK) {
                return VersionCheckResult.PRECONDITION_FAILED;
            }
        }
        List<String> ifNoneMatch = requestHeaders.getAll(IF_NONE_MATCH);
        if (!ifNoneMatch.isEmpty()) {
            List<EntityTagVersion> given = parseAll(ifNoneMatch);
            if (given != null && noneMatch(given) != VersionCheckResult.OK) {
                return VersionCheckResult.NOT_MODIFIED;
            }
        }
        return VersionCheckResult.OK;
    }

    /**
     * The {@code If-Match} rule: {@link VersionCheckResult#OK} when {@code givenMatchEtags} is empty,
     * holds {@code *} or holds a strong tag equal to this strong tag; {@link VersionCheckResult#PRECONDITION_FAILED}
     * otherwise. Ktor's {@code EntityTagVersion.match(List)}.
     */
    public VersionCheckResult match(List<EntityTagVersion> givenMatchEtags) {
        if (givenMatchEtags.isEmpty()) {
            return VersionCheckResult.OK;
        }
        for (EntityTagVersion given : givenMatchEtags) {
            if (given.isStar() || isStar() || strongMatch(given)) {
                return VersionCheckResult.OK;
            }
        }
        return VersionCheckResult.PRECONDITION_FAILED;
    }

    /**
     * The {@code If-None-Match} rule: {@link VersionCheckResult#NOT_MODIFIED} when
     * {@code givenNoneMatchEtags} holds {@code *} or a tag whose opaque part equals this one's (weak
     * comparison); {@link VersionCheckResult#OK} otherwise. Ktor's {@code EntityTagVersion.noneMatch(List)}.
     */
    public VersionCheckResult noneMatch(List<EntityTagVersion> givenNoneMatchEtags) {
        for (EntityTagVersion given : givenNoneMatchEtags) {
            if (given.isStar() || isStar() || weakMatch(given)) {
                return VersionCheckResult.NOT_MODIFIED;
            }
        }
        return VersionCheckResult.OK;
    }

    /** Strong comparison: both tags are strong and their opaque parts are equal. */
    public boolean strongMatch(EntityTagVersion other) {
        return !weak && !other.weak && etag.equals(other.etag);
    }

    /** Weak comparison: the opaque parts are equal, whether either tag is weak or not. */
    public boolean weakMatch(EntityTagVersion other) {
        return etag.equals(other.etag);
    }

    /** Sets {@code ETag} to {@link #headerValue()}. */
    @Override
    public void appendHeadersTo(Headers.Builder builder) {
        builder.set(ETAG, headerValue());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EntityTagVersion
                && ((EntityTagVersion) other).etag.equals(etag)
                && ((EntityTagVersion) other).weak == weak;
    }

    @Override
    public int hashCode() {
        return etag.hashCode() * 31 + Boolean.hashCode(weak);
    }

    /** The header form, as {@link #headerValue()}. */
    @Override
    public String toString() {
        return headerValue();
    }

    private boolean isStar() {
        return etag.equals("*");
    }

    /** Every tag of every header value, or {@code null} when one of them cannot be read. */
    private static List<EntityTagVersion> parseAll(List<String> headerValues) {
        List<EntityTagVersion> tags = new ArrayList<>();
        try {
            for (String value : headerValues) {
                tags.addAll(parse(value));
            }
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
        return tags;
    }

    private static String requireOpaqueTag(String opaque, String given) {
        for (int i = 0; i < opaque.length(); i++) {
            char ch = opaque.charAt(i);
            if (!isEtagChar(ch)) {
                throw new IllegalArgumentException("Entity tag \"" + HttpSyntax.printable(given) + "\" contains "
                        + HttpSyntax.describe(ch) + "; an entity tag may hold any visible character except"
                        + " the double quote, and no spaces or control characters");
            }
        }
        return opaque;
    }

    /** {@code etagc} of RFC 9110: {@code %x21 / %x23-7E / obs-text}. */
    static boolean isEtagChar(char ch) {
        return ch == 0x21 || (ch >= 0x23 && ch <= 0x7E) || (ch >= 0x80 && ch <= 0xFF);
    }
}
