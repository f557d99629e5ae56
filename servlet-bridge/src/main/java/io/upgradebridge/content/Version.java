package io.upgradebridge.content;

import java.util.List;

/**
 * One way to tell versions of a resource apart, such as its modification date or its entity tag: the Java
 * form of Ktor's {@code io.ktor.http.content.Version}. Attach versions to a content with
 * {@link OutgoingContent#setVersions}; the bridge then sends their headers and answers conditional
 * requests with 304 or 412.
 */
public interface Version {

    /**
     * Checks the conditional headers of a request against this version.
     *
     * @param requestHeaders the request's headers (only the conditional ones matter)
     * @return {@link VersionCheckResult#OK} when the content should be sent,
     *     {@link VersionCheckResult#NOT_MODIFIED} or {@link VersionCheckResult#PRECONDITION_FAILED} otherwise
     */
    VersionCheckResult check(Headers requestHeaders);

    /** Adds the response headers that announce this version ({@code Last-Modified}, {@code ETag}), replacing earlier values. */
    void appendHeadersTo(Headers.Builder builder);

    /**
     * Checks every version and combines the answers: {@link VersionCheckResult#PRECONDITION_FAILED} when
     * any version says so (a failed precondition outranks a cache hit, as in RFC 9110 section 13.2.2),
     * otherwise {@link VersionCheckResult#NOT_MODIFIED} when any version says so, otherwise
     * {@link VersionCheckResult#OK}.
     */
    static VersionCheckResult checkAll(List<? extends Version> versions, Headers requestHeaders) {
        VersionCheckResult combined = VersionCheckResult.OK;
        for (Version version : versions) {
            VersionCheckResult result = version.check(requestHeaders);
            if (result == VersionCheckResult.PRECONDITION_FAILED) {
                return result;
            }
            if (result == VersionCheckResult.NOT_MODIFIED) {
                combined = result;
            }
        }
        return combined;
    }
}
