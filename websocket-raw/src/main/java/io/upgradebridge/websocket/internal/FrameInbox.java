package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one inbox of a session: the frames its handler has not received yet, bounded in bytes, with at most one
 * receive waiting and the cause the frames ended with. The RAW session's reader puts the peer's frames into it (it is
 * the reader's {@link FrameSink}), the default session its checked data frames; either way a frame is queued once.
 *
 * <p>While the inbox holds {@value #LIMIT} bytes or more the reader stops (and with it the socket reads); receiving
 * makes room and signals it. A receive that had to wait is told on the user executor, never on the reader's thread.
 * One frame of any size always fits.
 */
public final class FrameInbox extends Receiving<Frame> implements IncomingFrames, FrameSink {

    /** Bytes of frame payload held before the reader stops; one frame of any size always fits. */
    public static final long LIMIT = 64 * 1024;

    private final Executor user;
    // guarded by this
    /** Frames no receive was waiting for; made when one has to wait, dropped when emptied (an idle inbox holds none). */
    private ArrayDeque<Frame> frames;
    private long bytes;
    /** The receive waiting for the next frame. */
    private Receiver<Frame> receiver;
    private Runnable roomSignal;
    private boolean ended;
    private Throwable endCause;
    /** Whether a receive found the end, after every frame before it was taken; then {@link #endSeen} runs (once). */
    private boolean endWasSeen;
    private Runnable endSeen;

    /** @param user where a receive that had to wait is told of its frame */
    public FrameInbox(Executor user) {
        this.user = user;
    }

    // ------------------------------------------------------------------ the reader's side

    @Override
    public synchronized boolean hasRoom() {
        return bytes < LIMIT || ended;
    }

    @Override
    public synchronized void onRoom(Runnable signal) {
        this.roomSignal = signal;
    }

    @Override
    public boolean accept(Frame frame) {
        offer(frame);
        return true;
    }

    /** Adds a frame; a receive that waits gets it. After the end, frames are dropped: nobody will take them. */
    public void offer(Frame frame) {
        Receiver<Frame> waiting;
        synchronized (this) {
            if (ended) {
                return;
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
        tell(() -> waiting.received(frame));
    }

    /** No more frames will come: after the queued ones, receivers see {@code cause}. Only the first call counts. */
    @Override
    public void end(Throwable cause) {
        Receiver<Frame> waiting = null;
        Runnable signal;
        Runnable seen = null;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            endCause = cause;
            if (frames == null) {
                waiting = receiver;
                receiver = null;
                if (waiting != null) {
                    seen = sawEnd(); // the receiver was waiting for the next frame: it is done with every one before
                }
            }
            signal = roomSignal; // a reader that waits for room goes on (and drops what follows)
        }
        if (seen != null) {
            seen.run();
        }
        if (waiting != null) {
            Receiver<Frame> told = waiting;
            ClosedReceiveException closed = closed();
            tell(() -> told.ended(closed));
        }
        if (signal != null) {
            signal.run();
        }
    }

    // ------------------------------------------------------------------ the handler's side

    @Override
    public Frame receiveOrWait(Receiver<Frame> waiting) throws ClosedReceiveException {
        Frame frame;
        Runnable signal;
        Runnable seen = null;
        synchronized (this) {
            frame = frames == null ? null : frames.poll();
            if (frame == null) {
                if (!ended) {
                    if (receiver != null) {
                        throw new IllegalStateException("a receive is already pending on this session; wait for it first");
                    }
                    receiver = waiting;
                    return null;
                }
                seen = sawEnd();
            }
            signal = frame == null ? null : taken(frame);
        }
        if (frame == null) {
            if (seen != null) {
                seen.run(); // outside the lock: what waits for the end may queue frames or end the session
            }
            throw closed();
        }
        if (signal != null) {
            signal.run();
        }
        return frame;
    }

    @Override
    public Frame poll() throws ClosedReceiveException {
        Frame frame;
        Runnable signal;
        Runnable seen = null;
        boolean atEnd;
        synchronized (this) {
            frame = frames == null ? null : frames.poll();
            atEnd = frame == null && ended;
            if (atEnd) {
                seen = sawEnd();
            }
            signal = frame == null ? null : taken(frame);
        }
        if (atEnd) {
            if (seen != null) {
                seen.run();
            }
            throw closed();
        }
        if (signal != null) {
            signal.run();
        }
        return frame;
    }

    @Override
    public CompletionStage<Void> forEach(FrameHandler handler) {
        return ReceiveLoop.run(this, handler::handle);
    }

    @Override
    public synchronized boolean isClosedForReceive() {
        return ended && frames == null;
    }

    // ------------------------------------------------------------------ for the session

    /** Why the frames ended, or {@code null} while they go on. */
    public synchronized Throwable endCause() {
        return endCause;
    }

    /** Whether a frame is waiting. */
    public synchronized boolean hasFrame() {
        return frames != null;
    }

    /**
     * Runs {@code action} once the handler has come to the end: after {@link #end}, it asked for a frame after the last
     * one (a handler asks for the next frame only when it is done with the one before), so it has dealt with every
     * frame that came before the end. At once when that happened already. One action per inbox.
     */
    public void whenEndSeen(Runnable action) {
        boolean now;
        synchronized (this) {
            now = endWasSeen;
            if (!now) {
                endSeen = action;
            }
        }
        if (now) {
            action.run();
        }
    }

    /** Marks the end seen; the action to run outside the lock, or {@code null}. Holds the lock. */
    private Runnable sawEnd() {
        if (endWasSeen) {
            return null;
        }
        endWasSeen = true;
        Runnable action = endSeen;
        endSeen = null;
        return action;
    }

    /** Takes a frame's bytes off the bound; the room signal to run when that made room. Holds the lock. */
    private Runnable taken(Frame frame) {
        if (frames.isEmpty()) {
            frames = null;
        }
        boolean wasFull = bytes >= LIMIT;
        bytes -= frame.length();
        return wasFull && bytes < LIMIT ? roomSignal : null;
    }

    /** Tells a receive that waited on the user executor; here when the executor refuses (it is stopping). */
    private void tell(Runnable news) {
        try {
            user.execute(news);
        } catch (RejectedExecutionException stopping) {
            news.run();
        }
    }

    private ClosedReceiveException closed() {
        return new ClosedReceiveException("no more frames", endCause());
    }

    @Override
    public synchronized String toString() {
        return "FrameInbox[" + (frames == null ? 0 : frames.size()) + " frames, " + bytes + " bytes" + (ended ? ", ended" : "") + ']';
    }
}
