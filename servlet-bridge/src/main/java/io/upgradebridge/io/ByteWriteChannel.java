package io.upgradebridge.io;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The writing end of a byte stream: the Java form of Ktor's {@code ByteWriteChannel}, the {@code output}
 * of {@code ProtocolUpgrade.upgrade}.
 *
 * <p>Nothing here blocks. Bytes are copied into a bounded buffer; when it is full, {@link #write}
 * returns a stage that completes once the peer has taken enough bytes, so a peer that stops reading
 * makes writers wait instead of filling the memory. At most one write may be pending at a time; a
 * second one fails with {@link IllegalStateException}.
 *
 * <p>For an upgraded connection the bridge sends buffered bytes as soon as the socket can take them and
 * flushes the container's stream whenever the buffer runs dry, so {@link #flush} is only needed to learn
 * when bytes have left.
 */
public interface ByteWriteChannel {

    /**
     * Copies every remaining byte of {@code src} into the channel.
     *
     * @return a stage completing when all of {@code src} was taken (its position then equals its limit);
     *     it fails with {@link ClosedWriteChannelException} when the channel is closed. Do not touch
     *     {@code src} until the stage is complete.
     */
    CompletionStage<Void> write(ByteBuffer src);

    /**
     * Copies as many bytes of {@code src} as fit now, without waiting.
     *
     * @return the number of bytes taken, {@code 0} when the buffer is full
     * @throws ClosedWriteChannelException when the channel is closed
     */
    int tryWrite(ByteBuffer src) throws ClosedWriteChannelException;

    /**
     * @return a stage completing once every byte written before this call has been handed to the
     *     consumer (for an upgraded connection: written and flushed to the container); it fails when the
     *     channel is closed with a cause first
     */
    CompletionStage<Void> flush();

    /** @return a stage completing when at least one byte can be written without waiting. */
    CompletionStage<Void> awaitFreeSpace();

    /** Number of bytes that can be written now without waiting. */
    int availableForWrite();

    /**
     * Ends the stream normally: bytes already written are still delivered, then the reader sees the end.
     *
     * @return whether this call closed the channel
     */
    boolean close();

    /**
     * Ends the stream with a cause: buffered bytes that the reader has not taken stay readable, then the
     * reader sees {@code cause}. For an upgraded connection this aborts the connection at once.
     *
     * @return whether this call closed the channel
     */
    boolean close(Throwable cause);

    /** Whether the channel no longer accepts bytes (closed here, or cancelled by the reader). */
    boolean isClosedForWrite();

    /** The cause the channel was closed or cancelled with, or {@code null}. */
    Throwable closedCause();

    /**
     * A blocking view for code that prefers {@link OutputStream}: writes wait for space, {@code flush()}
     * waits for {@link #flush}, {@code close()} ends the stream normally. Waiting parks a virtual thread
     * cheaply; use it from {@code userContext}, never from {@code engineContext}.
     */
    OutputStream asOutputStream();
}
