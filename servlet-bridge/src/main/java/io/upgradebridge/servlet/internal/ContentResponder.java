package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.CachingOptions;
import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.EntityTagVersion;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.LastModifiedVersion;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.Version;
import io.upgradebridge.content.VersionCheckResult;
import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.internal.ChannelCopy;
import io.upgradebridge.io.internal.Failures;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Writes an {@link OutgoingContent} that is not a protocol upgrade as an ordinary servlet response, on the
 * request thread: the servlet counterpart of what Ktor's engines do with a responded content.
 *
 * <p>What is sent:
 * <ul>
 *   <li>the status: {@link OutgoingContent#status()}, or 200;</li>
 *   <li>every header of {@link OutgoingContent#headers()}: {@code setHeader} for the first value and
 *       {@code addHeader} for the others, so no header is sent twice by accident;</li>
 *   <li>{@code ETag} / {@code Last-Modified} from {@link OutgoingContent#defaultVersions()} and
 *       {@code Cache-Control} / {@code Expires} from {@link OutgoingContent#getCaching()}, replacing values of
 *       the same headers in {@code headers()};</li>
 *   <li>{@code Content-Type} and {@code Content-Length} from {@link OutgoingContent#contentType()} and
 *       {@link OutgoingContent#contentLength()} when they are not {@code null};</li>
 *   <li>the body, except for {@code HEAD} requests and 1xx, 204 and 304 answers.</li>
 * </ul>
 *
 * <p>Conditional requests (RFC 9110 section 13) are answered when the content has versions and a 2xx
 * status: {@code 304 Not Modified} with the validator and caching headers but no body, or
 * {@code 412 Precondition Failed} without a body. For a method other than {@code GET} and {@code HEAD},
 * {@code If-Modified-Since} is ignored and a matching {@code If-None-Match} answers 412, as the RFC says.
 *
 * <p>Bodies that come from a channel are copied as bytes arrive; the request thread waits for them, and the
 * servlet stream is flushed whenever the channel runs dry, so a slow producer still streams.
 */
public final class ContentResponder {

    private static final System.Logger LOGGER = System.getLogger(ContentResponder.class.getName());

    private static final String CONTENT_TYPE = "Content-Type";
    private static final String CONTENT_LENGTH = "Content-Length";

    /** Request headers that {@link Version#check} looks at. */
    private static final List<String> CONDITIONAL_HEADERS = List.of(
            EntityTagVersion.IF_MATCH,
            LastModifiedVersion.IF_UNMODIFIED_SINCE,
            EntityTagVersion.IF_NONE_MATCH,
            LastModifiedVersion.IF_MODIFIED_SINCE);

    private ContentResponder() {
    }

    /**
     * Answers {@code request} with {@code content}.
     *
     * @throws IllegalArgumentException when {@code content} is a {@link OutgoingContent.ProtocolUpgrade}
     *     (the filter performs upgrades)
     * @throws IllegalStateException when the response is already committed, or a
     *     {@link OutgoingContent.ByteArrayContent}'s {@code contentLength()} differs from its number of bytes
     * @throws IOException when writing fails, or the body's channel or stage fails (the response may then be
     *     cut short: the container closes the connection)
     */
    public static void respond(HttpServletRequest request, HttpServletResponse response, OutgoingContent content)
            throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(content, "content");
        if (content instanceof OutgoingContent.ProtocolUpgrade) {
            throw new IllegalArgumentException(content + " is a ProtocolUpgrade: it cannot be written as an"
                    + " ordinary response. Respond with it through ApplicationCall.respond, and let"
                    + " ProtocolUpgradeFilter perform the upgrade");
        }
        if (response.isCommitted()) {
            throw new IllegalStateException("Cannot respond with " + content + ": the response is already"
                    + " committed (its status and headers were sent). Respond only once per request, and do not"
                    + " write to or flush the response before responding");
        }
        HttpStatusCode status = content.status() != null ? content.status() : HttpStatusCode.OK;
        ContentType contentType = content.contentType();
        Long contentLength = content.contentLength();
        byte[] bytes = content instanceof OutgoingContent.ByteArrayContent
                ? bytesMatchingLength((OutgoingContent.ByteArrayContent) content, contentLength)
                : null;
        List<Version> versions = content.defaultVersions();
        Headers headers = responseHeaders(content, versions, contentType != null, contentLength != null);

        if (status.isSuccess() && !versions.isEmpty()) {
            boolean safeMethod = isGetOrHead(request);
            VersionCheckResult result = Version.checkAll(versions, conditionalHeaders(request, safeMethod));
            if (result == VersionCheckResult.NOT_MODIFIED && safeMethod) {
                respondNotModified(response, headers);
                return;
            }
            if (result != VersionCheckResult.OK) {
                respondPreconditionFailed(response);
                return;
            }
        }

        response.setStatus(status.value());
        ResponseHeaders.write(response, headers);
        if (contentType != null) {
            response.setContentType(contentType.toString());
        }
        if (contentLength != null) {
            response.setContentLengthLong(contentLength);
        }
        if ("HEAD".equalsIgnoreCase(request.getMethod()) || !allowsBody(status)) {
            return;
        }
        writeBody(content, bytes, response);
    }

    /** The headers to send besides Content-Type and Content-Length (when those come from the content's own members). */
    private static Headers responseHeaders(OutgoingContent content, List<Version> versions,
                                           boolean hasContentType, boolean hasContentLength) {
        Headers.Builder builder = content.headers().toBuilder();
        for (Version version : versions) {
            version.appendHeadersTo(builder);
        }
        CachingOptions caching = content.getCaching();
        if (caching != null) {
            caching.appendHeadersTo(builder);
        }
        if (hasContentType) {
            builder.remove(CONTENT_TYPE);
        }
        if (hasContentLength) {
            builder.remove(CONTENT_LENGTH);
        }
        return builder.build();
    }

    private static byte[] bytesMatchingLength(OutgoingContent.ByteArrayContent content, Long contentLength) {
        byte[] bytes = Objects.requireNonNull(content.bytes(), () -> content + ".bytes() returned null");
        if (contentLength != null && contentLength != bytes.length) {
            throw new IllegalStateException(content + " says contentLength() is " + contentLength
                    + " but bytes() holds " + bytes.length + " bytes; make contentLength() return bytes().length"
                    + " (the default when it is not overridden)");
        }
        return bytes;
    }

    /** The request's conditional headers; without If-Modified-Since unless the method is GET or HEAD. */
    private static Headers conditionalHeaders(HttpServletRequest request, boolean safeMethod) {
        Headers.Builder builder = Headers.builder();
        for (String name : CONDITIONAL_HEADERS) {
            if (!safeMethod && name.equals(LastModifiedVersion.IF_MODIFIED_SINCE)) {
                continue;
            }
            Enumeration<String> values = request.getHeaders(name);
            while (values != null && values.hasMoreElements()) {
                String value = values.nextElement();
                try {
                    builder.append(name, value);
                } catch (IllegalArgumentException unusable) {
                    LOGGER.log(System.Logger.Level.DEBUG, "Ignoring unusable request header {0}: {1}", name,
                            unusable.getMessage());
                }
            }
        }
        return builder.build();
    }

    private static boolean isGetOrHead(HttpServletRequest request) {
        String method = request.getMethod();
        return "GET".equalsIgnoreCase(method) || "HEAD".equalsIgnoreCase(method);
    }

    /** Whether a response with this status may carry a body (not 1xx, 204 or 304). */
    private static boolean allowsBody(HttpStatusCode status) {
        int value = status.value();
        return value >= 200 && value != 204 && value != 304;
    }

    private static void respondNotModified(HttpServletResponse response, Headers headers) {
        response.setStatus(HttpStatusCode.NOT_MODIFIED.value());
        ResponseHeaders.write(response, headers.toBuilder().remove(CONTENT_TYPE).remove(CONTENT_LENGTH).build());
    }

    private static void respondPreconditionFailed(HttpServletResponse response) {
        response.setStatus(HttpStatusCode.PRECONDITION_FAILED.value());
        response.setContentLength(0);
    }

    private static void writeBody(OutgoingContent content, byte[] bytes, HttpServletResponse response)
            throws IOException {
        if (content instanceof OutgoingContent.NoContent) {
            return;
        }
        if (content instanceof OutgoingContent.ByteArrayContent) {
            if (bytes.length > 0) {
                response.getOutputStream().write(bytes);
            }
            return;
        }
        if (content instanceof OutgoingContent.ReadChannelContent) {
            ByteReadChannel channel = ((OutgoingContent.ReadChannelContent) content).readFrom();
            if (channel == null) {
                throw new IllegalStateException(content + ".readFrom() returned null; return a channel holding the body");
            }
            copyBody(channel, response.getOutputStream());
            return;
        }
        if (content instanceof OutgoingContent.WriteChannelContent) {
            writeProducedBody((OutgoingContent.WriteChannelContent) content, response.getOutputStream());
            return;
        }
        throw new AssertionError("unexpected variant of OutgoingContent: " + content.getClass());
    }

    /** Lets the content write into a channel, closing it when the content's stage completes, and copies the channel to {@code out}. */
    private static void writeProducedBody(OutgoingContent.WriteChannelContent content, OutputStream out)
            throws IOException {
        ByteChannel channel = ByteChannel.create();
        CompletionStage<Void> written;
        try {
            written = content.writeTo(channel);
        } catch (RuntimeException | Error failure) {
            channel.close(failure);
            throw failure;
        }
        if (written == null) {
            IllegalStateException problem = new IllegalStateException(content + ".writeTo(channel) returned null;"
                    + " return a stage that completes when the body is written, such as"
                    + " CompletableFuture.completedFuture(null)");
            channel.close(problem);
            throw problem;
        }
        written.whenComplete((ignored, failure) -> {
            if (failure == null) {
                channel.close();
            } else {
                channel.close(Failures.unwrap(failure));
            }
        });
        copyBody(channel, out);
    }

    /** Copies a body channel to the response on the request thread; a copy that fails cancels the channel. */
    private static void copyBody(ByteReadChannel channel, OutputStream out) throws IOException {
        try {
            ChannelCopy.toStream(channel, out);
        } catch (IOException | RuntimeException | Error failure) {
            LOGGER.log(System.Logger.Level.DEBUG, "Response body copy stopped: {0}", failure.toString());
            throw failure;
        }
    }
}
