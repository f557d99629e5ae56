package io.upgradebridge.websocket;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.NonBlockingUpgrade;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.internal.Handshake;
import io.upgradebridge.websocket.internal.RawWebSocketSession;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The answer that turns a request into a RAW WebSocket session: the Java form of Ktor's
 * {@code WebSocketUpgrade(call, protocol = null, handle)}. Respond with it:
 * <pre>{@code
 * ApplicationCall call = ApplicationCall.of(request);
 * call.respond(new WebSocketUpgrade(call, session -> echo(session)));
 * }</pre>
 * Before anything is upgraded the request is checked as RFC 6455 section 4.2 asks; a request that is not
 * a valid handshake gets an error status with a one-line reason (405, 400 or 426) instead.
 *
 * <p>Over HTTP/2 a browser opens a WebSocket as an extended CONNECT (RFC 8441: {@code :protocol websocket}, no
 * {@code Sec-WebSocket-Key}) where the server offers it (Jetty); the same session then runs over the HTTP/2 stream,
 * opened with {@code 200} instead of {@code 101} (see {@link #connectProtocol()}).
 *
 * <p>RAW, as the seed says: {@code handle} sees every frame and deals with pings, close frames,
 * fragmentation and timeouts itself. The session ends when {@code handle} exits (for the asynchronous
 * form: when its stage completes); frames already sent are flushed, then the server closes the TCP
 * connection. A handler that throws closes the session with 1011. Only the rules of the wire are checked
 * for it: frame syntax (1002), the frame limit (1009) and, unless {@link Options#withoutUtf8Check() turned
 * off}, text as UTF-8 (1007).
 */
public final class WebSocketUpgrade extends OutgoingContent.ProtocolUpgrade implements NonBlockingUpgrade {

    /** Largest frame payload accepted by default: 1 MiB. A bigger frame closes the session with 1009. */
    public static final long DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

    /** The asynchronous handler: runs on {@code userContext}; the session ends when its stage completes. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<?> handle(WebSocketSession session) throws Exception;
    }

    /** The blocking handler: runs on {@code userContext} (virtual threads on Java 21+); the session ends when it returns. */
    @FunctionalInterface
    public interface BlockingHandler {
        void handle(WebSocketSession session) throws Exception;
    }

    /**
     * What the session is built with beyond the handshake: the largest frame it accepts, the extensions
     * the server agreed to (answered in {@code Sec-WebSocket-Extensions}) with the reserved bits they use,
     * and whether the session checks text as UTF-8.
     * A RAW session only lets frames with those bits through; turning their payload back into data is the
     * job of whoever negotiated them (the WebSockets feature does it for permessage-deflate).
     *
     * <p><b>UTF-8 is checked by default.</b> RFC 6455 section 8.1 has an endpoint fail the connection (1007) on
     * text that is not valid UTF-8; every handler needs that, and one that forgets it silently echoes or stores
     * invalid text. The session can do it better than a handler: as the payload arrives, without a copy, so the
     * first invalid byte closes the connection with 1007 before the rest of its frame (or message) is even read,
     * where a handler only sees whole frames. The frames before the bad one reach the handler as usual, then its
     * receive fails, and the close frame goes out when it exits, as for every protocol error. Turn it off with
     * {@link #withoutUtf8Check()} only for a handler that treats text as bytes on purpose, or checks it itself with
     * {@link Utf8Validator#check(Frame)}. A compressed message (RSV1) is never checked here: only its inflated
     * bytes are text, so whoever inflates it checks them (the WebSockets feature does).
     *
     * @param maxFrameSize largest frame payload accepted on the wire; a bigger frame closes the session with 1009.
     *     A frame of a compressed message (RSV1 allowed here and set on the message's first frame) may be larger on
     *     the wire by what deflate adds to data it cannot compress (at most an eighth and a sixty-fourth, plus 64
     *     bytes), so that a frame that fits uncompressed is never refused for being compressed
     * @param extensions the accepted extensions, each as it appears in the response header, e.g.
     *     {@code permessage-deflate; server_no_context_takeover}
     * @param reservedBits the RSV bits the extensions use: {@link #RSV1}, {@link #RSV2}, {@link #RSV3}, or'ed
     * @param checkUtf8 whether the session checks text messages as UTF-8 as they arrive (1007 on the first invalid
     *     byte, or at the end of a message inside a character)
     */
    public record Options(long maxFrameSize, List<String> extensions, int reservedBits, boolean checkUtf8) {

        /** 1 MiB frames, no extensions, text checked as UTF-8. */
        public static final Options DEFAULT = new Options(DEFAULT_MAX_FRAME_SIZE, List.of(), 0);

        /** Options with text checked as UTF-8. */
        public Options(long maxFrameSize, List<String> extensions, int reservedBits) {
            this(maxFrameSize, extensions, reservedBits, true);
        }

        /** These options with another frame limit. */
        public Options withMaxFrameSize(long maxFrameSize) {
            return new Options(maxFrameSize, extensions, reservedBits, checkUtf8);
        }

        /** These options without the session's UTF-8 check: the handler checks text itself, or does not need it. */
        public Options withoutUtf8Check() {
            return new Options(maxFrameSize, extensions, reservedBits, false);
        }

        public Options {
            if (maxFrameSize <= 0) {
                throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
            }
            extensions = List.copyOf(extensions);
            if ((reservedBits & ~(RSV1 | RSV2 | RSV3)) != 0) {
                throw new IllegalArgumentException("reservedBits may only combine RSV1, RSV2 and RSV3: 0x"
                    + Integer.toHexString(reservedBits));
            }
        }
    }

    /** Reserved bit 1 (permessage-deflate's "compressed" bit), for {@link Options#reservedBits()}. */
    public static final int RSV1 = io.upgradebridge.websocket.internal.FrameParser.RSV1;
    /** Reserved bit 2, for {@link Options#reservedBits()}. */
    public static final int RSV2 = io.upgradebridge.websocket.internal.FrameParser.RSV2;
    /** Reserved bit 3, for {@link Options#reservedBits()}. */
    public static final int RSV3 = io.upgradebridge.websocket.internal.FrameParser.RSV3;

    private final ApplicationCall call;
    private final String protocol;
    private final Handler handle;
    /** The blocking handler of {@link #blocking}, or {@code null}: it runs on {@code userContext} itself. */
    private final BlockingHandler blockingHandle;
    private final Options options;
    private volatile Headers headers;

    /** A session without a subprotocol. */
    public WebSocketUpgrade(ApplicationCall call, Handler handle) {
        this(call, null, handle);
    }

    /**
     * @param call the call that starts the session
     * @param protocol the subprotocol chosen by the server among those the client offered, or {@code null}
     * @param handle the session handler
     */
    public WebSocketUpgrade(ApplicationCall call, String protocol, Handler handle) {
        this(call, protocol, Options.DEFAULT, handle);
    }

    /**
     * A session with its own frame limit and negotiated extensions.
     *
     * @param options the frame limit and the extensions agreed with the client
     */
    public WebSocketUpgrade(ApplicationCall call, String protocol, Options options, Handler handle) {
        this(call, protocol, options, Objects.requireNonNull(handle, "handle"), null);
    }

    private WebSocketUpgrade(ApplicationCall call, String protocol, Options options, Handler handle, BlockingHandler blocking) {
        this.call = Objects.requireNonNull(call, "call");
        this.protocol = protocol;
        this.options = Objects.requireNonNull(options, "options");
        this.handle = handle;
        this.blockingHandle = blocking;
    }

    /** A session whose handler blocks (reads with {@code incoming().take()}, waits on sends). */
    public static WebSocketUpgrade blocking(ApplicationCall call, String protocol, BlockingHandler handle) {
        return blocking(call, protocol, Options.DEFAULT, handle);
    }

    /** A session whose handler blocks, with its own frame limit, extensions or UTF-8 check. */
    public static WebSocketUpgrade blocking(ApplicationCall call, String protocol, Options options, BlockingHandler handle) {
        Objects.requireNonNull(handle, "handle");
        Handler onCallersThread = session -> {
            handle.handle(session);
            return null;
        };
        return new WebSocketUpgrade(call, protocol, options, onCallersThread, handle);
    }

    /** The call that is starting the session. */
    public ApplicationCall call() {
        return call;
    }

    /** The negotiated subprotocol, or {@code null}. */
    public String protocol() {
        return protocol;
    }

    /** The frame limit and the negotiated extensions. */
    public Options options() {
        return options;
    }

    /**
     * The session handler. For a {@link #blocking} upgrade it runs the blocking handler on the calling thread (the
     * session itself runs it on {@code userContext}).
     */
    public Handler handle() {
        return handle;
    }

    /**
     * {@code Upgrade: websocket}, {@code Connection: Upgrade}, {@code Sec-WebSocket-Accept}; with a protocol
     * {@code Sec-WebSocket-Protocol}, with extensions {@code Sec-WebSocket-Extensions}.
     */
    @Override
    public Headers headers() {
        Headers h = headers;
        if (h == null) {
            h = Handshake.responseHeaders(call, protocol, options.extensions());
            headers = h;
        }
        return h;
    }

    /** {@code websocket}: the {@code :protocol} of RFC 8441's extended CONNECT. */
    @Override
    public String connectProtocol() {
        return Handshake.CONNECT_PROTOCOL;
    }

    /**
     * The handshake checks of RFC 6455 section 4.2 (RFC 8441 section 5 for an HTTP/2 extended CONNECT); {@code null}
     * when the request may be upgraded.
     */
    @Override
    public OutgoingContent refusal(ApplicationCall requestCall) {
        return Handshake.refusal(requestCall, protocol);
    }

    @Override
    public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
        RawWebSocketSession session = new RawWebSocketSession(call, input, output, engineContext, userContext, options);
        return blockingHandle != null ? session.startBlocking(blockingHandle) : session.start(handle);
    }

    @Override
    public String toString() {
        return "WebSocketUpgrade{" + call + (protocol != null ? ", protocol=" + protocol : "") + '}';
    }
}
