package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.internal.RawWebSocketSession;

import java.io.EOFException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The close handshake of one default session (RFC 6455 section 7): an explicit state machine moved by CAS only; our
 * close frame, sent once and then waited for up to the timeout; the answer to the peer's close (its code and reason
 * echoed); and the one way the session ends ({@link #end}), which lets the session clean up and completes the close
 * reason the handler sees.
 */
final class CloseHandshake {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websockets");

    /** Where the close handshake stands. */
    enum State {
        /** Frames flow both ways. */
        OPEN,
        /** We sent our close frame and wait for the peer's, up to the timeout. */
        CLOSE_SENT,
        /** The peer's close came first; our answer is being sent. */
        CLOSE_RECEIVED,
        /** Over: nothing more is sent or received. */
        CLOSED
    }

    private final RawWebSocketSession raw;
    private final SessionTimers timers;
    private final Duration timeout;
    private final Supplier<String> describe;
    /** The session's clean-up, run once by {@link #end}: the reason and the cause it ended with. */
    private final BiConsumer<CloseReason, Throwable> ended;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    /** The close frame we send, set before the state leaves OPEN through us. */
    private final AtomicReference<CloseReason> ourClose = new AtomicReference<>();
    private final CompletableFuture<CloseReason> closeReason = new CompletableFuture<>();

    /**
     * @param describe what the session is, for log messages
     * @param ended the session's clean-up when it ends
     */
    CloseHandshake(RawWebSocketSession raw, SessionTimers timers, Duration timeout, Supplier<String> describe,
                   BiConsumer<CloseReason, Throwable> ended) {
        this.raw = raw;
        this.timers = timers;
        this.timeout = timeout;
        this.describe = describe;
        this.ended = ended;
    }

    State state() {
        return state.get();
    }

    boolean isOpen() {
        return state.get() == State.OPEN;
    }

    boolean isClosed() {
        return state.get() == State.CLOSED;
    }

    /** Sends our close frame (unless a close was sent or received already) and waits for the peer's up to the timeout. */
    void start(CloseReason reason) {
        if (!claim(reason)) {
            return;
        }
        raw.close(reason);
        timers.schedule(timeout, this::deadline);
    }

    /** Whether {@code reason} becomes our close frame: only from OPEN, only once. */
    private boolean claim(CloseReason reason) {
        if (state.get() != State.OPEN || !ourClose.compareAndSet(null, reason)) { // race: two closers at once; the first reason wins
            return false;
        }
        return state.compareAndSet(State.OPEN, State.CLOSE_SENT); // race: the peer's close came in between; we answer it instead
    }

    private void deadline() {
        if (state.get() == State.CLOSE_SENT) {
            LOG.log(Level.DEBUG, () -> "the peer of " + describe.get() + " did not answer our close within "
                + DefaultSession.format(timeout) + "; dropping the connection");
            CloseReason ours = ourClose.get();
            end(ours, new EOFException("the peer did not answer the close " + ours + " within " + DefaultSession.format(timeout)));
            raw.terminate();
        }
    }

    /**
     * The peer's close came, and the handler has answered what came before it: echoes its code and reason and ends,
     * or, when our close went out first, completes our handshake.
     *
     * @param theirs the peer's close reason, {@code null} for a close without payload
     * @param reported what the session reports for it (1005 for a close without payload)
     */
    void answerPeer(CloseReason theirs, CloseReason reported, EOFException peerClosed) {
        if (state.compareAndSet(State.OPEN, State.CLOSE_RECEIVED)) { // race: the handler's close() at the same moment; the loser sees CLOSE_SENT
            raw.send(theirs == null ? Frame.close() : Frame.close(theirs));
            raw.flush();
            end(reported, peerClosed);
        } else if (state.get() == State.CLOSE_SENT) {
            // race: the closer may not have queued our close frame yet, and ending stops all sending; queue it here
            // too: the RAW session takes the first close frame and refuses the second
            raw.send(Frame.close(ourClose.get()));
            end(ourClose.get(), peerClosed); // the handshake we started is complete
        }
    }

    /** Sends a close frame with {@code reason} (unless a close was sent or received) and ends without waiting (RFC 6455 7.1.7). */
    void fail(CloseReason reason, Throwable cause) {
        if (claim(reason)) {
            raw.close(reason);
        }
        end(reason, cause);
    }

    /** Drops the connection without a close frame. */
    void drop(CloseReason reason) {
        end(reason, new EOFException("the session was dropped: " + reason.message()));
        raw.terminate();
    }

    /** The one way the session ends; later calls do nothing. */
    void end(CloseReason reason, Throwable cause) {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) { // race: the reader, a timer and the handler may all end it; the first wins
            return;
        }
        ended.accept(reason, cause);
        // the handler's callbacks on closeReason() run on the user executor, never on the reader's (engine) thread
        Executor user = raw.userContext();
        try {
            user.execute(() -> closeReason.complete(reason));
        } catch (RejectedExecutionException stopping) {
            closeReason.complete(reason);
        }
    }

    /** Why the session ended, once it did. */
    CompletionStage<CloseReason> reason() {
        return closeReason.copy();
    }
}
