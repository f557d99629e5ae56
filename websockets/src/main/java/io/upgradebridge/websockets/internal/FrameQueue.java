package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * The checked data frames waiting for the handler, bounded in bytes: {@link #offer} answers with a stage
 * that completes once there is room again, and the session's reader waits for it before it takes the next
 * raw frame, so a handler that does not receive stops the socket reads. One frame of any size always fits.
 *
 * <p>A pending receive completes on the thread that offers the frame (the session's reader, which runs on
 * the user executor). The deque is made when the first frame has to wait, not per idle session.
 */
final class FrameQueue implements IncomingFrames {

    /** Bytes of payload held before the reader waits. */
    static final long LIMIT = 64 * 1024;

    private static final CompletableFuture<Void> ROOM = CompletableFuture.completedFuture(null);

    // guarded by this
    private ArrayDeque<Frame> frames;
    private long bytes;
    private CompletableFuture<Frame> pending;
    private CompletableFuture<Void> space;
    private boolean ended;
    private Throwable endCause;
    /** Completes once the reader has come to the end: it asked for a frame after the last one. */
    private final CompletableFuture<Void> endSeen = new CompletableFuture<>();

    /** Adds a frame; the stage completes when the reader may offer the next one. */
    CompletionStage<Void> offer(Frame frame) {
        CompletableFuture<Frame> waiting;
        synchronized (this) {
            if (ended) {
                return ROOM; // the session ended: nobody will take it
            }
            waiting = pending;
            pending = null;
            if (waiting == null) {
                if (frames == null) {
                    frames = new ArrayDeque<>(4);
                }
                frames.add(frame);
                bytes += frame.length();
                if (bytes < LIMIT) {
                    return ROOM;
                }
                space = new CompletableFuture<>();
                return space;
            }
        }
        waiting.complete(frame);
        return ROOM;
    }

    /** No more frames will come: after the queued ones, receivers see a {@link ClosedReceiveException} with {@code cause}. */
    void end(Throwable cause) {
        CompletableFuture<Frame> waiting = null;
        CompletableFuture<Void> resume;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            endCause = cause;
            if (frames == null || frames.isEmpty()) {
                waiting = pending;
                pending = null;
            }
            resume = space;
            space = null;
        }
        if (waiting != null) {
            endSeen.complete(null); // the reader was already waiting for the next frame: it is done with the others
            waiting.completeExceptionally(closed());
        }
        if (resume != null) {
            resume.complete(null);
        }
    }

    @Override
    public CompletionStage<Frame> receive() {
        Frame frame;
        CompletableFuture<Void> resume;
        synchronized (this) {
            frame = frames == null ? null : frames.poll();
            if (frame == null && !ended) {
                if (pending != null) {
                    throw new IllegalStateException("a receive is already pending on this session; wait for it first");
                }
                pending = new CompletableFuture<>();
                return pending;
            }
            resume = frame == null ? null : taken(frame);
        }
        if (frame == null) {
            endSeen.complete(null); // outside the lock: what waits for the end may queue frames or end the session
            return CompletableFuture.failedFuture(closed());
        }
        if (resume != null) {
            resume.complete(null);
        }
        return CompletableFuture.completedFuture(frame);
    }

    @Override
    public Frame poll() throws ClosedReceiveException {
        Frame frame;
        CompletableFuture<Void> resume;
        boolean atEnd;
        synchronized (this) {
            frame = frames == null ? null : frames.poll();
            atEnd = frame == null && ended;
            resume = frame == null ? null : taken(frame);
        }
        if (atEnd) {
            endSeen.complete(null);
            throw closed();
        }
        if (resume != null) {
            resume.complete(null);
        }
        return frame;
    }

    @Override
    public Frame take() throws ClosedReceiveException, InterruptedException {
        try {
            return receive().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClosedReceiveException closed) {
                throw closed;
            }
            throw new ClosedReceiveException("receiving failed", e.getCause());
        }
    }

    @Override
    public synchronized boolean isClosedForReceive() {
        return ended && (frames == null || frames.isEmpty());
    }

    /**
     * Completes once the reader, after {@link #end}, has asked for a frame after the last one: it has handled every
     * frame before the end (a reader asks for the next frame only when it is done with the previous one).
     */
    CompletionStage<Void> endSeen() {
        return endSeen;
    }

    /** Whether a frame is waiting. */
    synchronized boolean hasFrame() {
        return frames != null && !frames.isEmpty();
    }

    /** Bytes of payload waiting, for tests and {@link #toString()}. */
    synchronized long bytes() {
        return bytes;
    }

    private CompletableFuture<Void> taken(Frame frame) {
        bytes -= frame.length();
        if (bytes < LIMIT && space != null) {
            CompletableFuture<Void> resume = space;
            space = null;
            return resume;
        }
        return null;
    }

    private ClosedReceiveException closed() {
        return new ClosedReceiveException("no more frames", endCause);
    }

    @Override
    public synchronized String toString() {
        return "FrameQueue[" + (frames == null ? 0 : frames.size()) + " frames, " + bytes + " bytes" + (ended ? ", ended" : "") + ']';
    }
}
