package io.upgradebridge.websocket;

import java.util.concurrent.CompletionStage;

/**
 * Frames to the peer, in order: the Java form of Ktor's {@code outgoing: SendChannel<Frame>}. Frames are
 * encoded into the connection's bounded output buffer; when it is full, {@link #send} waits until the
 * peer has taken bytes, so a slow peer slows the sender down instead of filling the memory.
 */
public interface OutgoingFrames {

    /**
     * Queues {@code frame}.
     *
     * @return a stage completing when the frame is in the output buffer; it fails with
     *     {@link ClosedSendException} once the session has ended
     */
    CompletionStage<Void> send(Frame frame);

    /** Whether frames can no longer be sent. */
    boolean isClosedForSend();
}
