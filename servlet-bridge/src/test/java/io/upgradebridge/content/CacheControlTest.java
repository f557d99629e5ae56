package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CacheControlTest {

    @Test
    void maxAgeRendersLikeKtor() {
        assertEquals("max-age=60", new CacheControl.MaxAge(60).toString());
        assertEquals("max-age=60, must-revalidate, public",
                new CacheControl.MaxAge(60, null, true, false, CacheControl.Visibility.PUBLIC).toString());
        assertEquals("max-age=10, s-maxage=20, must-revalidate, proxy-revalidate, private",
                new CacheControl.MaxAge(10, 20, true, true, CacheControl.Visibility.PRIVATE).toString());
        assertEquals("max-age=0, proxy-revalidate", new CacheControl.MaxAge(0, null, false, true, null).toString());
    }

    @Test
    void noCacheAndNoStoreRenderWithOptionalVisibility() {
        assertEquals("no-cache", new CacheControl.NoCache().toString());
        assertEquals("no-cache, private", new CacheControl.NoCache(CacheControl.Visibility.PRIVATE).toString());
        assertEquals("no-store", new CacheControl.NoStore(null).toString());
        assertEquals("no-store, public", new CacheControl.NoStore(CacheControl.Visibility.PUBLIC).toString());
    }

    @Test
    void equalityFollowsTheRenderedDirectives() {
        assertEquals(new CacheControl.MaxAge(5), new CacheControl.MaxAge(5, null, false, false, null));
        assertNotEquals(new CacheControl.MaxAge(5), new CacheControl.MaxAge(6));
        assertNotEquals(new CacheControl.NoCache(), new CacheControl.NoStore());
    }

    @Test
    void rejectsNegativeAges() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new CacheControl.MaxAge(-1));
        assertEquals("max-age must not be negative, got -1", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CacheControl.MaxAge(1, -2, false, false, null));
    }

    @Test
    void cachingOptionsSetCacheControlAndExpires() {
        Headers.Builder builder = Headers.builder().append("Cache-Control", "old").append("Expires", "old");
        new CachingOptions(new CacheControl.NoStore(), Instant.parse("1994-11-06T08:49:37.900Z")).appendHeadersTo(builder);

        assertEquals(Headers.of("Cache-Control", "no-store", "Expires", "Sun, 06 Nov 1994 08:49:37 GMT"), builder.build());

        Headers.Builder onlyControl = Headers.builder();
        new CachingOptions(new CacheControl.MaxAge(1)).appendHeadersTo(onlyControl);
        assertEquals(Headers.of("Cache-Control", "max-age=1"), onlyControl.build());
    }
}
