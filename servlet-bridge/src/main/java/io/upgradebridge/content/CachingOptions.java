package io.upgradebridge.content;

import java.time.Instant;

/**
 * How a response may be cached: the Java form of Ktor's {@code io.ktor.http.content.CachingOptions}, the
 * value of {@code OutgoingContent.caching} ({@link OutgoingContent#getCaching()}). The bridge sends it as
 * {@code Cache-Control} and {@code Expires}.
 *
 * @param cacheControl the {@code Cache-Control} directives, or {@code null} to send none
 * @param expires when the response goes stale, sent as {@code Expires}, or {@code null} to send none
 */
public record CachingOptions(CacheControl cacheControl, Instant expires) {

    /** Header carrying {@link #cacheControl()}. */
    public static final String CACHE_CONTROL = "Cache-Control";
    /** Header carrying {@link #expires()}. */
    public static final String EXPIRES = "Expires";

    /** Only {@code Cache-Control}, no {@code Expires}. */
    public CachingOptions(CacheControl cacheControl) {
        this(cacheControl, null);
    }

    /** Sets {@code Cache-Control} and {@code Expires} for what is not {@code null}, replacing earlier values. */
    public void appendHeadersTo(Headers.Builder builder) {
        if (cacheControl != null) {
            builder.set(CACHE_CONTROL, cacheControl.toString());
        }
        if (expires != null) {
            builder.set(EXPIRES, HttpDate.format(expires));
        }
    }
}
