package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LastModifiedVersionTest {

    /** Sun, 06 Nov 1994 08:49:37.500 GMT: compared to the second. */
    private static final LastModifiedVersion VERSION =
            new LastModifiedVersion(Instant.parse("1994-11-06T08:49:37.500Z"));

    private static final String SAME_SECOND = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String SECOND_BEFORE = "Sun, 06 Nov 1994 08:49:36 GMT";
    private static final String SECOND_AFTER = "Sun, 06 Nov 1994 08:49:38 GMT";

    @Test
    void noConditionalHeadersMeansOk() {
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.EMPTY));
    }

    @Test
    void ifModifiedSince() {
        assertEquals(VersionCheckResult.NOT_MODIFIED, VERSION.check(Headers.of("If-Modified-Since", SAME_SECOND)));
        assertEquals(VersionCheckResult.NOT_MODIFIED, VERSION.check(Headers.of("if-modified-since", SECOND_AFTER)));
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.of("If-Modified-Since", SECOND_BEFORE)));
    }

    @Test
    void ifUnmodifiedSince() {
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.of("If-Unmodified-Since", SAME_SECOND)));
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.of("If-Unmodified-Since", SECOND_AFTER)));
        assertEquals(VersionCheckResult.PRECONDITION_FAILED,
                VERSION.check(Headers.of("If-Unmodified-Since", SECOND_BEFORE)));
    }

    @Test
    void unreadableDatesAreIgnored() {
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.of("If-Modified-Since", "tomorrow")));
        assertEquals(VersionCheckResult.OK, VERSION.check(Headers.of("If-Unmodified-Since", "long ago")));
    }

    @Test
    void entityTagHeadersTakePrecedenceOverDates() {
        assertEquals(VersionCheckResult.OK,
                VERSION.check(Headers.of("If-Modified-Since", SAME_SECOND, "If-None-Match", "\"x\"")));
        assertEquals(VersionCheckResult.OK,
                VERSION.check(Headers.of("If-Unmodified-Since", SECOND_BEFORE, "If-Match", "*")));
    }

    @Test
    void appendsLastModified() {
        Headers.Builder builder = Headers.builder().append("last-modified", "stale");
        VERSION.appendHeadersTo(builder);

        assertEquals(List.of("Sun, 06 Nov 1994 08:49:37 GMT"), builder.build().getAll("Last-Modified"));
    }

    @Test
    void needsADate() {
        assertThrows(NullPointerException.class, () -> new LastModifiedVersion(null));
    }
}
