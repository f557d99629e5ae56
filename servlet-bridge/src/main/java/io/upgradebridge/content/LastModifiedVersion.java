package io.upgradebridge.content;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A version given by the time the resource last changed: the Java form of Ktor's
 * {@code io.ktor.http.content.LastModifiedVersion}. Sends {@code Last-Modified} and answers
 * {@code If-Modified-Since} and {@code If-Unmodified-Since}.
 *
 * <p>HTTP dates have whole seconds, so comparisons use {@link #lastModified()} truncated to the second,
 * as Ktor does. Following RFC 9110 section 13.2.2, {@code If-Unmodified-Since} is ignored when the request
 * has {@code If-Match}, {@code If-Modified-Since} is ignored when it has {@code If-None-Match}, and a date
 * that cannot be read is ignored (Ktor fails the request instead).
 *
 * @param lastModified when the resource last changed
 */
public record LastModifiedVersion(Instant lastModified) implements Version {

    /** Header that carries this version in a response. */
    public static final String LAST_MODIFIED = "Last-Modified";
    /** Request header: send the content only when it changed after this date. */
    public static final String IF_MODIFIED_SINCE = "If-Modified-Since";
    /** Request header: go on only when the content did not change after this date. */
    public static final String IF_UNMODIFIED_SINCE = "If-Unmodified-Since";

    /** @throws NullPointerException when {@code lastModified} is null */
    public LastModifiedVersion {
        Objects.requireNonNull(lastModified, "lastModified");
    }

    /**
     * {@link VersionCheckResult#PRECONDITION_FAILED} when the resource changed after
     * {@code If-Unmodified-Since}; {@link VersionCheckResult#NOT_MODIFIED} when it did not change after
     * {@code If-Modified-Since}; {@link VersionCheckResult#OK} otherwise.
     */
    @Override
    public VersionCheckResult check(Headers requestHeaders) {
        Instant modified = lastModified.truncatedTo(ChronoUnit.SECONDS);
        if (!requestHeaders.contains(EntityTagVersion.IF_MATCH)) {
            Instant unmodifiedSince = firstDate(requestHeaders, IF_UNMODIFIED_SINCE);
            if (unmodifiedSince != null && modified.isAfter(unmodifiedSince)) {
                return VersionCheckResult.PRECONDITION_FAILED;
            }
        }
        if (!requestHeaders.contains(EntityTagVersion.IF_NONE_MATCH)) {
            Instant modifiedSince = firstDate(requestHeaders, IF_MODIFIED_SINCE);
            if (modifiedSince != null && !modified.isAfter(modifiedSince)) {
                return VersionCheckResult.NOT_MODIFIED;
            }
        }
        return VersionCheckResult.OK;
    }

    /** Sets {@code Last-Modified} to {@link #lastModified()} as an HTTP date. */
    @Override
    public void appendHeadersTo(Headers.Builder builder) {
        builder.set(LAST_MODIFIED, HttpDate.format(lastModified));
    }

    private static Instant firstDate(Headers headers, String name) {
        String value = headers.get(name);
        return value == null ? null : HttpDate.tryParse(value);
    }
}
