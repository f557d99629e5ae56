package io.upgradebridge.io.internal;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transport side: zero-copy slices, signals, and flush tracking. */
class RingByteChannelTransportTest {

    @Test
    void producerSliceFillsAndSignalFiresOnceRoomIsBack() throws Exception {
        AtomicInteger producerSignals = new AtomicInteger();
        RingByteChannel channel = new RingByteChannel(8, Runnable::run);
        channel.onRoom(producerSignals::incrementAndGet);
        ByteBuffer room = channel.writableSlice();
        assertEquals(8, room.remaining());
        room.put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        channel.commit(8);
        assertFalse(channel.writableSlice().hasRemaining(), "full");
        assertEquals(0, producerSignals.get());
        ByteBuffer dst = ByteBuffer.allocate(3);
        assertEquals(3, channel.tryRead(dst));
        assertEquals(1, producerSignals.get(), "room again after the producer found the channel full");
        channel.tryRead(ByteBuffer.allocate(1));
        assertEquals(1, producerSignals.get(), "no second signal until the producer finds it full again");
        assertArrayEquals(new byte[] {1, 2, 3}, dst.array());
    }

    @Test
    void consumerSliceExposesBytesUntilConsumed() throws Exception {
        AtomicInteger consumerSignals = new AtomicInteger();
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        channel.onBytes(consumerSignals::incrementAndGet);
        assertFalse(channel.readableSlice().hasRemaining());
        channel.tryWrite(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        assertEquals(1, consumerSignals.get(), "bytes arrived after the consumer found it empty");
        ByteBuffer bytes = channel.readableSlice();
        assertEquals(3, bytes.remaining());
        assertEquals(3, channel.availableForRead(), "a slice does not consume");
        channel.consume(2);
        assertEquals(1, channel.availableForRead());
        assertEquals(7, channel.readableSlice().get());
    }

    @Test
    void flushWaitsUntilTheTransportMarksConsumedBytesFlushed() throws Exception {
        AtomicInteger consumerSignals = new AtomicInteger();
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        channel.trackFlushes();
        channel.onBytes(consumerSignals::incrementAndGet);
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        int signalsBefore = consumerSignals.get();
        channel.readableSlice();
        CompletableFuture<Void> flush = channel.flush().toCompletableFuture();
        assertFalse(flush.isDone());
        assertTrue(consumerSignals.get() > signalsBefore, "a flush asked for signals the consumer");
        channel.consume(channel.readableSlice().remaining());
        assertTrue(channel.hasUnflushed());
        assertFalse(flush.isDone(), "consumed is not flushed");
        channel.markFlushed();
        assertTrue(flush.isDone());
        assertFalse(channel.hasUnflushed());
        assertTrue(channel.flush().toCompletableFuture().isDone(), "nothing left to flush");
    }

    @Test
    void closeSignalsConsumerAndReportsDrained() throws Exception {
        AtomicInteger consumerSignals = new AtomicInteger();
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        channel.onBytes(consumerSignals::incrementAndGet);
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        channel.close();
        assertTrue(consumerSignals.get() >= 1);
        assertEquals(PortState.READABLE, channel.state(), "closed, but a byte is left");
        channel.consume(1);
        assertEquals(PortState.ENDED, channel.state());
    }

    @Test
    void abortFailsPendingFlush() throws Exception {
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        channel.trackFlushes();
        channel.onBytes(() -> { });
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        CompletionStage<Void> flush = channel.flush();
        channel.cancel(new java.io.IOException("reset"));
        assertTrue(flush.toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void growsOnlyAsBytesArrive() throws Exception {
        RingByteChannel channel = new RingByteChannel(1 << 20, Runnable::run);
        assertTrue(channel.toString().contains("allocated=0"), channel.toString());
        channel.tryWrite(ByteBuffer.wrap(new byte[100]));
        assertTrue(channel.toString().contains("allocated=4096"), channel.toString());
        channel.tryWrite(ByteBuffer.wrap(new byte[10_000]));
        assertTrue(channel.toString().contains("allocated=16384"), channel.toString());
    }

    @Test
    void commitAfterCancelIsDropped() throws Exception {
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        ByteBuffer room = channel.writableSlice();
        room.put((byte) 1);
        channel.cancel(null);
        channel.commit(1);
        assertEquals(0, channel.availableForRead());
    }

    @Test
    void anEmptyChannelGivesItsBufferBackAndTakesOneAgainForTheNextBytes() throws Exception {
        RingByteChannel channel = new RingByteChannel(64 * 1024, Runnable::run);
        channel.onBytes(() -> { });
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        channel.releaseIfEmpty();
        assertEquals(3, channel.availableForRead(), "a channel holding bytes keeps its buffer");
        ByteBuffer bytes = channel.readableSlice();
        assertEquals(1, bytes.get(0));
        channel.consume(3);
        int pooledBefore = BufferPool.pooled(BufferPool.MIN_SIZE);
        channel.releaseIfEmpty();
        assertTrue(channel.toString().contains("allocated=0"), channel.toString());
        assertTrue(BufferPool.pooled(BufferPool.MIN_SIZE) >= Math.min(pooledBefore + 1, 1), "the array went back to the pool");
        channel.tryWrite(ByteBuffer.wrap(new byte[] {4, 5}));
        ByteBuffer again = channel.readableSlice();
        assertEquals(2, again.remaining());
        assertEquals(4, again.get(0));
        assertEquals(5, again.get(1));
    }

    @Test
    void thePoolIsBoundedPerSizeAndTakesOnlyItsSizes() {
        for (int i = 0; i < 300; i++) {
            BufferPool.give(new byte[BufferPool.MIN_SIZE]);
        }
        assertTrue(BufferPool.pooled(BufferPool.MIN_SIZE) <= 256, "bounded: " + BufferPool.pooled(BufferPool.MIN_SIZE));
        for (int i = 0; i < 40; i++) {
            BufferPool.give(new byte[64 * 1024]);
        }
        assertTrue(BufferPool.pooled(64 * 1024) <= 16, "1 MiB of 64 KiB arrays at most: " + BufferPool.pooled(64 * 1024));
        BufferPool.give(new byte[5000]);
        assertEquals(0, BufferPool.pooled(5000), "a size that is not a pooled size is left to the GC");
        BufferPool.give(new byte[2 * BufferPool.MAX_SIZE]);
        assertEquals(0, BufferPool.pooled(2 * BufferPool.MAX_SIZE));
        assertEquals(BufferPool.MIN_SIZE, BufferPool.take(BufferPool.MIN_SIZE).length);
        assertEquals(5000, BufferPool.take(5000).length);
    }

    @Test
    void aStreamThatPausedTakesBackTheSizeItHadGrownTo() throws Exception {
        RingByteChannel channel = new RingByteChannel(64 * 1024, Runnable::run);
        channel.onBytes(() -> { });
        channel.tryWrite(ByteBuffer.wrap(new byte[40_000])); // grows 4 -> 8 -> 16 -> 32 -> 64 KiB
        assertTrue(channel.toString().contains("allocated=65536"), channel.toString());
        channel.consume(channel.readableSlice().remaining());
        channel.releaseIfEmpty();
        assertTrue(channel.toString().contains("allocated=0"), channel.toString());
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(channel.toString().contains("allocated=65536"), "no growing again, one byte at a time: " + channel);
    }

    @Test
    void anInputTheApplicationEmptiesGivesItsBufferBackUnlessTheTransportHoldsASlice() throws Exception {
        RingByteChannel input = new RingByteChannel(64 * 1024, Runnable::run);
        input.onRoom(() -> { }); // the transport fills, the application drains
        ByteBuffer room = input.writableSlice();
        room.put(new byte[] {1, 2, 3});
        input.commit(3);
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertEquals(3, input.tryRead(dst));
        assertTrue(input.toString().contains("allocated=0"), "the read that emptied it released the buffer: " + input);

        ByteBuffer first = input.writableSlice();
        first.put(new byte[] {4, 5});
        input.commit(2);
        ByteBuffer filling = input.writableSlice(); // the transport is filling this slice now
        filling.put((byte) 6);
        dst.clear();
        assertEquals(2, input.tryRead(dst));
        assertTrue(input.toString().contains("allocated=4096"), "kept while the transport holds a slice: " + input);
        input.commit(1);
        dst.clear();
        assertEquals(1, input.tryRead(dst));
        assertEquals(6, dst.get(0), "the byte the transport put into its slice arrived");
        assertTrue(input.toString().contains("allocated=0"), input.toString());
    }

    @Test
    void theConsumerSignalRunsOnceBytesArriveAfterAnEmptySliceAndWhenTheStreamEnds() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        RingByteChannel channel = new RingByteChannel(16, Runnable::run);
        channel.onBytes(signals::incrementAndGet);
        assertFalse(channel.readableSlice().hasRemaining());
        assertEquals(PortState.EMPTY, channel.state());
        channel.tryWrite(ByteBuffer.wrap(new byte[] {1}));
        assertEquals(1, signals.get(), "bytes arrived");
        channel.tryWrite(ByteBuffer.wrap(new byte[] {2}));
        assertEquals(1, signals.get(), "no second signal until the consumer finds it empty again");
        channel.consume(channel.readableSlice().remaining());
        assertFalse(channel.readableSlice().hasRemaining());
        channel.close();
        assertEquals(2, signals.get(), "the writer closed");
        assertEquals(PortState.ENDED, channel.state());

        RingByteChannel cancelled = new RingByteChannel(16, Runnable::run);
        AtomicInteger signalsAfterCancel = new AtomicInteger();
        cancelled.onBytes(signalsAfterCancel::incrementAndGet);
        assertFalse(cancelled.readableSlice().hasRemaining());
        cancelled.cancel(new java.io.IOException("reset"));
        assertEquals(1, signalsAfterCancel.get(), "cancelled: the consumer looks and finds the cause");
        assertEquals(PortState.FAILED, cancelled.state());
        assertEquals("reset", cancelled.closedCause().getMessage());
    }

    @Test
    void theConsumersReleaseWaitsWhileTheProducerHoldsASlice() throws Exception {
        RingByteChannel input = new RingByteChannel(64 * 1024, Runnable::run);
        input.onBytes(() -> { }); // a session drains it
        ByteBuffer room = input.writableSlice();
        room.put((byte) 1);
        input.commit(1);
        input.consume(input.readableSlice().remaining());
        ByteBuffer filling = input.writableSlice(); // the transport is filling this slice now
        filling.put((byte) 2);
        input.releaseIfEmpty();
        assertTrue(input.toString().contains("allocated=4096"), "kept while the producer holds a slice: " + input);
        input.commit(1);
        assertEquals(2, input.readableSlice().get(0), "the byte the producer put into its slice arrived");
    }

    @Test
    void aChannelOfAnotherKindDrainsThroughAPortOfItsOwn() throws Exception {
        io.upgradebridge.io.ByteChannel inner = io.upgradebridge.io.ByteChannel.create(16);
        io.upgradebridge.io.ByteReadChannel foreign = new io.upgradebridge.io.ByteReadChannel() {
            @Override public CompletionStage<Integer> read(ByteBuffer dst) { return inner.read(dst); }
            @Override public CompletionStage<Void> readFully(ByteBuffer dst) { return inner.readFully(dst); }
            @Override public int tryRead(ByteBuffer dst) throws java.io.IOException { return inner.tryRead(dst); }
            @Override public CompletionStage<Boolean> awaitContent() { return inner.awaitContent(); }
            @Override public int availableForRead() { return inner.availableForRead(); }
            @Override public boolean isClosedForRead() { return inner.isClosedForRead(); }
            @Override public Throwable closedCause() { return inner.closedCause(); }
            @Override public boolean cancel(Throwable cause) { return inner.cancel(cause); }
            @Override public java.io.InputStream asInputStream() { return inner.asInputStream(); }
        };
        DrainPort port = DrainPort.of(foreign);
        AtomicInteger signals = new AtomicInteger();
        port.onBytes(signals::incrementAndGet);
        assertFalse(port.readableSlice().hasRemaining());
        assertEquals(PortState.EMPTY, port.state());
        inner.tryWrite(ByteBuffer.wrap(new byte[] {7, 8, 9}));
        assertEquals(1, signals.get(), "the port waits for content and signals");
        ByteBuffer bytes = port.readableSlice();
        assertEquals(3, bytes.remaining());
        port.consume(2);
        assertEquals(9, port.readableSlice().get());
        port.consume(1);
        inner.close(new java.io.IOException("gone"));
        assertFalse(port.readableSlice().hasRemaining());
        assertEquals(PortState.FAILED, port.state());
        assertEquals("gone", port.closedCause().getMessage());
        assertTrue(DrainPort.of(inner) == inner, "the bridge's own channel is its own port: no copy");
    }
}
