package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntityTagVersionTest {

    private static final EntityTagVersion STRONG = new EntityTagVersion("v1");
    private static final EntityTagVersion WEAK = new EntityTagVersion("v1", true);

    @Test
    void rendersStrongWeakAndStar() {
        assertEquals("\"v1\"", STRONG.headerValue());
        assertEquals("W/\"v1\"", WEAK.headerValue());
        assertEquals("*", EntityTagVersion.STAR.headerValue());
        assertEquals("v1", new EntityTagVersion("\"v1\"").etag());
        assertEquals(STRONG, new EntityTagVersion("\"v1\"", false));
    }

    @Test
    void parsesListsOfTags() {
        assertEquals(List.of(STRONG, new EntityTagVersion("a,b", true), new EntityTagVersion("bare")),
                EntityTagVersion.parse(" \"v1\" ,W/\"a,b\", bare"));
        assertEquals(List.of(EntityTagVersion.STAR), EntityTagVersion.parse("*"));
        assertSame(EntityTagVersion.STAR, EntityTagVersion.parseSingle("*"));
        assertEquals(WEAK, EntityTagVersion.parseSingle("W/\"v1\""));
        assertEquals(new EntityTagVersion(""), EntityTagVersion.parseSingle("\"\""));
    }

    @Test
    void rejectsMalformedTags() {
        IllegalArgumentException unclosed = assertThrows(IllegalArgumentException.class,
                () -> EntityTagVersion.parse("\"open"));
        assertEquals("Invalid entity tag list \"\"open\": an entity tag is not closed with '\"' at index 0"
                + " but found '\"' (U+0022); write tags like \"abc\" or W/\"abc\", separated by commas, or a lone *",
                unclosed.getMessage());
        IllegalArgumentException twoTags = assertThrows(IllegalArgumentException.class,
                () -> EntityTagVersion.parseSingle("\"a\", \"b\""));
        assertTrue(twoTags.getMessage().contains("found 2"), twoTags.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EntityTagVersion.parse("\"a\" \"b\""));
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class, () -> new EntityTagVersion("a b"));
        assertEquals("Entity tag \"a b\" contains a space (0x20); an entity tag may hold any visible character"
                + " except the double quote, and no spaces or control characters", space.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EntityTagVersion("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> EntityTagVersion.parse("W/*"));
    }

    @Test
    void ifNoneMatchUsesWeakComparison() {
        assertEquals(VersionCheckResult.NOT_MODIFIED, STRONG.check(Headers.of("If-None-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.NOT_MODIFIED, STRONG.check(Headers.of("If-None-Match", "W/\"v1\"")));
        assertEquals(VersionCheckResult.NOT_MODIFIED, WEAK.check(Headers.of("If-None-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.NOT_MODIFIED, STRONG.check(Headers.of("If-None-Match", "\"x\", \"v1\"")));
        assertEquals(VersionCheckResult.OK, STRONG.check(Headers.of("If-None-Match", "\"v2\"")));
    }

    @Test
    void ifNoneMatchStarMatchesAnyCurrentRepresentation() {
        assertEquals(VersionCheckResult.NOT_MODIFIED, STRONG.check(Headers.of("If-None-Match", "*")));
    }

    @Test
    void ifMatchUsesStrongComparison() {
        assertEquals(VersionCheckResult.OK, STRONG.check(Headers.of("If-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.OK, STRONG.check(Headers.of("If-Match", "\"v0\"", "If-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.PRECONDITION_FAILED, STRONG.check(Headers.of("If-Match", "W/\"v1\"")));
        assertEquals(VersionCheckResult.PRECONDITION_FAILED, WEAK.check(Headers.of("If-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.PRECONDITION_FAILED, STRONG.check(Headers.of("If-Match", "\"v2\"")));
    }

    @Test
    void ifMatchStarMatchesEvenAWeakTag() {
        assertEquals(VersionCheckResult.OK, WEAK.check(Headers.of("If-Match", "*")));
    }

    @Test
    void unreadableIfMatchFailsAndUnreadableIfNoneMatchIsIgnored() {
        assertEquals(VersionCheckResult.PRECONDITION_FAILED, STRONG.check(Headers.of("If-Match", "\"v1")));
        assertEquals(VersionCheckResult.OK, STRONG.check(Headers.of("If-None-Match", "\"v1")));
    }

    @Test
    void ifMatchIsCheckedBeforeIfNoneMatch() {
        assertEquals(VersionCheckResult.PRECONDITION_FAILED,
                STRONG.check(Headers.of("If-Match", "\"v2\"", "If-None-Match", "\"v1\"")));
    }

    @Test
    void appendsETag() {
        Headers.Builder builder = Headers.builder();
        WEAK.appendHeadersTo(builder);

        assertEquals(Headers.of("ETag", "W/\"v1\""), builder.build());
    }

    @Test
    void checkAllLetsAFailedPreconditionOutrankNotModified() {
        LastModifiedVersion date = new LastModifiedVersion(Instant.parse("1994-11-06T08:49:37Z"));
        Headers request = Headers.of("If-None-Match", "\"v1\"", "If-Unmodified-Since", "Sun, 06 Nov 1994 08:00:00 GMT");

        assertEquals(VersionCheckResult.PRECONDITION_FAILED, Version.checkAll(List.of(STRONG, date), request));
        assertEquals(VersionCheckResult.NOT_MODIFIED,
                Version.checkAll(List.of(date, STRONG), Headers.of("If-None-Match", "\"v1\"")));
        assertEquals(VersionCheckResult.OK, Version.checkAll(List.of(), Headers.of("If-Match", "\"zzz\"")));
        assertEquals(412, VersionCheckResult.PRECONDITION_FAILED.statusCode().value());
    }
}
