package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.ClosedWriteChannelException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A bounded byte pipe over a ring buffer that grows as bytes arrive, up to its capacity: the bridge's
 * {@link ByteChannel}, and the two channels of every upgraded connection.
 *
 * <p>Besides the public channel API it is both ports of the internal transport API: a {@link FillPort}
 * ({@link #writableSlice()}/{@link #commit(int)}: the transport fills a connection's input without a copy) and a
 * {@link DrainPort} ({@link #readableSlice()}/{@link #consume(int)}: the transport drains a connection's output, a
 * WebSocket session parses its input, without a copy), each with a signal that says when to go on. Only one thread at
 * a time may act as producer and one as consumer; the bytes inside a slice are touched outside the lock, the indices
 * only under it.
 *
 * <p>Stages that had to wait are completed on the executor given at construction, so a container
 * thread that commits bytes never runs the reader's continuation.
 */
public final class RingByteChannel implements ByteChannel, FillPort, DrainPort {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final int capacity;
    private final Executor executor;

    // guarded by this
    private byte[] buf;
    /** The size of the array to take when {@link #buf} is null: the first size, then the size last released. */
    private int nextBufferSize;
    /** Whether the producer holds a slice from {@link #writableSlice()} that it has not committed yet. */
    private boolean producerHoldsSlice;
    private int head;
    private int size;
    private long committedTotal;
    private long consumedTotal;
    private long flushedTotal;
    private boolean writeClosed;
    private Throwable cause;
    private PendingRead pendingRead;
    private PendingWrite pendingWrite;
    private ArrayDeque<FlushWaiter> flushWaiters;
    private boolean producerWaiting;
    private boolean consumerWaiting;
    private Runnable producerSignal;
    private Runnable consumerSignal;
    /** Whether flush stages wait for {@link #markFlushed()} (a transport drains the channel to a socket). */
    private boolean flushTracked;
    /** Lingering close: every committed byte is dropped unread (see {@link #discard}). */
    private boolean discarding;
    /** Set once the consumer knows the peer sends nothing more ({@link #peerDone()}); read by the connection. */
    private volatile boolean peerDone;
    private long discardLeft;
    private long discardDeadline;
    /** Run once when discarding is over; {@code null} after. */
    private Runnable discardOver;

    public RingByteChannel(int capacity, Executor executor) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 byte, was " + capacity);
        }
        this.capacity = capacity;
        this.executor = executor;
        this.nextBufferSize = Math.min(capacity, BufferPool.MIN_SIZE);
    }

    // ------------------------------------------------------------------ FillPort and DrainPort

    @Override
    public void onRoom(Runnable signal) {
        synchronized (this) {
            this.producerSignal = signal;
            this.producerWaiting = true; // the producer starts out waiting: the first room must signal it
        }
    }

    @Override
    public void onBytes(Runnable signal) {
        synchronized (this) {
            this.consumerSignal = signal;
            this.consumerWaiting = true; // the consumer starts out waiting: the first bytes must signal it
        }
    }

    @Override
    public void trackFlushes() {
        synchronized (this) {
            flushTracked = true;
        }
    }

    @Override
    public ByteBuffer writableSlice() {
        synchronized (this) {
            if (writeClosed) {
                return EMPTY;
            }
            if (!ensureRoom()) {
                producerWaiting = true;
                return EMPTY;
            }
            int tail = (head + size) % buf.length;
            int end = tail < head ? head : buf.length;
            producerHoldsSlice = true;
            return ByteBuffer.wrap(buf, tail, end - tail).slice();
        }
    }

    @Override
    public void commit(int n) {
        if (n <= 0) {
            synchronized (this) {
                producerHoldsSlice = false;
            }
            return;
        }
        Actions actions = new Actions();
        synchronized (this) {
            producerHoldsSlice = false;
            if (writeClosed) {
                return; // race: the reader cancelled while the producer was filling; the bytes are dropped with the rest
            }
            size += n;
            committedTotal += n;
            if (discarding) {
                drop(size);
                discardLeft -= n;
                if (discardLeft < 0 || System.nanoTime() - discardDeadline > 0) {
                    discardOver(actions);
                }
            }
            settle(actions);
        }
        runAll(actions);
    }

    @Override
    public ByteBuffer readableSlice() {
        synchronized (this) {
            if (size == 0) {
                consumerWaiting = true;
                return EMPTY;
            }
            int end = Math.min(buf.length, head + size);
            return ByteBuffer.wrap(buf, head, end - head).slice();
        }
    }

    @Override
    public void consume(int n) {
        if (n <= 0) {
            return;
        }
        Actions actions = new Actions();
        synchronized (this) {
            if (n > size) {
                return; // race: the channel was cancelled (buffer discarded) while the consumer held a slice
            }
            drop(n);
            settle(actions);
        }
        runAll(actions);
    }

    /**
     * Gives the buffer of an empty channel back to the {@link BufferPool}, so an idle connection holds no buffer; the
     * next bytes take one again. Not while the producer holds a slice it has not committed (the consumer never holds a
     * slice of an empty channel).
     */
    @Override
    public void releaseIfEmpty() {
        byte[] released;
        synchronized (this) {
            if (size != 0 || buf == null || producerHoldsSlice) {
                return;
            }
            released = detachBuffer();
        }
        BufferPool.give(released);
    }

    @Override
    public boolean isClosed() {
        synchronized (this) {
            return writeClosed;
        }
    }

    @Override
    public PortState state() {
        synchronized (this) {
            if (size > 0) {
                return PortState.READABLE;
            }
            if (!writeClosed) {
                return PortState.EMPTY;
            }
            return cause == null ? PortState.ENDED : PortState.FAILED;
        }
    }

    @Override
    public void peerDone() {
        peerDone = true;
    }

    /** Whether the consumer said that the peer sends nothing more ({@link #peerDone()}). */
    public boolean isPeerDone() {
        return peerDone;
    }

    /**
     * The lingering close of a connection's input: drops the bytes buffered now and every byte the producer commits
     * from now on, unread, so the transport goes on reading the socket (and the peer goes on sending, then reads what
     * was sent to it) while nothing is kept. Runs {@code over} once, on the thread that saw it, when the writer closes
     * (the peer ended its input, or the transport failed), or at a commit once more than {@code maxBytes} were dropped
     * or {@code deadlineNanos} ({@link System#nanoTime()}) has passed. A read still pending stays so until the writer
     * closes.
     */
    public void discard(long maxBytes, long deadlineNanos, Runnable over) {
        Actions actions = new Actions();
        synchronized (this) {
            discardOver = over;
            discarding = true;
            discardDeadline = deadlineNanos;
            discardLeft = maxBytes - size;
            if (size > 0) {
                drop(size);
            }
            if (writeClosed || discardLeft < 0) {
                discardOver(actions);
            }
            settle(actions); // room again: a paused producer goes on
        }
        runAll(actions);
    }

    private void discardOver(Actions actions) {
        Runnable over = discardOver;
        discardOver = null;
        actions.signal(over);
    }

    @Override
    public void markFlushed() {
        Actions actions = new Actions();
        synchronized (this) {
            flushedTotal = consumedTotal;
            while (flushWaiters != null && !flushWaiters.isEmpty() && flushWaiters.peek().target <= flushedTotal) {
                CompletableFuture<Void> f = flushWaiters.poll().future;
                actions.add(() -> f.complete(null));
            }
        }
        runAll(actions);
    }

    @Override
    public boolean hasUnflushed() {
        synchronized (this) {
            return consumedTotal > flushedTotal;
        }
    }

    // ------------------------------------------------------------------ ByteReadChannel

    @Override
    public CompletionStage<Integer> read(ByteBuffer dst) {
        return startRead(new PendingRead(ReadKind.READ, dst, new CompletableFuture<>()));
    }

    @Override
    public CompletionStage<Void> readFully(ByteBuffer dst) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        startRead(new PendingRead(ReadKind.FULLY, dst, f));
        return f.thenApply(n -> null);
    }

    @Override
    public CompletionStage<Boolean> awaitContent() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        startRead(new PendingRead(ReadKind.AWAIT, null, f));
        return f.thenApply(n -> n > 0);
    }

    private CompletableFuture<Integer> startRead(PendingRead read) {
        Actions own = new Actions();
        Actions others = new Actions();
        synchronized (this) {
            if (pendingRead != null) {
                throw new IllegalStateException("a read is already pending on this channel; wait for it to complete first");
            }
            pendingRead = read;
            serveReader(own);
            if (pendingRead == null) {
                settle(others); // the read made room: a pending write or the producer may go on
            } else {
                settle(own); // waits: a pending write may still feed it
            }
        }
        // served at once: complete on this thread, no hand-off in a tight loop
        own.completions().forEach(Runnable::run);
        own.runSignals();
        runAll(others);
        return read.future;
    }

    @Override
    public int tryRead(ByteBuffer dst) throws IOException {
        Actions actions = new Actions();
        int n;
        synchronized (this) {
            if (size == 0) {
                if (!writeClosed) {
                    return 0;
                }
                if (cause != null) {
                    throw asIOException(cause);
                }
                return -1;
            }
            n = copyOut(dst);
            settle(actions);
        }
        runAll(actions);
        return n;
    }

    @Override
    public int availableForRead() {
        synchronized (this) {
            return size;
        }
    }

    @Override
    public boolean isClosedForRead() {
        synchronized (this) {
            return writeClosed && size == 0;
        }
    }

    @Override
    public Throwable closedCause() {
        synchronized (this) {
            return cause;
        }
    }

    @Override
    public boolean cancel(Throwable why) {
        Actions actions = new Actions();
        synchronized (this) {
            if (writeClosed && size == 0) {
                return false; // already over: nothing left to discard
            }
            writeClosed = true;
            if (cause == null) {
                cause = why != null ? why : new CancellationException("the reader cancelled the channel");
            }
            size = 0;
            buf = null;
            head = 0;
            if (discarding) {
                discardOver(actions);
            }
            failAll(actions, cause);
            wakeBoth(actions);
        }
        runAll(actions);
        return true;
    }

    @Override
    public InputStream asInputStream() {
        return new BlockingInputStream(this);
    }

    // ------------------------------------------------------------------ ByteWriteChannel

    @Override
    public CompletionStage<Void> write(ByteBuffer src) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        Actions actions = new Actions();
        synchronized (this) {
            if (writeClosed) {
                return CompletableFuture.failedFuture(closedForWrite());
            }
            if (pendingWrite != null) {
                throw new IllegalStateException("a write is already pending on this channel; wait for it to complete first");
            }
            copyIn(src);
            if (src.hasRemaining()) {
                pendingWrite = new PendingWrite(src, future);
            }
            settle(actions);
            if (!src.hasRemaining() && pendingWrite == null) {
                future.complete(null); // taken at once (possibly after a pending read made room): complete here
            }
        }
        runAll(actions);
        return future;
    }

    @Override
    public int tryWrite(ByteBuffer src) throws ClosedWriteChannelException {
        Actions actions = new Actions();
        int n;
        synchronized (this) {
            if (writeClosed) {
                throw closedForWrite();
            }
            if (pendingWrite != null) {
                throw new IllegalStateException("a write is pending on this channel; wait for it to complete first");
            }
            n = copyIn(src);
            settle(actions);
        }
        runAll(actions);
        return n;
    }

    @Override
    public CompletionStage<Void> flush() {
        Actions actions = new Actions();
        CompletableFuture<Void> future;
        synchronized (this) {
            if (!flushTracked || flushedTotal >= committedTotal) {
                // in memory, written bytes are visible to the reader at once; a transport had nothing left
                return writeClosed && cause != null && size > 0
                    ? CompletableFuture.failedFuture(cause) : CompletableFuture.completedFuture(null);
            }
            if (cause != null) {
                return CompletableFuture.failedFuture(cause);
            }
            future = new CompletableFuture<>();
            if (flushWaiters == null) {
                flushWaiters = new ArrayDeque<>();
            }
            flushWaiters.add(new FlushWaiter(committedTotal, future));
            consumerWaiting = false;
            actions.signal(consumerSignal);
        }
        runAll(actions);
        return future;
    }

    @Override
    public CompletionStage<Void> awaitFreeSpace() {
        synchronized (this) {
            if (writeClosed) {
                return CompletableFuture.failedFuture(closedForWrite());
            }
            if (size < capacity) {
                return CompletableFuture.completedFuture(null);
            }
            if (pendingWrite != null) {
                throw new IllegalStateException("a write is already pending on this channel; wait for it to complete first");
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            pendingWrite = new PendingWrite(null, future);
            return future;
        }
    }

    @Override
    public int availableForWrite() {
        synchronized (this) {
            return writeClosed ? 0 : capacity - size;
        }
    }

    @Override
    public boolean close() {
        return closeWriter(null);
    }

    @Override
    public boolean close(Throwable why) {
        return closeWriter(why != null ? why : new IOException("the writer closed the channel with an unknown cause"));
    }

    private boolean closeWriter(Throwable why) {
        Actions actions = new Actions();
        synchronized (this) {
            if (writeClosed) {
                return false;
            }
            writeClosed = true;
            cause = why;
            if (discarding) {
                discardOver(actions);
            }
            if (pendingWrite != null) {
                PendingWrite w = pendingWrite;
                pendingWrite = null;
                ClosedWriteChannelException e = new ClosedWriteChannelException("the channel was closed while a write was pending", why);
                actions.add(() -> w.future.completeExceptionally(e));
            }
            settle(actions);
            if (why != null && flushWaiters != null) {
                failFlushWaiters(actions, why);
            }
            wakeBoth(actions);
        }
        runAll(actions);
        return true;
    }

    @Override
    public boolean isClosedForWrite() {
        synchronized (this) {
            return writeClosed;
        }
    }

    @Override
    public OutputStream asOutputStream() {
        return new BlockingOutputStream(this);
    }

    // ------------------------------------------------------------------ internals (hold the lock)

    private boolean ensureRoom() {
        if (buf == null) {
            buf = BufferPool.take(nextBufferSize);
            head = 0;
            return true;
        }
        if (size == 0) {
            head = 0; // only the producer resets: no consumer slice can be outstanding on an empty ring
        }
        if (size < buf.length) {
            return true;
        }
        if (buf.length >= capacity) {
            return false;
        }
        // not the old array back to the pool: a transport may still be using a slice of it
        byte[] bigger = BufferPool.take((int) Math.min(capacity, buf.length * 2L));
        int first = Math.min(size, buf.length - head);
        System.arraycopy(buf, head, bigger, 0, first);
        System.arraycopy(buf, 0, bigger, first, size - first);
        buf = bigger;
        head = 0;
        return true;
    }

    private int copyIn(ByteBuffer src) {
        int total = 0;
        while (src.hasRemaining() && ensureRoom()) {
            int tail = (head + size) % buf.length;
            int end = tail < head ? head : buf.length;
            int n = Math.min(end - tail, src.remaining());
            src.get(buf, tail, n);
            size += n;
            committedTotal += n;
            total += n;
        }
        return total;
    }

    private int copyOut(ByteBuffer dst) {
        int total = 0;
        while (size > 0 && dst.hasRemaining()) {
            int n = Math.min(Math.min(size, buf.length - head), dst.remaining());
            dst.put(buf, head, n);
            drop(n);
            total += n;
        }
        return total;
    }

    private void drop(int n) {
        // never rewind head here: the producer may be filling a slice it computed from the old tail
        head = (head + n) % buf.length;
        size -= n;
        consumedTotal += n;
    }

    /**
     * Serves the pending read and the pending write until neither moves a byte: a reader waiting for a
     * full buffer and a writer waiting for room can hand bytes to each other many times in one call.
     */
    private void settle(Actions actions) {
        int moved;
        do {
            moved = serveReader(actions) + serveWriter(actions);
        } while (moved > 0 && (pendingRead != null || pendingWrite != null));
        releaseIfDrainedByApplication();
        wakeConsumer(actions);
        wakeProducer(actions);
    }

    /**
     * On a channel a transport fills (a connection's input): the read or consume that emptied it gives the buffer
     * back, unless the transport holds a slice of it right now. The transport's own {@link #releaseIfEmpty()} comes too
     * early when the reader takes the bytes after the transport parked, and an idle connection would keep its input
     * buffer.
     */
    private void releaseIfDrainedByApplication() {
        if (size == 0 && buf != null && producerSignal != null && !flushTracked && !producerHoldsSlice) {
            BufferPool.give(detachBuffer());
        }
    }

    /** Lets go of the (empty) buffer; the next bytes take one of the size it had grown to, as a paused stream needs. */
    private byte[] detachBuffer() {
        byte[] released = buf;
        buf = null;
        head = 0;
        nextBufferSize = released.length;
        return released;
    }

    /** Moves bytes to the pending read, completing it when it is satisfied or the input ended; returns bytes moved. */
    private int serveReader(Actions actions) {
        PendingRead r = pendingRead;
        if (r == null) {
            return 0;
        }
        switch (r.kind) {
            case AWAIT:
                if (size > 0) {
                    return completeRead(actions, r, 1, 0);
                }
                return writeClosed ? endRead(actions, r, 0, 0) : 0;
            case READ:
                if (!r.dst.hasRemaining()) {
                    return completeRead(actions, r, 0, 0);
                }
                if (size > 0) {
                    int n = copyOut(r.dst);
                    return completeRead(actions, r, n, n);
                }
                return writeClosed ? endRead(actions, r, -1, 0) : 0;
            default: // FULLY
                int moved = copyOut(r.dst);
                r.done += moved;
                if (!r.dst.hasRemaining()) {
                    return completeRead(actions, r, r.done, moved);
                }
                if (!writeClosed) {
                    return moved;
                }
                Throwable shortRead = cause != null ? cause
                    : new EOFException("the input ended after " + r.done + " bytes, " + r.dst.remaining() + " short of a full buffer");
                return failRead(actions, r, shortRead, moved);
        }
    }

    /** The input has ended for the pending read: {@code atNormalEnd} when it ended normally, its cause otherwise. */
    private int endRead(Actions actions, PendingRead r, int atNormalEnd, int moved) {
        return cause == null ? completeRead(actions, r, atNormalEnd, moved) : failRead(actions, r, cause, moved);
    }

    private int completeRead(Actions actions, PendingRead r, int value, int moved) {
        pendingRead = null;
        actions.add(() -> r.future.complete(value));
        return moved;
    }

    private int failRead(Actions actions, PendingRead r, Throwable failure, int moved) {
        pendingRead = null;
        actions.add(() -> r.future.completeExceptionally(failure));
        return moved;
    }

    /** Moves bytes from the pending write into free space, completing it when everything fit; returns bytes moved. */
    private int serveWriter(Actions actions) {
        PendingWrite w = pendingWrite;
        if (w == null || size >= capacity) {
            return 0;
        }
        int moved = 0;
        if (w.src != null) {
            moved = copyIn(w.src);
            if (w.src.hasRemaining()) {
                return moved;
            }
        }
        pendingWrite = null;
        actions.add(() -> w.future.complete(null));
        return moved;
    }

    private void wakeProducer(Actions actions) {
        if (producerWaiting && producerSignal != null && size < capacity) {
            producerWaiting = false;
            actions.signal(producerSignal);
        }
    }

    private void wakeConsumer(Actions actions) {
        if (consumerWaiting && consumerSignal != null && size > 0) {
            consumerWaiting = false;
            actions.signal(consumerSignal);
        }
    }

    private void wakeBoth(Actions actions) {
        producerWaiting = false;
        consumerWaiting = false;
        if (producerSignal != null) {
            actions.signal(producerSignal);
        }
        if (consumerSignal != null) {
            actions.signal(consumerSignal);
        }
    }

    private void failAll(Actions actions, Throwable why) {
        if (pendingRead != null) {
            PendingRead r = pendingRead;
            pendingRead = null;
            actions.add(() -> r.future.completeExceptionally(why));
        }
        if (pendingWrite != null) {
            CompletableFuture<Void> f = pendingWrite.future;
            pendingWrite = null;
            ClosedWriteChannelException e = new ClosedWriteChannelException("the reader cancelled the channel while a write was pending", why);
            actions.add(() -> f.completeExceptionally(e));
        }
        failFlushWaiters(actions, why);
    }

    private void failFlushWaiters(Actions actions, Throwable why) {
        while (flushWaiters != null && !flushWaiters.isEmpty()) {
            CompletableFuture<Void> f = flushWaiters.poll().future;
            actions.add(() -> f.completeExceptionally(why));
        }
    }

    private ClosedWriteChannelException closedForWrite() {
        return new ClosedWriteChannelException("the channel is closed for writing", cause);
    }

    static IOException asIOException(Throwable t) {
        return t instanceof IOException ? (IOException) t : new IOException("the input ended with " + t, t);
    }

    /** Completes waiting stages on the executor, then runs the transport signals on this thread. */
    private void runAll(Actions actions) {
        List<Runnable> completions = actions.completions();
        if (!completions.isEmpty()) {
            Runnable all = completions.size() == 1 ? completions.get(0) : () -> completions.forEach(Runnable::run);
            try {
                executor.execute(all);
            } catch (RejectedExecutionException e) {
                all.run(); // the executor is shutting down: completing here beats leaving a waiter hanging
            }
        }
        actions.runSignals();
    }

    @Override
    public String toString() {
        synchronized (this) {
            return "RingByteChannel{size=" + size + "/" + capacity
                + ", allocated=" + (buf == null ? 0 : buf.length)
                + ", committed=" + committedTotal + ", consumed=" + consumedTotal + ", flushed=" + flushedTotal
                + ", writeClosed=" + writeClosed + ", cause=" + cause
                + ", pendingRead=" + (pendingRead != null) + ", pendingWrite=" + (pendingWrite != null)
                + ", producerWaiting=" + producerWaiting + ", consumerWaiting=" + consumerWaiting
                + (discarding ? ", discarding, " + discardLeft + " bytes left" : "") + '}';
        }
    }

    private enum ReadKind { READ, FULLY, AWAIT }

    /**
     * What to run once the lock is released: stage completions (on the executor) and port signals (inline); the lists
     * are made only when something is added (most calls add nothing).
     */
    private static final class Actions {
        private List<Runnable> completions;
        private List<Runnable> signals;

        void add(Runnable completion) {
            if (completions == null) {
                completions = new ArrayList<>(2);
            }
            completions.add(completion);
        }

        void signal(Runnable signal) {
            if (signal == null) {
                return;
            }
            if (signals == null) {
                signals = new ArrayList<>(2);
            }
            if (!signals.contains(signal)) {
                signals.add(signal);
            }
        }

        List<Runnable> completions() {
            return completions == null ? List.of() : completions;
        }

        void runSignals() {
            if (signals != null) {
                for (int i = 0; i < signals.size(); i++) {
                    signals.get(i).run();
                }
            }
        }
    }

    private static final class PendingRead {
        final ReadKind kind;
        final ByteBuffer dst;
        final CompletableFuture<Integer> future;
        /** Bytes a {@link ReadKind#FULLY} read has taken so far. */
        int done;

        PendingRead(ReadKind kind, ByteBuffer dst, CompletableFuture<Integer> future) {
            this.kind = kind;
            this.dst = dst;
            this.future = future;
        }
    }

    private static final class PendingWrite {
        final ByteBuffer src; // null: waits for free space only
        final CompletableFuture<Void> future;

        PendingWrite(ByteBuffer src, CompletableFuture<Void> future) {
            this.src = src;
            this.future = future;
        }
    }

    private static final class FlushWaiter {
        final long target;
        final CompletableFuture<Void> future;

        FlushWaiter(long target, CompletableFuture<Void> future) {
            this.target = target;
            this.future = future;
        }
    }
}
