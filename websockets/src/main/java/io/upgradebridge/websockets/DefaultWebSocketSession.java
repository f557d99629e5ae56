package io.upgradebridge.websockets;

import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The session a {@code webSocket(path, ...)} route hands to its handler: Ktor's
 * {@code DefaultWebSocketSession}. Unlike the RAW session, it does the protocol work itself:
 * <ul>
 *   <li>answers pings, pings the peer every {@link WebSocketSettings#pingPeriod()}, and drops a peer whose
 *       pong does not come within {@link WebSocketSettings#timeout()} (close reason 1006, "ping timeout");</li>
 *   <li>closes with 1001 a peer that sent nothing for {@link WebSocketSettings#idleTimeout()};</li>
 *   <li>answers the peer's close with the same code; {@link #close} waits for the peer's close up to the
 *       timeout; then the server closes TCP;</li>
 *   <li>puts fragmented messages back together up to {@link WebSocketSettings#maxMessageSize()} (1009
 *       beyond), checks text as UTF-8 as it arrives, failing on the first invalid byte (1007), and rejects
 *       protocol errors (1002);</li>
 *   <li>compresses and decompresses with permessage-deflate when negotiated.</li>
 * </ul>
 * The handler reads either whole messages ({@link #incoming()}) or data frames ({@link #frames()}), not
 * both: the first of the two it calls decides. Everything is non-blocking and bounded as in the RAW session.
 */
public interface DefaultWebSocketSession {

    /** The call that started the session: URI, headers, principal. */
    ApplicationCall call();

    /** The negotiated subprotocol, or {@code null}. */
    String protocol();

    /** The negotiated extensions as answered to the client, e.g. {@code permessage-deflate}. */
    List<String> extensions();

    /** The settings this session runs with (the application's, with the route's overrides). */
    WebSocketSettings settings();

    /** Whole messages from the peer. */
    IncomingMessages incoming();

    /**
     * Data frames from the peer (text, binary, continuation) as they arrive: decompressed, text checked
     * as UTF-8; control frames never appear here, the session answers them.
     */
    IncomingFrames frames();

    /** Sends a whole message (compressed when negotiated and large enough). Completes when it is in the output buffer. */
    CompletionStage<Void> send(Message message);

    /** Sends a text message. */
    default CompletionStage<Void> sendText(String text) {
        return send(Message.text(text));
    }

    /** Sends a binary message of {@code data}'s remaining bytes. */
    default CompletionStage<Void> sendBinary(ByteBuffer data) {
        return send(Message.binary(data));
    }

    /**
     * Sends one data frame (text, binary or continuation) of a message the handler fragments itself, or a
     * ping. Close frames go through {@link #close}; pongs are the session's job.
     */
    CompletionStage<Void> sendFrame(Frame frame);

    /** Completes when everything sent so far has been written to the socket. */
    CompletionStage<Void> flush();

    /**
     * Starts the close handshake with {@code reason}; completes when the session is closed: the peer
     * answered, or it did not within the timeout and the connection was dropped.
     */
    CompletionStage<CloseReason> close(CloseReason reason);

    /**
     * Completes with why the session ended: the peer's close reason, ours, or 1006 (no close frame, with a
     * reason saying what happened) when the connection was dropped.
     */
    CompletionStage<CloseReason> closeReason();

    /** Drops the connection at once, without a close handshake. */
    void terminate();
}
