package io.upgradebridge.websockets;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of the WebSockets feature: one set per application ({@link WebSockets#settings()}), which a
 * route may override. Immutable: every {@code with...} method returns a changed copy.
 *
 * <p>Defaults ({@link #defaults()}), chosen to be safe for a public server:
 * <ul>
 *   <li>ping period 30 s: the server pings an otherwise quiet peer, so dead peers are found;</li>
 *   <li>timeout 15 s: how long a ping waits for its pong, and our close waits for the peer's close;</li>
 *   <li>idle timeout 5 min: a session with no frame from the peer for this long is closed (1001);</li>
 *   <li>max frame size 1 MiB, max message size 4 MiB (after decompression): bigger closes with 1009;</li>
 *   <li>masking off (servers do not mask);</li>
 *   <li>allowed origins: none configured, so every {@code Origin} is accepted. Browser applications that use
 *       cookies or other ambient credentials should list their origins ({@link #withAllowedOrigins}) to stop
 *       cross-site WebSocket hijacking: a handshake from any other origin then gets 403;</li>
 *   <li>same origin off: {@link #withSameOrigin} also accepts, and then requires, the request's own origin;</li>
 *   <li>trusted proxies: none, so {@code Forwarded} and {@code X-Forwarded-*} headers are never believed;</li>
 *   <li>permessage-deflate off ({@link PerMessageDeflate#DISABLED}); turn it on with
 *       {@link #withDeflate(PerMessageDeflate)}.</li>
 * </ul>
 */
public final class WebSocketSettings {

    private static final WebSocketSettings DEFAULTS = new WebSocketSettings(Duration.ofSeconds(30), Duration.ofSeconds(15),
        Duration.ofMinutes(5), 1024 * 1024, 4 * 1024 * 1024, false, Set.of(), false, Set.of(), PerMessageDeflate.DISABLED);

    private final Duration pingPeriod;
    private final Duration timeout;
    private final Duration idleTimeout;
    private final long maxFrameSize;
    private final long maxMessageSize;
    private final boolean masking;
    private final Set<String> allowedOrigins;
    private final boolean sameOrigin;
    private final Set<String> trustedProxies;
    private final PerMessageDeflate deflate;

    private WebSocketSettings(Duration pingPeriod, Duration timeout, Duration idleTimeout, long maxFrameSize,
                              long maxMessageSize, boolean masking, Set<String> allowedOrigins, boolean sameOrigin,
                              Set<String> trustedProxies, PerMessageDeflate deflate) {
        this.pingPeriod = pingPeriod;
        this.timeout = timeout;
        this.idleTimeout = idleTimeout;
        this.maxFrameSize = maxFrameSize;
        this.maxMessageSize = maxMessageSize;
        this.masking = masking;
        this.allowedOrigins = allowedOrigins;
        this.sameOrigin = sameOrigin;
        this.trustedProxies = trustedProxies;
        this.deflate = deflate;
    }

    /** The documented defaults. */
    public static WebSocketSettings defaults() {
        return DEFAULTS;
    }

    /** How often the server pings; {@link Duration#ZERO} turns pings off. */
    public Duration pingPeriod() {
        return pingPeriod;
    }

    /** How long a ping waits for its pong and our close for the peer's close; then the connection is dropped. */
    public Duration timeout() {
        return timeout;
    }

    /** How long the peer may send nothing before the session is closed with 1001; {@link Duration#ZERO} means never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Largest frame payload accepted, as it comes on the wire; a bigger frame closes with 1009 before its payload is
     * read. A frame of a compressed message may be larger by what deflate adds to data it cannot compress (at most
     * an eighth and a sixty-fourth of this, plus 64 bytes), so that a frame that fits uncompressed is never refused
     * for being compressed; what it inflates to counts against {@link #maxMessageSize()}.
     */
    public long maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Largest message accepted, counted after decompression (as it inflates: a message that would grow beyond it is
     * stopped there) and over all its fragments; a bigger one closes with 1009.
     */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** Whether frames the server sends are masked. */
    public boolean masking() {
        return masking;
    }

    /** The origins a handshake may come from, e.g. {@code https://example.com}; empty means any. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * Whether a handshake whose {@code Origin} is the request's own origin is accepted besides
     * {@link #allowedOrigins()}; when on, the origin check is active even with no allowed origins listed.
     */
    public boolean sameOrigin() {
        return sameOrigin;
    }

    /**
     * The reverse proxies (IP addresses or CIDR blocks, as given, lower case) whose {@code Forwarded} or
     * {@code X-Forwarded-Host}/{@code -Proto}/{@code -Port} headers tell the request's own origin for
     * {@link #sameOrigin()}; empty (the default) trusts nobody's.
     */
    public Set<String> trustedProxies() {
        return trustedProxies;
    }

    /** The permessage-deflate settings. */
    public PerMessageDeflate deflate() {
        return deflate;
    }

    public WebSocketSettings withPingPeriod(Duration pingPeriod) {
        return new WebSocketSettings(nonNegative(pingPeriod, "pingPeriod"), timeout, idleTimeout, maxFrameSize,
            maxMessageSize, masking, allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    public WebSocketSettings withTimeout(Duration timeout) {
        if (nonNegative(timeout, "timeout").isZero()) {
            throw new IllegalArgumentException("timeout must be positive: a close or a ping cannot wait zero time");
        }
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    public WebSocketSettings withIdleTimeout(Duration idleTimeout) {
        return new WebSocketSettings(pingPeriod, timeout, nonNegative(idleTimeout, "idleTimeout"), maxFrameSize,
            maxMessageSize, masking, allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    public WebSocketSettings withMaxFrameSize(long maxFrameSize) {
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, positive(maxFrameSize, "maxFrameSize"),
            maxMessageSize, masking, allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    public WebSocketSettings withMaxMessageSize(long maxMessageSize) {
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize,
            positive(maxMessageSize, "maxMessageSize"), masking, allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    public WebSocketSettings withMasking(boolean masking) {
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    /**
     * Only handshakes whose {@code Origin} header is one of these (compared ignoring case, e.g.
     * {@code https://example.com:8443}) are accepted; others get 403. A handshake without {@code Origin}
     * (not from a browser) is accepted. No origins means any origin.
     */
    public WebSocketSettings withAllowedOrigins(Set<String> origins) {
        Set<String> normalized = Objects.requireNonNull(origins, "origins").stream()
            .map(o -> {
                String trimmed = Objects.requireNonNull(o, "origin").trim();
                if (trimmed.isEmpty() || trimmed.endsWith("/")) {
                    throw new IllegalArgumentException("an origin is scheme://host[:port] without a path: '" + o + "'");
                }
                return trimmed.toLowerCase(java.util.Locale.ROOT);
            })
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            normalized, sameOrigin, trustedProxies, deflate);
    }

    /**
     * Also accept handshakes whose {@code Origin} is the origin the request itself was sent to (scheme, host and port
     * compared, default ports ignored), and refuse (403) other origins unless {@link #withAllowedOrigins listed}. The
     * request's origin is {@code http(s)://} plus its {@code Host} header, {@code https} when the request came over
     * TLS. Behind a reverse proxy that changes those (TLS ends at the proxy, or it sends its own {@code Host}), name
     * the proxy with {@link #withTrustedProxies}: only then are its forwarded headers believed. A handshake without
     * {@code Origin} (not a browser) is accepted.
     */
    public WebSocketSettings withSameOrigin(boolean sameOrigin) {
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    /**
     * The reverse proxies whose forwarded headers say what origin the client addressed, for
     * {@link #withSameOrigin}: IP addresses ({@code 10.0.0.7}, {@code ::1}) or CIDR blocks ({@code 10.0.0.0/8}),
     * matched against the address of the peer that sent the request (and, for RFC 7239 {@code Forwarded}, against
     * the {@code for=} of each element, so a chain of trusted proxies is walked back to the client). From a trusted
     * peer, {@code Forwarded} ({@code host=}, {@code proto=}) counts when present, else {@code X-Forwarded-Host},
     * {@code X-Forwarded-Proto} and {@code X-Forwarded-Port} (their right-most values). From any other peer these
     * headers are ignored: anyone can send them. None by default. Name only proxies that set or overwrite these
     * headers; host names are refused (no address is ever looked up).
     *
     * @throws IllegalArgumentException for an entry that is no IP address or CIDR block
     */
    public WebSocketSettings withTrustedProxies(Set<String> proxies) {
        Set<String> normalized = Objects.requireNonNull(proxies, "proxies").stream()
            .map(p -> io.upgradebridge.websockets.internal.TrustedProxies.validate(Objects.requireNonNull(p, "proxy")))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            allowedOrigins, sameOrigin, normalized, deflate);
    }

    public WebSocketSettings withDeflate(PerMessageDeflate deflate) {
        return new WebSocketSettings(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking,
            allowedOrigins, sameOrigin, trustedProxies, Objects.requireNonNull(deflate, "deflate"));
    }

    private static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }

    private static long positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    /** Equal when every setting is equal (so installing the same settings twice is no conflict). */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof WebSocketSettings)) {
            return false;
        }
        WebSocketSettings o = (WebSocketSettings) other;
        return maxFrameSize == o.maxFrameSize && maxMessageSize == o.maxMessageSize && masking == o.masking
            && pingPeriod.equals(o.pingPeriod) && timeout.equals(o.timeout) && idleTimeout.equals(o.idleTimeout)
            && allowedOrigins.equals(o.allowedOrigins) && sameOrigin == o.sameOrigin
            && trustedProxies.equals(o.trustedProxies) && deflate.equals(o.deflate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pingPeriod, timeout, idleTimeout, maxFrameSize, maxMessageSize, masking, allowedOrigins, sameOrigin, trustedProxies, deflate);
    }

    @Override
    public String toString() {
        return "WebSocketSettings{pingPeriod=" + pingPeriod + ", timeout=" + timeout + ", idleTimeout=" + idleTimeout
            + ", maxFrameSize=" + maxFrameSize + ", maxMessageSize=" + maxMessageSize + ", masking=" + masking
            + ", allowedOrigins=" + allowedOrigins + ", sameOrigin=" + sameOrigin + ", trustedProxies=" + trustedProxies
            + ", deflate=" + deflate + '}';
    }
}
