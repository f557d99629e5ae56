package io.upgradebridge.content;

/**
 * What a {@link Version} check against the request's conditional headers decided: the Java form of Ktor's
 * {@code io.ktor.http.content.VersionCheckResult}.
 */
public enum VersionCheckResult {
    /** Every condition holds: send the content as usual. */
    OK(HttpStatusCode.OK),
    /** The client's copy is current ({@code If-None-Match} / {@code If-Modified-Since}): answer 304 without a body. */
    NOT_MODIFIED(HttpStatusCode.NOT_MODIFIED),
    /** A precondition failed ({@code If-Match} / {@code If-Unmodified-Since}): answer 412. */
    PRECONDITION_FAILED(HttpStatusCode.PRECONDITION_FAILED);

    private final HttpStatusCode statusCode;

    VersionCheckResult(HttpStatusCode statusCode) {
        this.statusCode = statusCode;
    }

    /** The status to answer with: 200, 304 or 412. */
    public HttpStatusCode statusCode() {
        return statusCode;
    }
}
