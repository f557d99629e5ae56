package io.upgradebridge.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The reading end of a byte stream: the Java form of Ktor's {@code ByteReadChannel}, the {@code input}
 * of {@code ProtocolUpgrade.upgrade}.
 *
 * <p>Nothing here blocks. Methods that may have to wait return a {@link CompletionStage}; the stage is
 * already complete when bytes are at hand, so a tight read loop costs no thread hand-off. At most one
 * read ({@link #read}, {@link #readFully} or {@link #awaitContent}) may be pending at a time; a second
 * one fails with {@link IllegalStateException}.
 *
 * <p>The channel buffers a bounded number of bytes. When the buffer is full the producer stops (for an
 * upgraded connection: the bridge stops reading the socket), so a reader that does not read holds
 * back the peer instead of filling the memory.
 *
 * <p>End of input: a normal end shows as {@code -1} from {@link #read}; an end with a cause (peer reset,
 * connection closed by the bridge) shows as a stage completed exceptionally with that cause, after the
 * bytes that were already buffered have been read.
 */
public interface ByteReadChannel {

    /**
     * Reads at least one byte and at most {@code dst.remaining()} bytes into {@code dst}.
     *
     * @return a stage completing with the number of bytes read, {@code -1} at the normal end of input,
     *     or {@code 0} when {@code dst} has no room; it completes exceptionally when the input ended with
     *     a cause. Do not touch {@code dst} until the stage is complete.
     */
    CompletionStage<Integer> read(ByteBuffer dst);

    /**
     * Reads until {@code dst} is full.
     *
     * @return a stage completing when {@code dst} is full; it fails with {@link java.io.EOFException}
     *     when the input ends first (the bytes that did arrive are in {@code dst}).
     */
    CompletionStage<Void> readFully(ByteBuffer dst);

    /**
     * Reads what is buffered now, without waiting.
     *
     * @return the number of bytes copied into {@code dst}, {@code 0} when nothing is buffered yet,
     *     {@code -1} at the normal end of input
     * @throws IOException when the input ended with a cause and nothing buffered is left
     */
    int tryRead(ByteBuffer dst) throws IOException;

    /**
     * Waits until at least one byte can be read or the input has ended.
     *
     * @return a stage completing with {@code true} when bytes can be read, {@code false} at the normal
     *     end of input; it completes exceptionally when the input ended with a cause
     */
    CompletionStage<Boolean> awaitContent();

    /** Number of bytes that can be read now without waiting. */
    int availableForRead();

    /** Whether the input has ended and every buffered byte was read (or discarded by {@link #cancel}). */
    boolean isClosedForRead();

    /** The cause the input ended with, or {@code null} while open or after a normal end. */
    Throwable closedCause();

    /**
     * Gives up reading: discards buffered bytes, fails a pending read, and tells the producer to stop.
     * For an upgraded connection this closes the connection. Does nothing once the channel is closed.
     *
     * @param cause why; {@code null} means a plain {@link java.util.concurrent.CancellationException}
     * @return whether this call cancelled the channel
     */
    boolean cancel(Throwable cause);

    /**
     * A blocking view for code that prefers {@link InputStream}: every read waits for bytes. Waiting
     * parks a virtual thread cheaply; on a platform thread it holds that thread, so use it from
     * {@code userContext}, never from {@code engineContext}.
     */
    InputStream asInputStream();

    /**
     * Copies every byte of this channel into {@code out} until this channel ends, without blocking.
     * {@code out} stays open.
     *
     * @return a stage completing with the number of bytes copied; it fails with the input's cause or
     *     the output's failure
     */
    default CompletionStage<Long> copyTo(ByteWriteChannel out) {
        return io.upgradebridge.io.internal.ChannelCopy.copy(this, out, false);
    }

    /**
     * Like {@link #copyTo}, then closes {@code out}: normally when this channel ended normally, with the
     * cause when copying failed.
     */
    default CompletionStage<Long> copyAndClose(ByteWriteChannel out) {
        return io.upgradebridge.io.internal.ChannelCopy.copy(this, out, true);
    }
}
