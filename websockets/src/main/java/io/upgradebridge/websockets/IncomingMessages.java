package io.upgradebridge.websockets;

import io.upgradebridge.websocket.ClosedReceiveException;

import java.util.concurrent.CompletionStage;

/**
 * The peer's messages, whole, in order. Bounded like the raw session's frames: while nobody receives, the
 * session stops reading the socket. After the session closed, the messages already received can still be
 * taken; then {@link #receive()} fails with {@link ClosedReceiveException} (its cause says why).
 */
public interface IncomingMessages {

    /** The next message; completes at once when one is waiting. One receive may be pending at a time. */
    CompletionStage<Message> receive();

    /** The next message if one is waiting, else {@code null}. */
    Message poll() throws ClosedReceiveException;

    /** Waits for the next message: for blocking handlers (cheap on virtual threads). */
    Message take() throws ClosedReceiveException, InterruptedException;

    /** Whether no message will come any more and none is waiting. */
    boolean isClosedForReceive();

    /**
     * Hands every message to {@code handler}, in order, without blocking a thread; the next one is received
     * once the handler's stage completes.
     *
     * @return completes normally when the handler's stage said {@code false} or no message will come any
     *     more, exceptionally when the handler failed
     */
    CompletionStage<Void> forEach(MessageHandler handler);

    /** Handles one message for {@link #forEach}. */
    @FunctionalInterface
    interface MessageHandler {
        /** @return whether to go on ({@code null} means go on) */
        CompletionStage<Boolean> handle(Message message) throws Exception;
    }
}
