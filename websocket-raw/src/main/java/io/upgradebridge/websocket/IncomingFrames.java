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

    /**
     * Hands every frame to {@code handler}, in order, without blocking a thread and without growing the
     * stack: the asynchronous form of {@code while ((frame = take()) != null)}. The next frame is received
     * only when the handler's stage for this one completes, so a handler that returns its {@code send}
     * stages keeps a slow peer from piling up frames (backpressure both ways).
     *
     * @return a stage completing normally when a handler stage completed with {@code false} or no frame
     *     will come any more (the peer went away, the session ended), and exceptionally when the handler
     *     threw or its stage failed
     */
    default CompletionStage<Void> forEach(FrameHandler handler) {
        return io.upgradebridge.websocket.internal.ReceiveLoop.run(
            io.upgradebridge.websocket.internal.Receiving.of(this::receive), handler::handle);
    }

    /** Handles one frame for {@link #forEach}. */
    @FunctionalInterface
    interface FrameHandler {
        /** @return a stage completing with whether to go on with the next frame ({@code null} means go on) */
        CompletionStage<Boolean> handle(Frame frame) throws Exception;
    }
}
