package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Copies a read channel to the end: into a write channel without blocking ({@link #copy}), or into a blocking
 * {@link OutputStream} on the calling thread ({@link #toStream}).
 *
 * <p>Into a channel it moves what it can, and only when it must wait does it return and let the waited-for stage
 * resume it. A stage that is already complete is handled in the loop, so the stack never grows.
 */
public final class ChannelCopy {

    private static final int CHUNK = 16 * 1024;
    /** The buffer of a copy into a stream: a servlet response writes in chunks of about this size anyway. */
    private static final int STREAM_CHUNK = 8 * 1024;

    private final ByteReadChannel in;
    private final ByteWriteChannel out;
    private final boolean closeOutput;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private long copied;

    private ChannelCopy(ByteReadChannel in, ByteWriteChannel out, boolean closeOutput) {
        this.in = in;
        this.out = out;
        this.closeOutput = closeOutput;
        buffer.flip(); // empty, ready to be drained
    }

    /** Starts copying; the stage completes with the number of bytes copied once {@code in} ends. */
    public static CompletionStage<Long> copy(ByteReadChannel in, ByteWriteChannel out, boolean closeOutput) {
        ChannelCopy copy = new ChannelCopy(in, out, closeOutput);
        copy.loop();
        return copy.done;
    }

    /**
     * Copies {@code source} to {@code out} on this thread until the source ends, waiting for bytes as they come;
     * flushes {@code out} whenever the source has nothing buffered, so a slow producer still streams. On any failure
     * the source is cancelled (its producer stops) and the failure is thrown.
     *
     * @return the number of bytes copied
     */
    public static long toStream(ByteReadChannel source, OutputStream out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(STREAM_CHUNK);
        long copied = 0;
        try {
            while (true) {
                buffer.clear();
                int count = source.tryRead(buffer);
                if (count == 0) {
                    out.flush(); // the producer is slower than the reader: let it have what there is
                    count = Await.result(source.read(buffer));
                }
                if (count < 0) {
                    return copied;
                }
                out.write(buffer.array(), 0, buffer.position());
                copied += count;
            }
        } catch (IOException | RuntimeException | Error failure) {
            source.cancel(failure);
            throw failure;
        }
    }

    private void loop() {
        try {
            while (true) {
                CompletableFuture<?> wait;
                if (buffer.hasRemaining()) {
                    int n = out.tryWrite(buffer);
                    copied += n;
                    if (buffer.hasRemaining()) {
                        wait = out.awaitFreeSpace().toCompletableFuture();
                    } else {
                        continue;
                    }
                } else {
                    buffer.clear();
                    int n = in.tryRead(buffer);
                    buffer.flip();
                    if (n > 0) {
                        continue;
                    }
                    if (n < 0) {
                        finish(null);
                        return;
                    }
                    wait = in.awaitContent().toCompletableFuture();
                }
                if (wait.isDone()) {
                    wait.join(); // throws when it failed
                    continue;
                }
                wait.whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        finish(failure);
                    } else {
                        loop();
                    }
                });
                return;
            }
        } catch (IOException | RuntimeException e) {
            finish(e);
        }
    }

    private void finish(Throwable error) {
        Throwable failure = error == null ? null : Failures.unwrap(error);
        if (failure == null) {
            if (closeOutput) {
                out.close();
            }
            done.complete(copied);
        } else {
            if (closeOutput) {
                out.close(failure);
            }
            done.completeExceptionally(failure);
        }
    }
}
