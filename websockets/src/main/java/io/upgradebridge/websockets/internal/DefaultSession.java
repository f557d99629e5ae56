package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.IncomingFrames;
import io.upgradebridge.websocket.WebSocketProtocolException;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.IncomingMessages;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;

import java.io.EOFException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The default session, running on top of a RAW session: it reads every raw frame itself (answering pings,
 * checking pongs, doing the close handshake), hands checked data frames to the handler through a bounded
 * queue, pings the peer and watches for silence with the shared timer, and closes with the right code
 * when something goes wrong.
 *
 * <p>Reading runs wherever the RAW session completes its receives (the user executor) and never blocks:
 * while the queue is full the next raw frame is not taken, so the RAW session stops reading the socket.
 * Timer tasks only queue frames, terminate the RAW session or end this one; they never wait.
 *
 * <p>The close handshake is an explicit state machine ({@link State}) moved by CAS only; the session ends
 * exactly once ({@link #end}), which cancels its timer tasks, frees the (de)compressors, ends the handler's
 * receives, completes {@link #closeReason()} and returns control to the RAW session, which flushes and lets
 * the bridge close TCP.
 */
public final class DefaultSession implements DefaultWebSocketSession {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websockets");

    /** Our pings carry this prefix and a counter, so that their pongs can be told from unsolicited ones. */
    static final String PING_PREFIX = "upgrade-bridge-ping-";

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

    /** How the handler reads: decided by its first call of {@link #incoming()} or {@link #frames()}. */
    private enum ReadMode { UNDECIDED, MESSAGES, FRAMES }

    private final WebSocketSession raw;
    private final String protocol;
    private final WebSocketSettings settings;
    private final DataFrameDecoder decoder; // used by the reader only; closed under its lock
    private final MessageSender sender;
    private final FrameQueue queue = new FrameQueue();
    private final MessageReader messages;
    private final SessionTimers timers;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final AtomicReference<ReadMode> readMode = new AtomicReference<>(ReadMode.UNDECIDED);
    /** The close frame we send, set before the state leaves OPEN through us. */
    private final AtomicReference<CloseReason> ourClose = new AtomicReference<>();
    /** The payload of our ping still waiting for its pong, or {@code null}. */
    private final AtomicReference<String> awaitedPong = new AtomicReference<>();
    private final AtomicLong pings = new AtomicLong();
    private final CompletableFuture<CloseReason> closeReason = new CompletableFuture<>();
    /** What {@link #run} returns: completes when the session is over. */
    private final CompletableFuture<Void> over = new CompletableFuture<>();
    private volatile long lastFrameNanos;
    /**
     * What to do once the handler has dealt with every frame that came before the peer's close or a protocol
     * error (answer the close, or fail the connection): {@code null} before, {@link #DONE} once a thread took it to run
     * (it may still be running there). Once set, the handler's exit no longer decides how the session closes.
     */
    private final AtomicReference<Runnable> afterHandler = new AtomicReference<>();
    private static final Runnable DONE = () -> { };
    /** Set once the handler's stage completed (or it threw): nobody is left to answer frames. */
    private volatile boolean handlerDone;

    private DefaultSession(WebSocketSession raw, String protocol, WebSocketSettings settings, DeflateAgreement deflate,
                           ScheduledExecutorService timer) {
        this.raw = raw;
        this.protocol = protocol;
        this.settings = settings;
        // the RAW session checks uncompressed text as it arrives (at the first bad byte); the decoder checks inflated text
        this.decoder = new DataFrameDecoder(settings.maxMessageSize(), deflate,
            !(raw instanceof RawWebSocketSession r && r.checksUtf8()));
        this.sender = new MessageSender(raw, deflate);
        this.messages = new MessageReader(queue, settings.maxMessageSize());
        // timer tasks run where the handler runs: the RAW session's user executor
        this.timers = new SessionTimers(timer, raw instanceof RawWebSocketSession r ? r.userContext() : Runnable::run);
    }

    /**
     * Runs {@code handler} with a default session over {@code raw}.
     *
     * @param raw the RAW session (its handler is this method)
     * @param protocol the negotiated subprotocol or {@code null}
     * @param deflate the permessage-deflate agreement, or {@code null} when not negotiated
     * @param timer schedules pings and timeouts; its tasks only hand work to executors, never block
     * @return completes when the session is over (close handshake done or timed out); the RAW session then
     *     flushes and the bridge closes TCP
     */
    public static CompletionStage<?> run(WebSocketSession raw, String protocol, WebSocketSettings settings,
                                         DeflateAgreement deflate, WebSocketHandler handler, ScheduledExecutorService timer) {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(timer, "timer");
        if (settings.masking()) {
            raw.setMasking(true);
        }
        DefaultSession session = new DefaultSession(raw, protocol, settings, deflate, timer);
        session.start(handler);
        return session.over;
    }

    private void start(WebSocketHandler handler) {
        lastFrameNanos = System.nanoTime();
        raw.incoming().forEach(this::onRawFrame).whenComplete(this::readingEnded);
        if (!settings.pingPeriod().isZero()) {
            timers.schedule(settings.pingPeriod(), this::pingTick);
        }
        if (!settings.idleTimeout().isZero()) {
            timers.schedule(settings.idleTimeout(), this::idleCheck);
        }
        CompletionStage<?> stage;
        try {
            stage = handler.handle(this);
        } catch (Throwable t) {
            handlerEnded(t);
            return;
        }
        if (stage == null) {
            handlerEnded(null);
        } else {
            stage.whenComplete((v, e) -> handlerEnded(e));
        }
    }

    // ------------------------------------------------------------------ reading

    /** One raw frame from the peer; the stage says whether to take the next one (and when). */
    private CompletionStage<Boolean> onRawFrame(Frame frame) {
        lastFrameNanos = System.nanoTime();
        FrameType type = frame.type();
        if (type.isControl() && type != FrameType.CLOSE && (frame.rsv1() || frame.rsv2() || frame.rsv3())) {
            failAfterHandler(new WebSocketProtocolException(CloseReason.Codes.PROTOCOL_ERROR, "reserved bit set on a " + type + " frame"));
            return stop();
        }
        switch (type) {
            case PING:
                if (state.get() != State.OPEN) {
                    return goOn(); // closing: no more frames but the close go out
                }
                return raw.send(Frame.pong(frame.data())).handle((v, e) -> Boolean.TRUE);
            case PONG:
                String awaited = awaitedPong.get();
                if (awaited != null && frame.data().equals(ByteBuffer.wrap(awaited.getBytes(StandardCharsets.US_ASCII)))) {
                    awaitedPong.compareAndSet(awaited, null); // race: the pong deadline looks at the same moment; a pong in time wins
                }
                return goOn(); // an unsolicited pong is a heartbeat: nothing to answer
            case CLOSE:
                peerClosed(frame);
                return stop();
            default:
                return onDataFrame(frame);
        }
    }

    private CompletionStage<Boolean> onDataFrame(Frame frame) {
        State now = state.get();
        if (now == State.CLOSE_SENT) {
            return goOn(); // we are closing: data still in flight is dropped while we wait for the peer's close
        }
        if (now != State.OPEN) {
            return stop();
        }
        Frame decoded;
        try {
            synchronized (decoder) {
                decoded = decoder.decode(frame);
            }
        } catch (WebSocketProtocolException e) {
            failAfterHandler(e);
            return stop();
        }
        return queue.offer(decoded).thenApply(v -> Boolean.TRUE);
    }

    private void peerClosed(Frame frame) {
        CloseReason theirs;
        try {
            theirs = PeerCloseCheck.reasonOf(frame);
        } catch (WebSocketProtocolException e) {
            failAfterHandler(e);
            return;
        }
        CloseReason reported = theirs != null ? theirs : new CloseReason(CloseReason.Codes.NO_STATUS, "");
        EOFException peerClosed = new EOFException("the peer closed the session: " + reported);
        // the handler first answers what came before the close (an echo, say): our close must not overtake it
        afterHandler(peerClosed, () -> answerPeerClose(theirs, reported, peerClosed));
    }

    private void answerPeerClose(CloseReason theirs, CloseReason reported, EOFException peerClosed) {
        if (state.compareAndSet(State.OPEN, State.CLOSE_RECEIVED)) { // race: the handler's close() at the same moment; the loser sees CLOSE_SENT
            Frame answer = theirs == null ? Frame.close() : Frame.close(theirs); // the peer's code and reason, echoed
            raw.send(answer);
            raw.flush();
            end(reported, peerClosed);
        } else if (state.get() == State.CLOSE_SENT) {
            // race: the closer may not have queued our close frame yet, and ending stops all sending; queue it here
            // too: the RAW session takes the first close frame and refuses the second
            raw.send(Frame.close(ourClose.get()));
            end(ourClose.get(), peerClosed); // the handshake we started is complete
        }
    }

    /** The raw frames ended: we stopped reading, the peer went away, the RAW session failed or was stopped. */
    private void readingEnded(Void ignored, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.unwrap(error);
            if (peerWentAway(cause)) {
                LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " went away: " + cause);
                end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, String.valueOf(cause.getMessage())), cause);
                return;
            }
            LOG.log(Level.ERROR, "reading the WebSocket session of " + describe() + " failed; closing with 1011", cause);
            failConnection(new CloseReason(CloseReason.Codes.INTERNAL_ERROR, "internal error"), cause);
            return;
        }
        if (state.get() == State.CLOSED) {
            return;
        }
        if (afterHandler.get() != null) {
            return; // we stopped reading at the peer's close or an error: the action waiting for the handler ends the session
        }
        Throwable cause = rawEndCause();
        if (cause instanceof WebSocketProtocolException protocolError) {
            failAfterHandler(protocolError); // the RAW session leaves the close frame to us
        } else if (cause instanceof CancellationException) {
            end(new CloseReason(CloseReason.Codes.GOING_AWAY, cause.getMessage()), cause); // the application is stopping
        } else {
            String why = cause == null || cause.getMessage() == null ? "the connection ended without a close frame" : cause.getMessage();
            end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, why), cause);
        }
    }

    private Throwable rawEndCause() {
        try {
            raw.incoming().poll();
            return null;
        } catch (ClosedReceiveException e) {
            return e.getCause();
        }
    }

    // ------------------------------------------------------------------ timers (tasks only queue frames or end the session)

    private void pingTick() {
        if (state.get() != State.OPEN) {
            return;
        }
        if (awaitedPong.get() == null) {
            String payload = PING_PREFIX + pings.incrementAndGet();
            awaitedPong.set(payload);
            raw.send(Frame.ping(ByteBuffer.wrap(payload.getBytes(StandardCharsets.US_ASCII))));
            timers.schedule(settings.timeout(), () -> pongDeadline(payload));
        }
        timers.schedule(settings.pingPeriod(), this::pingTick);
    }

    private void pongDeadline(String payload) {
        if (payload.equals(awaitedPong.get()) && state.get() != State.CLOSED) {
            String why = "no pong within " + format(settings.timeout());
            LOG.log(Level.DEBUG, () -> "dropping the WebSocket session of " + describe() + ": " + why);
            drop(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, why));
        }
    }

    private void idleCheck() {
        if (state.get() != State.OPEN) {
            return;
        }
        long quietNanos = System.nanoTime() - lastFrameNanos;
        long idleNanos = settings.idleTimeout().toNanos();
        if (quietNanos >= idleNanos) {
            startClose(new CloseReason(CloseReason.Codes.GOING_AWAY, "idle timeout"));
        } else {
            timers.schedule(Duration.ofNanos(idleNanos - quietNanos), this::idleCheck);
        }
    }

    private void closeDeadline() {
        if (state.get() == State.CLOSE_SENT) {
            LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " did not answer our close within "
                + format(settings.timeout()) + "; dropping the connection");
            CloseReason ours = ourClose.get();
            end(ours, new EOFException("the peer did not answer the close " + ours + " within " + format(settings.timeout())));
            raw.terminate();
        }
    }

    // ------------------------------------------------------------------ closing

    private void handlerEnded(Throwable failure) {
        handlerDone = true;
        // The peer's close or a protocol error came first: its action (pending, or DONE once taken) ends the session
        // with its own close frame. Race: DONE is set before the action on another thread claims its close; a
        // normal close (1000) started here in between would go out instead of the 1002 or the peer's code.
        if (afterHandler.get() != null) {
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "the WebSocket handler of " + describe() + " ended with " + failure
                    + " while the session was closing");
            }
            runAfterHandler(); // the handler is done: nothing more to wait for (does nothing once DONE)
            return;
        }
        if (failure == null) {
            startClose(new CloseReason(CloseReason.Codes.NORMAL, ""));
            return;
        }
        Throwable cause = Failures.unwrap(failure);
        if (state.get() != State.OPEN && (cause instanceof ClosedReceiveException || cause instanceof ClosedSendException)) {
            return; // the handler saw the session end: not its failure
        }
        if (peerWentAway(cause)) {
            // the peer reset the connection and the handler's send or receive saw it: normal traffic, not a failure
            if (state.get() != State.CLOSED) {
                LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " went away: " + cause);
            }
            end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, String.valueOf(cause.getMessage())), cause);
            return;
        }
        LOG.log(Level.WARNING, "the WebSocket handler of " + describe() + " failed; closing the session with 1011", cause);
        startClose(new CloseReason(CloseReason.Codes.INTERNAL_ERROR, "internal error"));
    }

    /** Whether {@code cause} is the connection going away under the session (a reset peer), not code that failed. */
    private boolean peerWentAway(Throwable cause) {
        return raw instanceof RawWebSocketSession r && r.connectionLost() && Failures.isConnectionLoss(cause);
    }

    /** Sends our close frame (unless a close was sent or received already) and waits for the peer's up to the timeout. */
    private void startClose(CloseReason reason) {
        if (!claimClose(reason)) {
            return;
        }
        raw.close(reason);
        timers.schedule(settings.timeout(), this::closeDeadline);
    }

    /** Whether {@code reason} becomes our close frame: only from OPEN, only once. */
    private boolean claimClose(CloseReason reason) {
        if (state.get() != State.OPEN || !ourClose.compareAndSet(null, reason)) { // race: two closers at once; the first reason wins
            return false;
        }
        return state.compareAndSet(State.OPEN, State.CLOSE_SENT); // race: the peer's close came in between; we answer it instead
    }

    /**
     * Ends the handler's input with {@code cause} and runs {@code action} once the handler has dealt with every frame
     * received before (it asked for one more), or has ended, or the timeout passed, whichever comes first; at once
     * when the handler reads nothing at all. Only the first such action counts.
     */
    private void afterHandler(Throwable cause, Runnable action) {
        if (!afterHandler.compareAndSet(null, action)) { // race: an error right after the peer's close; the first decides
            return;
        }
        boolean nothingToWaitFor = handlerDone || state.get() != State.OPEN // we sent our close: no answer can follow
            || (readMode.get() == ReadMode.UNDECIDED && !queue.hasFrame()); // nothing read, nothing waiting to be read
        queue.end(cause);
        if (nothingToWaitFor) {
            runAfterHandler();
            return;
        }
        queue.endSeen().thenRun(this::runAfterHandler);
        timers.schedule(settings.timeout(), this::runAfterHandler);
    }

    private void runAfterHandler() {
        Runnable action = afterHandler.getAndSet(DONE);
        if (action != null && action != DONE) {
            action.run();
        }
    }

    /** The peer broke the protocol or a limit: once the handler has answered what came before, fail the connection. */
    private void failAfterHandler(WebSocketProtocolException e) {
        LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " broke the protocol: " + e.getMessage());
        afterHandler(e, () -> failConnection(e));
    }

    /** The peer broke the protocol or a limit: send the close frame with its code and end without waiting (RFC 6455 7.1.7). */
    private void failConnection(WebSocketProtocolException e) {
        LOG.log(Level.DEBUG, () -> "closing the WebSocket session of " + describe() + ": " + e.getMessage());
        failConnection(e.closeReason(), e);
    }

    private void failConnection(CloseReason reason, Throwable cause) {
        if (claimClose(reason)) {
            raw.close(reason);
        }
        end(reason, cause);
    }

    /** Drops the connection without a close frame. */
    private void drop(CloseReason reason) {
        end(reason, new EOFException("the session was dropped: " + reason.message()));
        raw.terminate();
    }

    /** The one way the session ends; later calls do nothing. */
    private void end(CloseReason reason, Throwable cause) {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) { // race: the reader, a timer and the handler may all end it; the first wins
            return;
        }
        timers.cancelAll();
        queue.end(cause);
        synchronized (decoder) {
            decoder.close();
        }
        sender.close();
        closeReason.complete(reason);
        over.complete(null);
    }

    // ------------------------------------------------------------------ DefaultWebSocketSession

    @Override
    public ApplicationCall call() {
        return raw.call();
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public List<String> extensions() {
        return raw.extensions();
    }

    @Override
    public WebSocketSettings settings() {
        return settings;
    }

    @Override
    public IncomingMessages incoming() {
        chooseReadMode(ReadMode.MESSAGES);
        return messages;
    }

    @Override
    public IncomingFrames frames() {
        chooseReadMode(ReadMode.FRAMES);
        return queue;
    }

    private void chooseReadMode(ReadMode wanted) {
        if (readMode.compareAndSet(ReadMode.UNDECIDED, wanted) || readMode.get() == wanted) { // race: two threads choose; the first wins
            return;
        }
        throw new IllegalStateException(wanted == ReadMode.MESSAGES
            ? "this session's handler already reads data frames through frames(); it cannot also read whole messages through incoming()"
            : "this session's handler already reads whole messages through incoming(); it cannot also read data frames through frames()");
    }

    @Override
    public CompletionStage<Void> send(Message message) {
        Objects.requireNonNull(message, "message");
        if (state.get() != State.OPEN) {
            return closedForSend();
        }
        // race: a close frame may be queued between the check and this send; the RAW session then refuses the frame the same way
        return sender.send(message);
    }

    @Override
    public CompletionStage<Void> sendFrame(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        MessageSender.checkSendable(frame);
        if (state.get() != State.OPEN) {
            return closedForSend();
        }
        return sender.sendFrame(frame);
    }

    private CompletionStage<Void> closedForSend() {
        return CompletableFuture.failedFuture(new ClosedSendException(state.get() == State.CLOSED
            ? "the WebSocket session is closed" : "a close frame was sent; data frames can no longer be sent", null));
    }

    @Override
    public CompletionStage<Void> flush() {
        return raw.flush();
    }

    @Override
    public CompletionStage<CloseReason> close(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (!CloseReason.isValidOnWire(reason.code())) {
            throw new IllegalArgumentException("close code " + reason.code() + " may not be sent in a CLOSE frame"
                + " (RFC 6455 section 7.4); use 1000-1003, 1007-1014 or an application code 3000-4999");
        }
        startClose(reason);
        return closeReason.copy();
    }

    @Override
    public CompletionStage<CloseReason> closeReason() {
        return closeReason.copy();
    }

    @Override
    public void terminate() {
        drop(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, "terminated by the handler"));
    }

    /** Where the close handshake stands, for tests. */
    State state() {
        return state.get();
    }

    /** Timer tasks not yet run, for tests. */
    int pendingTimers() {
        return timers.pending();
    }

    private String describe() {
        ApplicationCall call = raw.call();
        return call == null ? "a WebSocket session" : call.uri() + " from " + call.remoteAddress();
    }

    /** For example {@code 15 s} or {@code 250 ms}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static CompletionStage<Boolean> goOn() {
        return CompletableFuture.completedFuture(Boolean.TRUE);
    }

    private static CompletionStage<Boolean> stop() {
        return CompletableFuture.completedFuture(Boolean.FALSE);
    }

    @Override
    public String toString() {
        return "DefaultSession{" + describe() + ", " + state.get() + ", reads " + readMode.get() + ", " + decoder + ", " + queue + '}';
    }
}
