package io.upgradebridge.websocket;

import io.upgradebridge.servlet.ApplicationCall;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A RAW WebSocket session, as Ktor's {@code WebSocketSession}: the handler sees every frame the peer
 * sends, pings and close frames included, and answers them itself. The bridge does nothing behind the
 * handler's back except closing on protocol errors (1002, 1009) and, unless the upgrade's options turn it off,
 * on text that is not UTF-8 (1007, see {@link WebSocketUpgrade.Options}). The session ends when the handler
 * exits: frames already sent are flushed, then the server closes the TCP connection.
 */
public interface WebSocketSession {

    /** The call that started this session; its request facts were copied before the upgrade. */
    ApplicationCall call();

    /** Frames from the peer. */
    IncomingFrames incoming();

    /** Frames to the peer. */
    OutgoingFrames outgoing();

    /** Same as {@code outgoing().send(frame)}. */
    CompletionStage<Void> send(Frame frame);

    /** Completes once every frame sent before has been written to the socket. */
    CompletionStage<Void> flush();

    /**
     * Sends a close frame with {@code reason} and flushes. Raw semantics: the session does not wait for
     * the peer's close frame; a handler that wants the full close handshake receives it itself.
     */
    CompletionStage<Void> close(CloseReason reason);

    /** Ends the session at once: no close frame, the TCP connection is closed, pending sends fail. */
    void terminate();

    /**
     * Largest frame payload accepted from the peer on the wire; a bigger frame closes the session with 1009. A frame of
     * a compressed message may be a little larger (see {@link WebSocketUpgrade.Options#maxFrameSize()}).
     */
    long maxFrameSize();

    /** Changes {@link #maxFrameSize()} for frames not yet started. */
    void maxFrameSize(long maxFrameSize);

    /** Whether frames sent by this side are masked (a server does not mask: {@code false}). */
    boolean masking();

    /** Masks frames sent by this side from now on, or stops masking them (only meaningful for tests of client behaviour). */
    void masking(boolean masking);

    /** Extensions negotiated for this session: empty until an extension is negotiated. */
    List<String> extensions();
}
