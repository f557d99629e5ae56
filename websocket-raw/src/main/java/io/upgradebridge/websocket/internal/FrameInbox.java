package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The session's {@link IncomingFrames}: a queue bounded in bytes. The reader loop offers frames and
 * stops reading the socket while the queue is full; receiving makes room and resumes it. A pending
 * receive is completed on the user executor, never on the reader's thread.
 */
final class FrameInbox implements IncomingFrames {

    /** Bytes of frame payload held before the reader stops; one frame of any size always fits. */
    static final long LIMIT = 64 * 1024;

    private final Executor user;
    // guarded by this
    /** Frames no receive was waiting for; made when one has to wait, dropped when emptied (an idle inbox holds none). */
    private ArrayDeque<Frame> frames;
    private long bytes;
    /** The receive waiting for the next frame: a {@link #receive()}'s future or a {@link #receiveOrWait} caller. */
    private Receiver receiver;
    private Runnable onSpace;
    private boolean ended;
    private Throwable endCause;

    FrameInbox(Executor user) {
        this.user = user;
    }

    /** Told of the next frame, or of the end, when a receive had to wait; on the user executor. */
    interface Receiver {
        void received(Frame frame);

        void ended(ClosedReceiveException closed);
    }

    /** Adds a frame from the reader. */
    void offer(Frame frame) {
        Receiver waiting;
        synchronized (this) {
            if (ended) {
                return; // the session ended: nobody will take it
            }
            waiting = receiver;
            receiver = null;
            if (waiting == null) {
                if (frames == null) {
                    frames = new ArrayDeque<>(4);
                }
                frames.add(frame);
                bytes += frame.length();
                return;
            }
        }
        deliver(waiting, frame);
    }

    /** Whether the reader may go on reading. */
    synchronized boolean hasSpace() {
        return bytes < LIMIT || ended;
    }

    /** Runs {@code resume} once there is space (at once if there is some now). */
    void whenSpace(Runnable resume) {
        synchronized (this) {
            if (bytes >= LIMIT && !ended) {
                onSpace = resume;
                return;
            }
        }
        resume.run();
    }

    /** No more frames will come: after the queued ones, receivers see {@code cause}. */
    void end(Throwable cause) {
        Receiver waiting = null;
        Runnable resume;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            endCause = cause;
            if (noFrames()) {
                waiting = receiver;
                receiver = null;
            }
            resume = onSpace;
            onSpace = null;
        }
        if (waiting != null) {
            Receiver told = waiting;
            ClosedReceiveException closed = closed();
            user.execute(() -> told.ended(closed));
        }
        if (resume != null) {
            resume.run();
        }
    }

    @Override
    public CompletionStage<Frame> receive() {
        FrameFuture next = new FrameFuture();
        try {
            Frame frame = receiveOrWait(next);
            if (frame != null) {
                next.complete(frame);
            }
        } catch (ClosedReceiveException e) {
            next.completeExceptionally(e);
        }
        return next;
    }

    /**
     * {@link #receive()} without a stage: the next frame when one is queued; else {@code null}, and {@code waiting}
     * hears of the next frame (or the end) on the user executor.
     *
     * @throws ClosedReceiveException when no more frames will come
     */
    Frame receiveOrWait(Receiver waiting) throws ClosedReceiveException {
        while (true) {
            Frame frame = dequeue();
            if (frame != null) {
                return frame;
            }
            synchronized (this) {
                if (!noFrames()) {
                    continue; // race: a frame arrived after dequeue() found none
                }
                if (ended) {
                    throw closed();
                }
                if (receiver != null) {
                    throw new IllegalStateException("a receive is already pending on this session; wait for it first");
                }
                receiver = waiting;
                return null;
            }
        }
    }

    @Override
    public Frame poll() throws ClosedReceiveException {
        Frame frame = dequeue();
        if (frame == null) {
            synchronized (this) {
                if (ended && noFrames()) {
                    throw closed();
                }
            }
        }
        return frame;
    }

    /** Takes the next queued frame, or {@code null}; resumes the reader when that made room. */
    private Frame dequeue() {
        Frame frame;
        Runnable resume;
        synchronized (this) {
            if (frames == null) {
                return null;
            }
            frame = frames.poll();
            if (frames.isEmpty()) {
                frames = null;
            }
            resume = taken(frame);
        }
        if (resume != null) {
            resume.run();
        }
        return frame;
    }

    @Override
    public Frame take() throws ClosedReceiveException, InterruptedException {
        try {
            return receive().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClosedReceiveException) {
                throw (ClosedReceiveException) e.getCause();
            }
            throw new ClosedReceiveException("receiving failed", e.getCause());
        }
    }

    @Override
    public synchronized boolean isClosedForReceive() {
        return ended && noFrames();
    }

    /** Why receiving ended, or {@code null}. */
    synchronized Throwable endCause() {
        return endCause;
    }

    private boolean noFrames() {
        return frames == null;
    }

    private Runnable taken(Frame frame) {
        boolean wasFull = bytes >= LIMIT;
        bytes -= frame.length();
        if (wasFull && bytes < LIMIT && onSpace != null) {
            Runnable resume = onSpace;
            onSpace = null;
            return resume;
        }
        return null;
    }

    private ClosedReceiveException closed() {
        return new ClosedReceiveException("no more frames", endCause);
    }

    private void deliver(Receiver waiting, Frame frame) {
        try {
            user.execute(() -> waiting.received(frame));
        } catch (RejectedExecutionException e) {
            waiting.received(frame);
        }
    }

    /** What {@link #receive()} returns: the future of the next frame, completed as the inbox's {@link Receiver}. */
    private static final class FrameFuture extends CompletableFuture<Frame> implements Receiver {
        @Override
        public void received(Frame frame) {
            complete(frame);
        }

        @Override
        public void ended(ClosedReceiveException closed) {
            completeExceptionally(closed);
        }
    }
}
