package io.upgradebridge.io;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteChannelTest {

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static <T> T now(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertTrue(f.isDone(), "the stage should already be complete");
        return f.join();
    }

    private static Throwable failure(CompletionStage<?> stage) throws InterruptedException {
        try {
            stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the stage did not complete", e);
        }
        throw new AssertionError("the stage completed normally");
    }

    @Test
    void bytesWrittenAreReadInOrderAcrossWrapAndGrowth() throws IOException {
        ByteChannel channel = ByteChannel.create(10_000);
        byte[] data = bytes(50_000, 1);
        ByteArrayCollector out = new ByteArrayCollector();
        int written = 0;
        Random random = new Random(2);
        while (written < data.length || channel.availableForRead() > 0) {
            int chunk = Math.min(data.length - written, 1 + random.nextInt(3_000));
            if (chunk > 0) {
                ByteBuffer src = ByteBuffer.wrap(data, written, chunk);
                written += channel.tryWrite(src);
            }
            ByteBuffer dst = ByteBuffer.allocate(1 + random.nextInt(2_500));
            int n = channel.tryRead(dst);
            out.add(dst.array(), n);
        }
        assertArrayEquals(data, out.toArray());
    }

    @Test
    void tryWriteStopsAtCapacityAndWriteWaitsForRoom() throws Exception {
        ByteChannel channel = ByteChannel.create(1024);
        ByteBuffer src = ByteBuffer.wrap(bytes(3000, 3));
        assertEquals(1024, channel.tryWrite(src));
        assertEquals(0, channel.availableForWrite());
        CompletableFuture<Void> pending = channel.write(src).toCompletableFuture();
        assertFalse(pending.isDone(), "a write into a full channel must wait");
        ByteBuffer dst = ByteBuffer.allocate(4096);
        assertEquals(1024, channel.tryRead(dst));
        assertFalse(pending.isDone(), "976 bytes are still left after the first 1024 moved in");
        assertEquals(1024, channel.tryRead(dst));
        pending.get(5, TimeUnit.SECONDS);
        assertEquals(3000 - 2048, channel.availableForRead());
        assertFalse(src.hasRemaining());
    }

    @Test
    void readWaitsForBytesThenCompletesWithWhatArrived() throws Exception {
        ByteChannel channel = ByteChannel.create(64);
        ByteBuffer dst = ByteBuffer.allocate(10);
        CompletableFuture<Integer> read = channel.read(dst).toCompletableFuture();
        assertFalse(read.isDone());
        channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertEquals(3, read.get(5, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(dst.array(), 3));
    }

    @Test
    void secondPendingReadIsRefused() {
        ByteChannel channel = ByteChannel.create(64);
        channel.read(ByteBuffer.allocate(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> channel.read(ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains("already pending"), e.getMessage());
    }

    @Test
    void normalCloseDeliversBufferedBytesThenEnd() throws Exception {
        ByteChannel channel = ByteChannel.create(64);
        channel.write(ByteBuffer.wrap(new byte[] {7, 8}));
        assertTrue(channel.close());
        assertFalse(channel.close(), "a second close reports that it did nothing");
        assertFalse(channel.isClosedForRead(), "two bytes are still buffered");
        ByteBuffer dst = ByteBuffer.allocate(10);
        assertEquals(2, now(channel.read(dst)));
        assertEquals(-1, now(channel.read(dst)));
        assertEquals(-1, channel.tryRead(dst));
        assertFalse(now(channel.awaitContent()));
        assertTrue(channel.isClosedForRead());
        assertInstanceOf(ClosedWriteChannelException.class, failure(channel.write(ByteBuffer.wrap(new byte[1]))));
    }

    @Test
    void closeWithCauseDeliversBufferedBytesThenTheCause() throws Exception {
        ByteChannel channel = ByteChannel.create(64);
        channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        IOException reset = new IOException("connection reset");
        channel.close(reset);
        ByteBuffer dst = ByteBuffer.allocate(2);
        assertEquals(2, now(channel.read(dst)));
        dst.clear();
        assertEquals(1, now(channel.read(dst)));
        assertSame(reset, failure(channel.read(ByteBuffer.allocate(1))));
        IOException thrown = assertThrows(IOException.class, () -> channel.tryRead(ByteBuffer.allocate(1)));
        assertSame(reset, thrown);
        assertSame(reset, channel.closedCause());
    }

    @Test
    void pendingReadFailsWhenClosedWithCause() throws Exception {
        ByteChannel channel = ByteChannel.create(64);
        CompletionStage<Integer> read = channel.read(ByteBuffer.allocate(4));
        IOException reset = new IOException("reset");
        channel.close(reset);
        assertSame(reset, failure(read));
    }

    @Test
    void readFullyFailsWithEofWhenInputEndsEarly() throws Exception {
        ByteChannel channel = ByteChannel.create(64);
        ByteBuffer dst = ByteBuffer.allocate(8);
        CompletionStage<Void> full = channel.readFully(dst);
        channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        assertFalse(full.toCompletableFuture().isDone());
        channel.close();
        Throwable e = failure(full);
        assertInstanceOf(EOFException.class, e);
        assertTrue(e.getMessage().contains("5 bytes"), e.getMessage());
        assertEquals(5, dst.position(), "the bytes that arrived are in the buffer");
    }

    @Test
    void readFullyCompletesAcrossSeveralWrites() throws Exception {
        ByteChannel channel = ByteChannel.create(4);
        ByteBuffer dst = ByteBuffer.allocate(10);
        CompletionStage<Void> full = channel.readFully(dst);
        CompletionStage<Void> write = channel.write(ByteBuffer.wrap(bytes(10, 9)));
        full.toCompletableFuture().get(5, TimeUnit.SECONDS);
        write.toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertArrayEquals(bytes(10, 9), dst.array());
    }

    @Test
    void cancelDiscardsAndFailsTheWriter() throws Exception {
        ByteChannel channel = ByteChannel.create(4);
        CompletionStage<Void> write = channel.write(ByteBuffer.wrap(new byte[10]));
        assertTrue(channel.cancel(null));
        assertInstanceOf(ClosedWriteChannelException.class, failure(write));
        assertTrue(channel.isClosedForRead());
        assertTrue(channel.isClosedForWrite());
        assertInstanceOf(CancellationException.class, channel.closedCause());
        assertFalse(channel.cancel(null), "cancelling twice does nothing");
        assertThrows(ClosedWriteChannelException.class, () -> channel.tryWrite(ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void awaitFreeSpaceWaitsUntilTheReaderTakesBytes() throws Exception {
        ByteChannel channel = ByteChannel.create(2);
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1, 2}));
        CompletableFuture<Void> space = channel.awaitFreeSpace().toCompletableFuture();
        assertFalse(space.isDone());
        channel.tryRead(ByteBuffer.allocate(1));
        space.get(5, TimeUnit.SECONDS);
    }

    @Test
    void awaitContentCompletesWhenBytesArriveOrFailsWithCause() throws Exception {
        ByteChannel channel = ByteChannel.create(8);
        CompletableFuture<Boolean> await = channel.awaitContent().toCompletableFuture();
        assertFalse(await.isDone());
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(await.get(5, TimeUnit.SECONDS));
        channel.tryRead(ByteBuffer.allocate(1));
        CompletionStage<Boolean> second = channel.awaitContent();
        IOException cause = new IOException("gone");
        channel.close(cause);
        assertSame(cause, failure(second));
    }

    @Test
    void inMemoryFlushCompletesAtOnce() throws Exception {
        ByteChannel channel = ByteChannel.create(8);
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(channel.flush().toCompletableFuture().isDone());
    }

    @Test
    void waitersCompleteOnTheGivenExecutor() throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();
        ByteChannel channel = ByteChannel.create(8, task -> new Thread(() -> {
            thread.complete(Thread.currentThread().getName());
            task.run();
        }, "completer").start());
        CompletableFuture<Integer> read = channel.read(ByteBuffer.allocate(1)).toCompletableFuture();
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        assertEquals(1, read.get(5, TimeUnit.SECONDS));
        assertEquals("completer", thread.get(5, TimeUnit.SECONDS));
    }

    @Test
    void blockingViewsMoveEightMegabytesBetweenThreadsIntact() throws Exception {
        ByteChannel channel = ByteChannel.create(4096);
        byte[] data = bytes(8 * 1024 * 1024, 4);
        Thread writer = new Thread(() -> {
            try (OutputStream out = channel.asOutputStream()) {
                Random random = new Random(5);
                int off = 0;
                while (off < data.length) {
                    int n = Math.min(data.length - off, 1 + random.nextInt(20_000));
                    out.write(data, off, n);
                    off += n;
                }
                out.flush();
            } catch (IOException e) {
                channel.close(e);
            }
        });
        writer.start();
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = channel.asInputStream()) {
            byte[] buf = new byte[7000];
            int n;
            while ((n = in.read(buf)) >= 0) {
                digest.update(buf, 0, n);
                total += n;
            }
        }
        writer.join(10_000);
        assertEquals(data.length, total);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.digest());
    }

    @Test
    void blockingReadThrowsTheCause() {
        ByteChannel channel = ByteChannel.create(8);
        IOException cause = new IOException("peer reset");
        new Thread(() -> channel.close(cause)).start();
        IOException e = assertThrows(IOException.class, () -> channel.asInputStream().read(new byte[4]));
        assertSame(cause, e);
    }

    @Test
    void capacityMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteChannel.create(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    /** Collects bytes into one array. */
    private static final class ByteArrayCollector {
        private byte[] data = new byte[0];

        void add(byte[] b, int n) {
            if (n <= 0) {
                return;
            }
            int old = data.length;
            data = Arrays.copyOf(data, old + n);
            System.arraycopy(b, 0, data, old, n);
        }

        byte[] toArray() {
            return data;
        }
    }

    @Test
    void joinOfFailedJobThrows() {
        Job job = Job.launch(Runnable::run, () -> {
            throw new IllegalStateException("boom");
        });
        CompletionException e = assertThrows(CompletionException.class, job::join);
        assertEquals("boom", e.getCause().getMessage());
        assertFalse(job.isCancelled());
    }

    @Test
    void copyAndCloseMovesEverythingThroughSmallBuffersWithoutGrowingTheStack() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            ByteChannel source = ByteChannel.create(512, pool);
            ByteChannel sink = ByteChannel.create(300, pool);
            byte[] data = bytes(3 * 1024 * 1024, 11);
            CompletionStage<Long> copy = source.copyAndClose(sink);
            Thread writer = new Thread(() -> {
                try (OutputStream out = source.asOutputStream()) {
                    out.write(data);
                } catch (IOException e) {
                    source.close(e);
                }
            });
            writer.start();
            byte[] received = sink.asInputStream().readAllBytes();
            assertEquals(data.length, copy.toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertArrayEquals(data, received);
            assertTrue(sink.isClosedForRead());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void copyToPassesTheInputFailureOn() throws Exception {
        ByteChannel source = ByteChannel.create(16);
        ByteChannel sink = ByteChannel.create(16);
        CompletionStage<Long> copy = source.copyAndClose(sink);
        IOException reset = new IOException("reset");
        source.close(reset);
        assertSame(reset, failure(copy));
        assertSame(reset, sink.closedCause());
    }
}
