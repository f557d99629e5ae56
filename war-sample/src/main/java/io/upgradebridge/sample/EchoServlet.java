package io.upgradebridge.sample;

import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /echo}: a WebSocket echo on the RAW session, the reference example of a correct raw handler.
 *
 * <p>A raw session hides nothing: the handler sees every frame the peer sends, pings and close frames
 * included, and must answer them itself. This one
 * <ul>
 *   <li>answers every ping with a pong carrying the same payload;</li>
 *   <li>echoes text, binary and continuation frames one by one, with the same type and {@code fin} bit, so a
 *       fragmented message comes back fragmented the same way (and is never held in memory whole);</li>
 *   <li>completes the close handshake: on the peer's close frame it sends a close frame with the peer's code
 *       back, then ends the session (the bridge then closes the TCP connection).</li>
 * </ul>
 * What the wire's rules forbid never reaches it: the session fails the connection itself on a malformed frame
 * (1002), a frame over the limit (1009) and text that is not UTF-8 (1007: {@code Options.DEFAULT} checks text as the
 * bytes arrive, across fragments, without a copy; see {@link io.upgradebridge.websocket.Utf8Validator} for a handler
 * that turns that off and checks frames itself). The handler then sees its receive end, and the close frame with that
 * code goes out once it returned.
 *
 * <p>It is asynchronous: no thread waits for a session. Each step waits for the previous send to be in the
 * output buffer before it asks for the next frame, so a peer that does not read stops this handler from
 * reading, and memory stays bounded both ways. (The same logic as a blocking loop is in the README.)
 *
 * <p>Registered by {@code WEB-INF/web.xml} in the default WAR and by the annotation below in the
 * {@code annotations} WAR (the web.xml WAR is {@code metadata-complete}, so it ignores the annotation).
 */
@WebServlet(urlPatterns = "/echo", asyncSupported = true)
public class EchoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        // No subprotocol (null). WebSocketUpgrade checks the handshake first and answers a bad one with
        // 400/405/426 itself; the handler only runs for a good one. Options.DEFAULT: frames up to 1 MiB, text
        // checked as UTF-8 as it arrives (1007 on the first invalid byte, before it reaches answer()).
        call.respond(new WebSocketUpgrade(call, null, WebSocketUpgrade.Options.DEFAULT, session -> new Echo(session).start()));
    }

    /**
     * One session's echo. {@code incoming().forEach} receives the next frame only once the answer to this
     * one is in the output buffer, so a peer that does not read stops this handler from reading, and
     * memory stays bounded both ways; no thread waits for a session, and the stack stays flat. The
     * session ends when the returned stage completes.
     */
    static final class Echo {

        private final WebSocketSession session;

        Echo(WebSocketSession session) {
            this.session = session;
        }

        CompletionStage<Void> start() {
            // ends normally when the peer goes away without a close handshake: nothing to answer then;
            // a failure ends it exceptionally, and the bridge closes with 1011
            return session.incoming().forEach(this::answer);
        }

        /**
         * Answers one frame.
         *
         * @return a stage that completes with {@code true} when the answer is sent and the next frame can be
         *     received, or {@code false} when the session is over
         */
        private CompletionStage<Boolean> answer(Frame frame) {
            switch (frame.type()) {
                case PING:
                    // RFC 6455 5.5.3: a pong with the ping's application data, as soon as possible
                    return session.send(Frame.pong(frame.data())).thenApply(sent -> true);
                case PONG:
                    // unsolicited pongs need no answer
                    return CompletableFuture.completedFuture(true);
                case CLOSE:
                    // RFC 6455 5.5.1: answer a close frame with a close frame, echoing the peer's status code.
                    // A close frame without a code is answered with 1000 (the bridge never puts 1005 on the wire).
                    CloseReason reason = frame.closeReason();
                    if (reason == null) {
                        reason = new CloseReason(CloseReason.Codes.NORMAL, "");
                    }
                    return session.close(reason).thenApply(sent -> false);
                default:
                    // TEXT, BINARY, CONTINUATION: the same frame back (a server does not mask; no extensions,
                    // so no RSV bits). Echoing frame by frame keeps fragmented messages fragmented.
                    return session.send(new Frame(frame.type(), frame.fin(), false, false, false, frame.data()))
                        .thenApply(sent -> true);
            }
        }
    }
}
