package io.upgradebridge.websocket;

import java.util.concurrent.CompletionStage;

/**
 * The frames a peer sent, in order: the Java form of Ktor's {@code incoming: ReceiveChannel<Frame>}.
 * Bounded: while nobody receives, the session stops reading the socket, which holds the peer back.
 *
 * <p>When the peer goes away (with or without a close frame) or the session ends, the frames already
 * received can still be taken; after them {@link #receive()} fails with a
 * {@link ClosedReceiveException} whose cause says why.
 */
public interface IncomingFrames {

    /** The next frame; completes at once when one is waiting. One receive may be pending at a time. */
    CompletionStage<Frame> receive();

    /** The next frame if one is waiting, else {@code null}. Throws {@link ClosedReceiveException} at the end. */
    Frame poll() throws ClosedReceiveException;

    /**
     * Waits for the next frame: for blocking handlers (cheap on virtual threads).
     *
     * @throws ClosedReceiveException when no frame will come any more
     * @throws InterruptedException when the waiting thread is interrupted
     */
    Frame take() throws ClosedReceiveException, InterruptedException;

    /** Whether no frame will come any more and none is waiting. */
    boolean isClosedForReceive();
}
