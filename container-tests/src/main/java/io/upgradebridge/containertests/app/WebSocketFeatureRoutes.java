package io.upgradebridge.containertests.app;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.PerMessageDeflate;
import io.upgradebridge.websockets.WebSocketSettings;
import io.upgradebridge.websockets.WebSockets;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The WebSockets feature routes of the container tests, installed while the application starts (register it with
 * the launcher's {@code listeners} key): every route under {@code /wsf/} echoes unless said otherwise.
 * <ul>
 *   <li>{@code /wsf/echo}: the default settings;</li>
 *   <li>{@code /wsf/ping-timeout}: pings every 200 ms, drops a peer whose pong is 300 ms late;</li>
 *   <li>{@code /wsf/idle}: no pings, closes (1001) a peer quiet for 300 ms;</li>
 *   <li>{@code /wsf/origin}: only {@value #ALLOWED_ORIGIN} (or no {@code Origin}) may connect;</li>
 *   <li>{@code /wsf/max-message}: messages up to {@value #MAX_MESSAGE} bytes; {@code /wsf/max-frame}: frames up to
 *       {@value #MAX_FRAME} bytes;</li>
 *   <li>{@code /wsf/masked}: the server masks its frames;</li>
 *   <li>{@code /wsf/frames}: echoes data frame by frame ({@code frames()}), logs {@code closeReason()};
 *       {@code /wsf/not-reading}: reads nothing for 5 s, then ends (its close waits 300 ms for the answer);</li>
 *   <li>{@code /wsf/deflate-max-message}: permessage-deflate with messages up to {@value #MAX_MESSAGE} bytes inflated;</li>
 *   <li>{@code /wsf/deflate}: permessage-deflate; {@code /wsf/deflate-no-context}: the same with
 *       {@code server_no_context_takeover};</li>
 *   <li>{@code /wsf/fail}: the handler throws after the first message; {@code /wsf/throw}: it throws at once;</li>
 *   <li>{@code /wsf/close-4000}: after the first message the handler closes with 4000 {@value #HANDLER_CLOSE_REASON};
 *       its close waits 300 ms for the peer's;</li>
 *   <li>{@code /wsf/proto}: two routes, subprotocols {@code chat} and {@code superchat}, each answering
 *       {@code <protocol>:<text>}.</li>
 * </ul>
 */
public final class WebSocketFeatureRoutes implements ServletContextListener {

    /** The one origin {@code /wsf/origin} accepts. */
    public static final String ALLOWED_ORIGIN = "http://allowed.example";
    public static final int MAX_MESSAGE = 64 * 1024;
    public static final int MAX_FRAME = 1024;
    public static final String HANDLER_CLOSE_REASON = "closed by the handler";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Duration shortTime = Duration.ofMillis(300);
        WebSockets.install(event.getServletContext(), WebSocketSettings.defaults())
            .webSocket("/wsf/echo", WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/ping-timeout", null,
                s -> s.withPingPeriod(Duration.ofMillis(200)).withTimeout(shortTime), WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/idle", null, s -> s.withPingPeriod(Duration.ZERO).withIdleTimeout(shortTime),
                WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/origin", null, s -> s.withAllowedOrigins(Set.of(ALLOWED_ORIGIN)),
                WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/max-message", null, s -> s.withMaxMessageSize(MAX_MESSAGE), WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/max-frame", null, s -> s.withMaxFrameSize(MAX_FRAME), WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/masked", null, s -> s.withMasking(true), WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/deflate", null, s -> s.withDeflate(PerMessageDeflate.ENABLED), WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/deflate-max-message", null, s -> s.withDeflate(PerMessageDeflate.ENABLED).withMaxMessageSize(MAX_MESSAGE),
                WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/deflate-no-context", null,
                s -> s.withDeflate(PerMessageDeflate.ENABLED.withServerNoContextTakeover(true)),
                WebSocketFeatureRoutes::echo)
            .webSocket("/wsf/fail", session -> {
                session.incoming().take();
                throw new IllegalStateException("the handler failed on purpose");
            })
            .webSocket("/wsf/throw", session -> {
                throw new IllegalStateException("the handler failed on purpose, at once");
            })
            .webSocket("/wsf/close-4000", null, s -> s.withTimeout(shortTime), session -> session.incoming().receive()
                .thenCompose(first -> session.close(new CloseReason(4000, HANDLER_CLOSE_REASON))))
            .webSocket("/wsf/frames", WebSocketFeatureRoutes::frameEcho)
            .webSocket("/wsf/not-reading", null, s -> s.withTimeout(shortTime), session -> new java.util.concurrent.CompletableFuture<Void>()
                .completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS)) // reads nothing, ends after 5 s
            .webSocket("/wsf/proto", "chat", WebSocketFeatureRoutes::prefixedEcho)
            .webSocket("/wsf/proto", "superchat", WebSocketFeatureRoutes::prefixedEcho);
    }

    /** Sends every message back as it came; completes when the peer closed. */
    static CompletionStage<Void> echo(DefaultWebSocketSession session) {
        return session.incoming().forEach(message -> session.send(message).thenApply(sent -> true));
    }

    /** Logged when a {@code /wsf/frames} session ends, followed by its close reason. */
    public static final String CLOSE_REASON_LOG = "frames session ended: ";
    private static final System.Logger LOG = System.getLogger(WebSocketFeatureRoutes.class.getName());

    /**
     * Sends every data frame back as it came (fragments stay fragments), asking for frames rather than messages;
     * logs the session's {@code closeReason()} when it ends.
     */
    private static CompletionStage<Void> frameEcho(DefaultWebSocketSession session) {
        session.closeReason().thenAccept(reason -> LOG.log(System.Logger.Level.INFO,
            CLOSE_REASON_LOG + reason.code() + " " + reason.message()));
        return session.frames().forEach(frame -> session.sendFrame(frame.copy()).thenApply(sent -> true));
    }

    /** Answers every text message with {@code <negotiated protocol>:<text>}. */
    private static CompletionStage<Void> prefixedEcho(DefaultWebSocketSession session) {
        return session.incoming().forEach(message -> session.send(Message.text(session.protocol() + ":" + message.text()))
            .thenApply(sent -> true));
    }
}
