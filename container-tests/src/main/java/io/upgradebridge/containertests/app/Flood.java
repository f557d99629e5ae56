package io.upgradebridge.containertests.app;

import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code flood} mode: writes a counting byte pattern as fast as the channel takes it, forever,
 * recording how many bytes the output accepted and whether a write is waiting. Non-blocking.
 */
final class Flood {

    private final ByteWriteChannel output;
    private final ConnectionStats stats;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ByteBuffer chunk = ByteBuffer.allocate(8192);
    private long next;

    Flood(ByteWriteChannel output, ConnectionStats stats) {
        this.output = output;
        this.stats = stats;
    }

    Job start() {
        loop();
        return Job.of(done);
    }

    private void loop() {
        while (!done.isDone()) {
            if (!chunk.hasRemaining() || chunk.position() == 0) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.put((byte) next++);
                }
                chunk.flip();
            }
            int before = chunk.remaining();
            stats.writePending = true;
            CompletableFuture<Void> write = output.write(chunk).toCompletableFuture();
            if (!write.isDone()) {
                write.whenComplete((v, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                        return;
                    }
                    stats.bytesAccepted.addAndGet(before);
                    stats.writePending = false;
                    chunk.position(chunk.limit());
                    loop();
                });
                return;
            }
            if (write.isCompletedExceptionally()) {
                write.whenComplete((v, e) -> done.completeExceptionally(e));
                return;
            }
            stats.bytesAccepted.addAndGet(before);
            stats.writePending = false;
        }
    }
}
