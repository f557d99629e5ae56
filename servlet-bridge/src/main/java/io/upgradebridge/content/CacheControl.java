package io.upgradebridge.content;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code Cache-Control} directive set: the Java form of Ktor's sealed class
 * {@code io.ktor.http.CacheControl}, with its three kinds {@link NoCache}, {@link NoStore} and
 * {@link MaxAge}. {@link #toString()} gives the header value exactly as Ktor renders it, for example
 * {@code max-age=60, must-revalidate, public}.
 */
public abstract sealed class CacheControl permits CacheControl.NoCache, CacheControl.NoStore, CacheControl.MaxAge {

    /** Who may cache the response; Ktor's {@code CacheControl.Visibility}. */
    public enum Visibility {
        /** {@code public}: shared caches may store the response. */
        PUBLIC("public"),
        /** {@code private}: only the user's own cache may store the response. */
        PRIVATE("private");

        private final String headerValue;

        Visibility(String headerValue) {
            this.headerValue = headerValue;
        }

        /** The directive as written in the header: {@code public} or {@code private}. */
        public String headerValue() {
            return headerValue;
        }
    }

    private final Visibility visibility;

    private CacheControl(Visibility visibility) {
        this.visibility = visibility;
    }

    /** The visibility directive, or {@code null} when none is sent. */
    public Visibility visibility() {
        return visibility;
    }

    /** The {@code Cache-Control} header value. */
    @Override
    public abstract String toString();

    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass() && other.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    private static String withVisibility(String directive, Visibility visibility) {
        return visibility == null ? directive : directive + ", " + visibility.headerValue;
    }

    /** {@code no-cache}: caches must revalidate before every reuse. Ktor's {@code CacheControl.NoCache}. */
    public static final class NoCache extends CacheControl {

        /** {@code no-cache} without a visibility. */
        public NoCache() {
            this(null);
        }

        /** {@code no-cache}, followed by the visibility when it is not {@code null}. */
        public NoCache(Visibility visibility) {
            super(visibility);
        }

        @Override
        public String toString() {
            return withVisibility("no-cache", visibility());
        }
    }

    /** {@code no-store}: caches must not store the response at all. Ktor's {@code CacheControl.NoStore}. */
    public static final class NoStore extends CacheControl {

        /** {@code no-store} without a visibility. */
        public NoStore() {
            this(null);
        }

        /** {@code no-store}, followed by the visibility when it is not {@code null}. */
        public NoStore(Visibility visibility) {
            super(visibility);
        }

        @Override
        public String toString() {
            return withVisibility("no-store", visibility());
        }
    }

    /**
     * {@code max-age}, with the optional {@code s-maxage}, {@code must-revalidate} and
     * {@code proxy-revalidate} directives. Ktor's {@code CacheControl.MaxAge}.
     */
    public static final class MaxAge extends CacheControl {

        private final int maxAgeSeconds;
        private final Integer proxyMaxAgeSeconds;
        private final boolean mustRevalidate;
        private final boolean proxyRevalidate;

        /** {@code max-age=maxAgeSeconds} and nothing else. */
        public MaxAge(int maxAgeSeconds) {
            this(maxAgeSeconds, null, false, false, null);
        }

        /**
         * Every directive Ktor's {@code MaxAge} knows.
         *
         * @param maxAgeSeconds {@code max-age}
         * @param proxyMaxAgeSeconds {@code s-maxage}, or {@code null} to leave it out
         * @param mustRevalidate whether to send {@code must-revalidate}
         * @param proxyRevalidate whether to send {@code proxy-revalidate}
         * @param visibility {@code public}, {@code private}, or {@code null} to leave it out
         * @throws IllegalArgumentException when an age is negative
         */
        public MaxAge(int maxAgeSeconds, Integer proxyMaxAgeSeconds, boolean mustRevalidate,
                      boolean proxyRevalidate, Visibility visibility) {
            super(visibility);
            if (maxAgeSeconds < 0) {
                throw new IllegalArgumentException("max-age must not be negative, got " + maxAgeSeconds);
            }
            if (proxyMaxAgeSeconds != null && proxyMaxAgeSeconds < 0) {
                throw new IllegalArgumentException("s-maxage must not be negative, got " + proxyMaxAgeSeconds);
            }
            this.maxAgeSeconds = maxAgeSeconds;
            this.proxyMaxAgeSeconds = proxyMaxAgeSeconds;
            this.mustRevalidate = mustRevalidate;
            this.proxyRevalidate = proxyRevalidate;
        }

        /** {@code max-age} in seconds. */
        public int maxAgeSeconds() {
            return maxAgeSeconds;
        }

        /** {@code s-maxage} in seconds, or {@code null} when it is not sent. */
        public Integer proxyMaxAgeSeconds() {
            return proxyMaxAgeSeconds;
        }

        /** Whether {@code must-revalidate} is sent. */
        public boolean mustRevalidate() {
            return mustRevalidate;
        }

        /** Whether {@code proxy-revalidate} is sent. */
        public boolean proxyRevalidate() {
            return proxyRevalidate;
        }

        /**
         * {@code max-age=N}, then {@code s-maxage=N}, {@code must-revalidate}, {@code proxy-revalidate} and
         * the visibility when present, joined by {@code ", "}.
         */
        @Override
        public String toString() {
            List<String> parts = new ArrayList<>(5);
            parts.add("max-age=" + maxAgeSeconds);
            if (proxyMaxAgeSeconds != null) {
                parts.add("s-maxage=" + proxyMaxAgeSeconds);
            }
            if (mustRevalidate) {
                parts.add("must-revalidate");
            }
            if (proxyRevalidate) {
                parts.add("proxy-revalidate");
            }
            if (visibility() != null) {
                parts.add(visibility().headerValue());
            }
            return String.join(", ", parts);
        }
    }
}
