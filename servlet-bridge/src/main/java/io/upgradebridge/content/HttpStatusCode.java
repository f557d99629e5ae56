package io.upgradebridge.content;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP status code with its reason phrase: the Java form of Ktor's {@code io.ktor.http.HttpStatusCode},
 * the type of {@code OutgoingContent.status}. Two status codes are equal when their numbers are, whatever
 * their descriptions.
 */
public final class HttpStatusCode {

    private static final Map<Integer, HttpStatusCode> KNOWN = new HashMap<>();

    /** 100 Continue. */
    public static final HttpStatusCode CONTINUE = known(100, "Continue");
    /** 101 Switching Protocols: the status of every {@link OutgoingContent.ProtocolUpgrade}. */
    public static final HttpStatusCode SWITCHING_PROTOCOLS = known(101, "Switching Protocols");
    /** 200 OK. */
    public static final HttpStatusCode OK = known(200, "OK");
    /** 201 Created. */
    public static final HttpStatusCode CREATED = known(201, "Created");
    /** 202 Accepted. */
    public static final HttpStatusCode ACCEPTED = known(202, "Accepted");
    /** 204 No Content. */
    public static final HttpStatusCode NO_CONTENT = known(204, "No Content");
    /** 206 Partial Content. */
    public static final HttpStatusCode PARTIAL_CONTENT = known(206, "Partial Content");
    /** 301 Moved Permanently. */
    public static final HttpStatusCode MOVED_PERMANENTLY = known(301, "Moved Permanently");
    /** 302 Found. */
    public static final HttpStatusCode FOUND = known(302, "Found");
    /** 303 See Other. */
    public static final HttpStatusCode SEE_OTHER = known(303, "See Other");
    /** 304 Not Modified. */
    public static final HttpStatusCode NOT_MODIFIED = known(304, "Not Modified");
    /** 307 Temporary Redirect. */
    public static final HttpStatusCode TEMPORARY_REDIRECT = known(307, "Temporary Redirect");
    /** 308 Permanent Redirect. */
    public static final HttpStatusCode PERMANENT_REDIRECT = known(308, "Permanent Redirect");
    /** 400 Bad Request. */
    public static final HttpStatusCode BAD_REQUEST = known(400, "Bad Request");
    /** 401 Unauthorized. */
    public static final HttpStatusCode UNAUTHORIZED = known(401, "Unauthorized");
    /** 403 Forbidden. */
    public static final HttpStatusCode FORBIDDEN = known(403, "Forbidden");
    /** 404 Not Found. */
    public static final HttpStatusCode NOT_FOUND = known(404, "Not Found");
    /** 405 Method Not Allowed. */
    public static final HttpStatusCode METHOD_NOT_ALLOWED = known(405, "Method Not Allowed");
    /** 406 Not Acceptable. */
    public static final HttpStatusCode NOT_ACCEPTABLE = known(406, "Not Acceptable");
    /** 408 Request Timeout. */
    public static final HttpStatusCode REQUEST_TIMEOUT = known(408, "Request Timeout");
    /** 409 Conflict. */
    public static final HttpStatusCode CONFLICT = known(409, "Conflict");
    /** 410 Gone. */
    public static final HttpStatusCode GONE = known(410, "Gone");
    /** 412 Precondition Failed. */
    public static final HttpStatusCode PRECONDITION_FAILED = known(412, "Precondition Failed");
    /** 413 Payload Too Large. */
    public static final HttpStatusCode PAYLOAD_TOO_LARGE = known(413, "Payload Too Large");
    /** 415 Unsupported Media Type. */
    public static final HttpStatusCode UNSUPPORTED_MEDIA_TYPE = known(415, "Unsupported Media Type");
    /** 426 Upgrade Required. */
    public static final HttpStatusCode UPGRADE_REQUIRED = known(426, "Upgrade Required");
    /** 429 Too Many Requests. */
    public static final HttpStatusCode TOO_MANY_REQUESTS = known(429, "Too Many Requests");
    /** 500 Internal Server Error. */
    public static final HttpStatusCode INTERNAL_SERVER_ERROR = known(500, "Internal Server Error");
    /** 501 Not Implemented. */
    public static final HttpStatusCode NOT_IMPLEMENTED = known(501, "Not Implemented");
    /** 502 Bad Gateway. */
    public static final HttpStatusCode BAD_GATEWAY = known(502, "Bad Gateway");
    /** 503 Service Unavailable. */
    public static final HttpStatusCode SERVICE_UNAVAILABLE = known(503, "Service Unavailable");
    /** 504 Gateway Timeout. */
    public static final HttpStatusCode GATEWAY_TIMEOUT = known(504, "Gateway Timeout");
    /** 505 HTTP Version Not Supported. */
    public static final HttpStatusCode VERSION_NOT_SUPPORTED = known(505, "HTTP Version Not Supported");

    private static final Map<Integer, HttpStatusCode> BY_VALUE = Collections.unmodifiableMap(KNOWN);

    private final int value;
    private final String description;

    /**
     * A status code with a description of your choice.
     *
     * @throws IllegalArgumentException when {@code value} is not a three-digit number (100 to 999) or the
     *     description holds CR, LF or NUL
     */
    public HttpStatusCode(int value, String description) {
        if (value < 100 || value > 999) {
            throw new IllegalArgumentException("HTTP status code must have three digits (100 to 999), got " + value);
        }
        this.value = value;
        this.description = HttpSyntax.requireFieldValue(description, "Status description");
    }

    /**
     * The status code for {@code value}: one of the constants when there is one, otherwise a new one
     * described as "Unknown Status Code" (Ktor's {@code HttpStatusCode.fromValue}).
     *
     * @throws IllegalArgumentException when {@code value} is not between 100 and 999
     */
    public static HttpStatusCode of(int value) {
        HttpStatusCode known = BY_VALUE.get(value);
        return known != null ? known : new HttpStatusCode(value, "Unknown Status Code");
    }

    /** The number, such as 404. */
    public int value() {
        return value;
    }

    /** The reason phrase, such as "Not Found". */
    public String description() {
        return description;
    }

    /** Whether this is a 2xx status. */
    public boolean isSuccess() {
        return value >= 200 && value < 300;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpStatusCode && ((HttpStatusCode) other).value == value;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(value);
    }

    /** The number and the description, such as {@code 404 Not Found}. */
    @Override
    public String toString() {
        return value + " " + description;
    }

    private static HttpStatusCode known(int value, String description) {
        HttpStatusCode code = new HttpStatusCode(value, Objects.requireNonNull(description));
        KNOWN.put(value, code);
        return code;
    }
}
