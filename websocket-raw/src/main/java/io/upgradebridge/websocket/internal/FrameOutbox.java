package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.internal.LoopGate;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.OutgoingFrames;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The session's {@link OutgoingFrames}: frames are encoded in order into the connection's output
 * channel, whose bound makes senders wait for a slow peer. Frames queued while one is being written go
 * into the channel right behind it, so the transport sends them together and flushes when it runs dry.
 *
 * <p>One drain loop moves the queue into the output, on the thread of the send that found it idle; when the output is
 * full it waits for room, which resumes it on the thread that made room. The outbox is that loop's {@link LoopGate}.
 */
final class FrameOutbox extends LoopGate<FrameOutbox.Park> implements OutgoingFrames {

    /** What the drain loop waits for. */
    enum Park {
        /** Nothing queued: the next send runs the loop. */
        IDLE
    }

    private final ByteWriteChannel output;
    private final Executor user;
    private final Function<Frame, ByteBuffer[]> encoder;
    /** What {@link #last} holds while no frame is pending (the last one is in the output): an idle outbox keeps none. */
    private static final CompletableFuture<Void> NONE_PENDING = CompletableFuture.completedFuture(null);

    // guarded by this; the queue is the frames linked through PendingFrame.next (an idle outbox holds no queue)
    private PendingFrame head;
    private PendingFrame tail;
    private boolean closed;
    private Throwable closedCause;
    /** The future of the frame queued last, or {@link #NONE_PENDING} once it is in the output. */
    private CompletableFuture<Void> last = NONE_PENDING;

    FrameOutbox(ByteWriteChannel output, Executor user, Function<Frame, ByteBuffer[]> encoder) {
        super(Park.IDLE);
        this.output = output;
        this.user = user;
        this.encoder = encoder;
    }

    @Override
    public CompletionStage<Void> send(Frame frame) {
        PendingFrame p = new PendingFrame(frame);
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new ClosedSendException(
                    "the WebSocket session is closed for sending" + (closedCause == null ? " (a close frame was sent)" : ""), closedCause));
            }
            if (tail == null) {
                head = p;
            } else {
                tail.next = p;
            }
            tail = p;
            last = p.future;
            if (frame.type() == FrameType.CLOSE) {
                closed = true; // nothing may follow a close frame
            }
        }
        if (wake(Park.IDLE)) {
            drain(true);
        }
        return p.future;
    }

    /** Completes when every frame queued so far is in the output channel. */
    synchronized CompletionStage<Void> queued() {
        return last.exceptionally(e -> null);
    }

    /** No more frames may be sent; {@code cause} (may be null) explains why to later senders. */
    void closeForSend(Throwable cause) {
        synchronized (this) {
            if (!closed) {
                closed = true;
                closedCause = cause;
            }
        }
    }

    @Override
    public synchronized boolean isClosedForSend() {
        return closed;
    }

    /**
     * Moves queued frames into the output until the queue is empty; when the output is full, waits for room (the stage
     * of that wait resumes the loop, on this stack when it completed at once).
     *
     * @param onSenderThread whether a sender runs the loop: its frames' stages then complete on its thread
     */
    private void drain(boolean onSenderThread) {
        boolean senderThread = onSenderThread;
        while (true) {
            PendingFrame p;
            synchronized (this) {
                p = head;
            }
            if (p == null) {
                // a frame queued after the look makes the loop go round once more
                if (park(Park.IDLE)) {
                    return;
                }
                continue;
            }
            ByteBuffer bytes;
            try {
                if (p.parts == null) {
                    p.parts = encoder.apply(p.frame);
                }
                bytes = p.parts[p.part];
                output.tryWrite(bytes);
                if (!bytes.hasRemaining() && p.part + 1 < p.parts.length) {
                    p.part++; // the header went in: now the payload, from the frame's own bytes
                    continue;
                }
            } catch (Exception e) {
                failAll(e);
                return;
            }
            if (bytes.hasRemaining()) {
                pending();
                output.awaitFreeSpace().whenComplete((v, e) -> {
                    if (e != null) {
                        failAll(e);
                    } else if (completed()) {
                        drain(false);
                    }
                });
                if (awaitCompletion()) {
                    return; // room comes later: the stage resumes the loop
                }
                continue;
            }
            synchronized (this) {
                head = p.next;
                if (head == null) {
                    tail = null;
                }
                p.next = null;
            }
            tellSent(p.future, senderThread);
        }
    }

    private void failAll(Throwable error) {
        Throwable cause = io.upgradebridge.io.internal.Failures.unwrap(error);
        PendingFrame failed;
        finish();
        synchronized (this) {
            closed = true;
            if (closedCause == null) {
                closedCause = cause;
            }
            failed = head;
            head = null;
            tail = null;
        }
        ClosedSendException e = new ClosedSendException("the WebSocket session ended before the frame was sent", cause);
        for (PendingFrame p = failed; p != null; p = p.next) {
            CompletableFuture<Void> future = p.future;
            user.execute(() -> future.completeExceptionally(e));
        }
    }

    private void tellSent(CompletableFuture<Void> future, boolean onSenderThread) {
        if (onSenderThread) {
            sent(future);
            return;
        }
        try {
            user.execute(() -> sent(future)); // a sender's continuation runs on the user executor
        } catch (RejectedExecutionException e) {
            sent(future);
        }
    }

    private void sent(CompletableFuture<Void> future) {
        future.complete(null);
        synchronized (this) {
            if (last == future) {
                last = NONE_PENDING; // nothing newer queued: the outbox lets go of the future
            }
        }
    }

    private static final class PendingFrame {
        final Frame frame;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        /** The encoded frame: one buffer, or a header and the payload (a large frame is not copied first). */
        ByteBuffer[] parts;
        int part;
        /** The frame queued after this one; guarded by the outbox. */
        PendingFrame next;

        PendingFrame(Frame frame) {
            this.frame = frame;
        }
    }
}
