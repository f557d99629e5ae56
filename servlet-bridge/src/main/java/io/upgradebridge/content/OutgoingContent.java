package io.upgradebridge.content;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A response to send: the Java form of Ktor's sealed class {@code io.ktor.http.content.OutgoingContent}.
 *
 * <p>Pick the variant that fits how the body is made:
 * <ul>
 *   <li>{@link NoContent}: no body (a status and headers only);</li>
 *   <li>{@link ByteArrayContent}: the whole body is in memory;</li>
 *   <li>{@link WriteChannelContent}: the body is written as it is produced;</li>
 *   <li>{@link ReadChannelContent}: the body is read from a channel;</li>
 *   <li>{@link ProtocolUpgrade}: no body, but the connection is taken over by another protocol.</li>
 * </ul>
 * Every variant may set {@link #status()}, {@link #contentType()}, {@link #contentLength()} and
 * {@link #headers()}. Ktor's extension properties ({@code caching}, {@code versions},
 * {@code defaultVersions}) and extension function ({@code wrapHeaders}) are members here.
 */
public abstract sealed class OutgoingContent permits OutgoingContent.NoContent, OutgoingContent.ByteArrayContent,
        OutgoingContent.WriteChannelContent, OutgoingContent.ReadChannelContent, OutgoingContent.ProtocolUpgrade {

    /** Key of {@link #getCaching()}; Ktor's {@code CachingProperty}. */
    public static final AttributeKey<CachingOptions> CACHING = new AttributeKey<>("Caching");

    /** Key of {@link #getVersions()}; Ktor's {@code VersionListProperty}. */
    public static final AttributeKey<List<Version>> VERSIONS = new AttributeKey<>("VersionList");

    private static final System.Logger LOGGER = System.getLogger(OutgoingContent.class.getName());

    private static final VarHandle PROPERTIES;

    static {
        try {
            PROPERTIES = MethodHandles.lookup()
                    .findVarHandle(OutgoingContent.class, "properties", ConcurrentHashMap.class);
        } catch (ReflectiveOperationException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    /** Extension properties, created on the first {@link #setProperty} with a value. */
    @SuppressWarnings("unused") // accessed through PROPERTIES
    private volatile ConcurrentHashMap<AttributeKey<?>, Object> properties;

    OutgoingContent() {
    }

    /** The media type of the body, or {@code null} to send no {@code Content-Type}; Ktor's {@code contentType}. */
    public ContentType contentType() {
        return null;
    }

    /** The length of the body in bytes, or {@code null} when it is not known in advance; Ktor's {@code contentLength}. */
    public Long contentLength() {
        return null;
    }

    /** The status to answer with, or {@code null} for the default (200 OK); Ktor's {@code status}. */
    public HttpStatusCode status() {
        return null;
    }

    /**
     * Headers to send with this content, besides those the bridge derives from {@link #contentType()},
     * {@link #contentLength()}, {@link #getCaching()} and the versions; Ktor's {@code headers}.
     */
    public Headers headers() {
        return Headers.EMPTY;
    }

    /** The extension property stored under {@code key}, or {@code null}; Ktor's {@code getProperty}. Thread-safe. */
    @SuppressWarnings("unchecked")
    public <T> T getProperty(AttributeKey<T> key) {
        Objects.requireNonNull(key, "key");
        Map<AttributeKey<?>, Object> map = properties;
        return map == null ? null : (T) map.get(key);
    }

    /**
     * Stores an extension property under {@code key}; {@code null} removes it. Ktor's {@code setProperty}.
     * Thread-safe.
     */
    public <T> void setProperty(AttributeKey<T> key, T value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            Map<AttributeKey<?>, Object> map = properties;
            if (map != null) {
                map.remove(key);
            }
        } else {
            propertyMap().put(key, value);
        }
    }

    /** How the response may be cached, or {@code null}; Ktor's extension property {@code OutgoingContent.caching}. */
    public CachingOptions getCaching() {
        return getProperty(CACHING);
    }

    /** Sets how the response may be cached ({@code null} removes it); Ktor's {@code OutgoingContent.caching}. */
    public void setCaching(CachingOptions caching) {
        setProperty(CACHING, caching);
    }

    /** The versions attached with {@link #setVersions}, or an empty list; Ktor's {@code OutgoingContent.versions}. */
    public List<Version> getVersions() {
        List<Version> versions = getProperty(VERSIONS);
        return versions == null ? List.of() : versions;
    }

    /** Attaches versions (a copy of the list is kept); Ktor's extension property {@code OutgoingContent.versions}. */
    public void setVersions(List<? extends Version> versions) {
        setProperty(VERSIONS, versions == null || versions.isEmpty() ? null : List.copyOf(versions));
    }

    /**
     * The versions to check conditional requests against; Ktor's {@code OutgoingContent.defaultVersions}.
     * That is {@link #getVersions()} when it is not empty; otherwise the versions read from
     * {@link #headers()}: a {@link LastModifiedVersion} from {@code Last-Modified} and an
     * {@link EntityTagVersion} from {@code ETag}. A header value that cannot be read is skipped.
     */
    public List<Version> defaultVersions() {
        List<Version> explicit = getVersions();
        if (!explicit.isEmpty()) {
            return explicit;
        }
        Headers headers = headers();
        List<Version> found = new ArrayList<>(2);
        String lastModified = headers.get(LastModifiedVersion.LAST_MODIFIED);
        if (lastModified != null) {
            Instant date = HttpDate.tryParse(lastModified);
            if (date != null) {
                found.add(new LastModifiedVersion(date));
            } else {
                LOGGER.log(System.Logger.Level.DEBUG, "Ignoring unreadable Last-Modified \"{0}\" of {1}", lastModified, this);
            }
        }
        String etag = headers.get(EntityTagVersion.ETAG);
        if (etag != null) {
            try {
                EntityTagVersion tag = EntityTagVersion.parseSingle(etag);
                if (!tag.equals(EntityTagVersion.STAR)) {
                    found.add(tag);
                }
            } catch (IllegalArgumentException unreadable) {
                LOGGER.log(System.Logger.Level.DEBUG, "Ignoring unreadable ETag \"{0}\" of {1}", etag, this);
            }
        }
        return List.copyOf(found);
    }

    /**
     * A new content of the same variant whose headers are {@code block.apply(headers())}; Ktor's extension
     * function {@code OutgoingContent.wrapHeaders}. The block runs once, now. Everything else (status,
     * content type and length, body or upgrade) is taken from this content each time it is asked for; the
     * extension properties are copied, so setting one on either content later does not change the other.
     *
     * @throws NullPointerException when the block returns {@code null}
     */
    public final OutgoingContent wrapHeaders(UnaryOperator<Headers> block) {
        Headers wrappedHeaders = Objects.requireNonNull(block.apply(headers()), "wrapHeaders block returned null");
        OutgoingContent wrapped = HeaderWrappedContent.wrap(this, wrappedHeaders);
        Map<AttributeKey<?>, Object> map = properties;
        if (map != null && !map.isEmpty()) {
            wrapped.propertyMap().putAll(map);
        }
        return wrapped;
    }

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<AttributeKey<?>, Object> propertyMap() {
        ConcurrentHashMap<AttributeKey<?>, Object> map = properties;
        if (map == null) {
            ConcurrentHashMap<AttributeKey<?>, Object> created = new ConcurrentHashMap<>(4);
            map = (ConcurrentHashMap<AttributeKey<?>, Object>) PROPERTIES.compareAndExchange(this, null, created);
            if (map == null) {
                map = created;
            }
        }
        return map;
    }

    /** Content without a body, such as a status-only answer; Ktor's {@code OutgoingContent.NoContent}. */
    public abstract static non-sealed class NoContent extends OutgoingContent {
        /** For subclasses. */
        protected NoContent() {
        }
    }

    /** Content whose whole body is in memory; Ktor's {@code OutgoingContent.ByteArrayContent}. */
    public abstract static non-sealed class ByteArrayContent extends OutgoingContent {
        /** For subclasses. */
        protected ByteArrayContent() {
        }

        /** The body. Callers must not change the array. Ktor's {@code bytes()}. */
        public abstract byte[] bytes();

        /** The length of {@link #bytes()}. */
        @Override
        public Long contentLength() {
            return (long) bytes().length;
        }
    }

    /**
     * Content that writes its body as it is produced; Ktor's {@code OutgoingContent.WriteChannelContent}.
     */
    public abstract static non-sealed class WriteChannelContent extends OutgoingContent {
        /** For subclasses. */
        protected WriteChannelContent() {
        }

        /**
         * Writes the body into {@code channel}; Ktor's {@code suspend fun writeTo(channel)}.
         *
         * <p>It is called on the request thread and must not block that thread: chain the stages that the
         * channel's methods return, or hand blocking work (such as the channel's
         * {@link ByteWriteChannel#asOutputStream()}) to another thread. The caller closes the channel when the
         * returned stage completes (with the failure as the cause when it fails), so the method need not.
         *
         * @return a stage completing when the whole body has been written
         */
        public abstract CompletionStage<Void> writeTo(ByteWriteChannel channel);
    }

    /** Content whose body is read from a channel; Ktor's {@code OutgoingContent.ReadChannelContent}. */
    public abstract static non-sealed class ReadChannelContent extends OutgoingContent {
        /** For subclasses. */
        protected ReadChannelContent() {
        }

        /**
         * A channel holding the body; Ktor's {@code readFrom()}. The caller reads it to the end, or cancels it
         * when it gives up (for example when the client went away). Called at most once per response.
         */
        public abstract ByteReadChannel readFrom();
    }

    /**
     * Content that upgrades the HTTP connection to another protocol, such as WebSocket; Ktor's
     * {@code OutgoingContent.ProtocolUpgrade}. The bridge answers {@code 101 Switching Protocols} with
     * {@link #headers()}, then hands the raw connection to {@link #upgrade}.
     */
    public abstract static non-sealed class ProtocolUpgrade extends OutgoingContent {
        /** For subclasses. */
        protected ProtocolUpgrade() {
        }

        /** Always {@code 101 Switching Protocols}; Ktor's {@code ProtocolUpgrade.status}. */
        @Override
        public final HttpStatusCode status() {
            return HttpStatusCode.SWITCHING_PROTOCOLS;
        }

        /**
         * Checks the request before anything is upgraded: {@link ApplicationCall#respond} asks this first and, when
         * it returns an answer, sends that answer as an ordinary response instead of upgrading (a WebSocket upgrade
         * answers a request that is no valid handshake with 400, 405 or 426 so). Ktor checks this in its routing;
         * here it is part of the upgrade, so that every form of it carries its check: the content
         * {@link #wrapHeaders} returns asks the original.
         *
         * @param call the call being answered
         * @return {@code null} (the default) when the request may be upgraded, otherwise the response to send
         *     instead, for example an error status with a one-line reason
         */
        public OutgoingContent refusal(ApplicationCall call) {
            return null;
        }

        /**
         * The {@code :protocol} under which this upgrade also runs over an HTTP/2 extended CONNECT (RFC 8441), for
         * example {@code websocket}; {@code null} (the default) when it needs an HTTP/1.1 upgrade. Over an extended
         * CONNECT the request is a {@code CONNECT} on one stream of an HTTP/2 connection with the pseudo-header
         * {@code :protocol}, the answer is {@code 200} with {@link #connectResponseHeaders()} instead of {@code 101},
         * and the stream's DATA frames carry the protocol's bytes both ways. A WebSocket arrives so when the server's
         * HTTP/2 advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (Jetty's does; browsers then open every WebSocket
         * to that server this way). An upgrade that answers {@code null} is refused over HTTP/2 with {@code 400} and a
         * one-line reason. The content {@link #wrapHeaders} returns answers what the original answers.
         *
         * @return the extended CONNECT's protocol this upgrade speaks, or {@code null}
         */
        public String connectProtocol() {
            return null;
        }

        /**
         * The headers of the {@code 200} answer to an extended CONNECT (see {@link #connectProtocol()}): by default
         * {@link #headers()} without {@code Upgrade} and {@code Connection}, which HTTP/2 forbids.
         *
         * @return the headers to send with the {@code 200}
         */
        public Headers connectResponseHeaders() {
            Headers all = headers();
            if (!all.contains("Upgrade") && !all.contains("Connection")) {
                return all;
            }
            return all.toBuilder().remove("Upgrade").remove("Connection").build();
        }

        /**
         * Upgrades an HTTP connection; Ktor's {@code ProtocolUpgrade.upgrade}. Called once the 101 answer has
         * been sent. It must return quickly: start the work and return its {@link Job}. The connection lives
         * as long as the job does.
         *
         * @param input the bytes the client sends on the upgraded connection
         * @param output the bytes to send to the client on the upgraded connection
         * @param engineContext runs non-blocking code, such as parsing or processing frames; never block on it
         * @param userContext runs user-provided callbacks and code that may block
         * @return the job that owns the connection: when it completes the connection is closed
         */
        public abstract Job upgrade(ByteReadChannel input, ByteWriteChannel output,
                                    Executor engineContext, Executor userContext);
    }
}
