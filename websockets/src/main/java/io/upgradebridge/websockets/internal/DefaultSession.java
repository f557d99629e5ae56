package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.IncomingFrames;
import io.upgradebridge.websocket.WebSocketProtocolException;
import io.upgradebridge.websocket.internal.FrameInbox;
import io.upgradebridge.websocket.internal.FrameSink;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.IncomingMessages;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;

import java.io.EOFException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The default session: a layer over a RAW session that takes every frame the RAW session's reader parses (it is the
 * reader's {@link FrameSink}): it answers pings, hands pongs to the {@link Heartbeat}, runs the
 * {@link CloseHandshake}, and checks and decodes data frames into the one {@link FrameInbox} its handler reads (frame
 * by frame, or whole messages through the {@link MessageReader}). A frame is queued once, in that inbox; while it is
 * full, the reader stops (and with it the socket reads).
 *
 * <p>Frames are taken on the reader's thread (the engine executor) and never wait there; the handler, its receives
 * and the close reason it is told run on the user executor. Timer tasks only queue frames or end the session. The
 * peer's close and protocol errors are answered only after the handler's answers to what came before them
 * ({@link OrderingGate}). The session ends once ({@link CloseHandshake#end}): its timer tasks are cancelled, the
 * (de)compressors freed, the handler's receives ended, and control goes back to the RAW session, which flushes and
 * lets the bridge close the connection.
 */
public final class DefaultSession implements DefaultWebSocketSession, FrameSink {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websockets");

    /** How the handler reads: decided by its first call of {@link #incoming()} or {@link #frames()}. */
    private enum ReadMode { UNDECIDED, MESSAGES, FRAMES }

    private final RawWebSocketSession raw;
    private final String protocol;
    private final WebSocketSettings settings;
    private final DataFrameDecoder decoder; // used by the reader only; closed under its lock
    private final MessageSender sender;
    private final FrameInbox inbox;
    private final MessageReader messages;
    private final SessionTimers timers;
    private final CloseHandshake close;
    private final Heartbeat heartbeat;
    private final OrderingGate afterHandler;
    private final AtomicReference<ReadMode> readMode = new AtomicReference<>(ReadMode.UNDECIDED);
    /** What {@link #run} returns: completes when the session is over. */
    private final CompletableFuture<Void> over = new CompletableFuture<>();
    /** The answer to a ping while it is not in the output yet: the reader takes the next frame after it. */
    private volatile CompletableFuture<Void> pongInFlight;
    private volatile Runnable roomSignal;

    private DefaultSession(RawWebSocketSession raw, String protocol, WebSocketSettings settings, DeflateAgreement deflate,
                           TimerLoop timer) {
        this.raw = raw;
        this.protocol = protocol;
        this.settings = settings;
        // the RAW session checks uncompressed text as it arrives (at the first bad byte); the decoder checks inflated text
        this.decoder = new DataFrameDecoder(settings.maxMessageSize(), deflate, !raw.checksUtf8());
        this.sender = new MessageSender(raw, deflate);
        this.inbox = new FrameInbox(raw.userContext());
        this.messages = new MessageReader(inbox, settings.maxMessageSize());
        // timer tasks run where the handler runs: the RAW session's user executor
        this.timers = new SessionTimers(timer, raw.userContext());
        this.close = new CloseHandshake(raw, timers, settings.timeout(), this::describe, this::ended);
        this.heartbeat = new Heartbeat(raw, settings, timers, close, this::describe);
        this.afterHandler = new OrderingGate(inbox, timers, settings.timeout());
    }

    /**
     * Runs {@code handler} with a default session over {@code raw}: the RAW session's {@link RawWebSocketSession.Layer}.
     *
     * @param raw the RAW session
     * @param protocol the negotiated subprotocol or {@code null}
     * @param deflate the permessage-deflate agreement, or {@code null} when not negotiated
     * @param timer schedules pings and timeouts; its tasks only hand work to executors, never block
     * @return completes when the session is over (close handshake done or timed out); the RAW session then
     *     flushes and the bridge closes the connection
     */
    public static CompletionStage<?> run(RawWebSocketSession raw, String protocol, WebSocketSettings settings,
                                         DeflateAgreement deflate, WebSocketHandler handler, TimerLoop timer) {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(timer, "timer");
        if (settings.masking()) {
            raw.masking(true);
        }
        DefaultSession session = new DefaultSession(raw, protocol, settings, deflate, timer);
        session.start(handler);
        return session.over;
    }

    private void start(WebSocketHandler handler) {
        raw.readInto(this);
        heartbeat.start();
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

    // ------------------------------------------------------------------ the reader's frames (engine executor)

    @Override
    public boolean hasRoom() {
        CompletableFuture<Void> pong = pongInFlight;
        return inbox.hasRoom() && (pong == null || pong.isDone());
    }

    @Override
    public void onRoom(Runnable signal) {
        roomSignal = signal;
        inbox.onRoom(signal);
    }

    @Override
    public boolean accept(Frame frame) {
        try {
            return onFrame(frame);
        } catch (RuntimeException e) {
            readingFailed(e);
            return false;
        }
    }

    /** One frame from the peer; whether to take the next one. */
    private boolean onFrame(Frame frame) {
        heartbeat.frameArrived();
        FrameType type = frame.type();
        if (type.isControl() && type != FrameType.CLOSE && (frame.rsv1() || frame.rsv2() || frame.rsv3())) {
            failAfterHandler(new WebSocketProtocolException(CloseReason.Codes.PROTOCOL_ERROR, "reserved bit set on a " + type + " frame"));
            return false;
        }
        switch (type) {
            case PING:
                if (close.isOpen()) { // closing: no more frames but the close go out
                    answerPing(frame);
                }
                return true;
            case PONG:
                heartbeat.pongArrived(frame);
                return true;
            case CLOSE:
                peerClosed(frame);
                return false;
            default:
                return onDataFrame(frame);
        }
    }

    /** Queues the pong; the reader takes the next frame once it is in the output, so a peer that floods pings is held back. */
    private void answerPing(Frame ping) {
        CompletableFuture<Void> sent = raw.send(Frame.pong(ping.data())).toCompletableFuture();
        if (!sent.isDone()) {
            pongInFlight = sent;
            sent.whenComplete((v, e) -> {
                Runnable signal = roomSignal;
                if (signal != null) {
                    signal.run();
                }
            });
        }
    }

    private boolean onDataFrame(Frame frame) {
        CloseHandshake.State now = close.state();
        if (now == CloseHandshake.State.CLOSE_SENT) {
            return true; // we are closing: data still in flight is dropped while we wait for the peer's close
        }
        if (now != CloseHandshake.State.OPEN) {
            return false;
        }
        Frame decoded;
        try {
            synchronized (decoder) {
                decoded = decoder.decode(frame);
            }
        } catch (WebSocketProtocolException e) {
            failAfterHandler(e);
            return false;
        }
        inbox.offer(decoded);
        return true;
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
        afterHandler(peerClosed, () -> close.answerPeer(theirs, reported, peerClosed));
    }

    /** No more frames come from the RAW session: the peer went away, broke the protocol, or the RAW session ends. */
    @Override
    public void end(Throwable cause) {
        if (close.isClosed() || afterHandler.isSet()) {
            return; // over, or we stopped reading at the peer's close or an error: the action waiting for the handler ends the session
        }
        if (cause instanceof WebSocketProtocolException protocolError) {
            failAfterHandler(protocolError); // the RAW session leaves the close frame to us
        } else if (cause instanceof CancellationException) {
            close.end(new CloseReason(CloseReason.Codes.GOING_AWAY, cause.getMessage()), cause); // the application is stopping
        } else {
            String why = cause == null || cause.getMessage() == null ? "the connection ended without a close frame" : cause.getMessage();
            close.end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, why), cause);
        }
    }

    /** Taking a frame failed: a connection lost under the session, or a fault of ours. */
    private void readingFailed(RuntimeException e) {
        Throwable cause = Failures.unwrap(e);
        if (peerWentAway(cause)) {
            LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " went away: " + cause);
            close.end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, String.valueOf(cause.getMessage())), cause);
            return;
        }
        LOG.log(Level.ERROR, "reading the WebSocket session of " + describe() + " failed; closing with 1011", cause);
        close.fail(new CloseReason(CloseReason.Codes.INTERNAL_ERROR, "internal error"), cause);
    }

    // ------------------------------------------------------------------ the handler

    private void handlerEnded(Throwable failure) {
        afterHandler.handlerEnded();
        // The peer's close or a protocol error came first: its action (waiting, or taken to run) ends the session with
        // its own close frame. Race: the action is taken before it claims its close on another thread; a normal close
        // (1000) started here in between would go out instead of the 1002 or the peer's code.
        if (afterHandler.isSet()) {
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "the WebSocket handler of " + describe() + " ended with " + failure
                    + " while the session was closing");
            }
            afterHandler.release(); // the handler is done: nothing more to wait for (nothing once the action was taken)
            return;
        }
        if (failure == null) {
            close.start(new CloseReason(CloseReason.Codes.NORMAL, ""));
            return;
        }
        Throwable cause = Failures.unwrap(failure);
        if (!close.isOpen() && (cause instanceof ClosedReceiveException || cause instanceof ClosedSendException)) {
            return; // the handler saw the session end: not its failure
        }
        if (peerWentAway(cause)) {
            // the peer reset the connection and the handler's send or receive saw it: normal traffic, not a failure
            if (!close.isClosed()) {
                LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " went away: " + cause);
            }
            close.end(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, String.valueOf(cause.getMessage())), cause);
            return;
        }
        LOG.log(Level.WARNING, "the WebSocket handler of " + describe() + " failed; closing the session with 1011", cause);
        close.start(new CloseReason(CloseReason.Codes.INTERNAL_ERROR, "internal error"));
    }

    /** Whether {@code cause} is the connection going away under the session (a reset peer), not code that failed. */
    private boolean peerWentAway(Throwable cause) {
        return raw.connectionLost() && Failures.isConnectionLoss(cause);
    }

    /** Ends the handler's frames with {@code cause} and runs {@code action} once the handler has answered those before. */
    private void afterHandler(Throwable cause, Runnable action) {
        // the handler may still answer when it reads (or has frames waiting) and no close of ours went out
        boolean handlerMayAnswer = close.isOpen() && (readMode.get() != ReadMode.UNDECIDED || inbox.hasFrame());
        afterHandler.after(cause, handlerMayAnswer, action);
    }

    /** The peer broke the protocol or a limit: once the handler has answered what came before, fail the connection. */
    private void failAfterHandler(WebSocketProtocolException e) {
        LOG.log(Level.DEBUG, () -> "the peer of " + describe() + " broke the protocol: " + e.getMessage());
        afterHandler(e, () -> {
            LOG.log(Level.DEBUG, () -> "closing the WebSocket session of " + describe() + ": " + e.getMessage());
            close.fail(e.closeReason(), e); // without waiting for the peer's close (RFC 6455 7.1.7)
        });
    }

    /** The session ended ({@link CloseHandshake#end}, once): frees everything and hands control back to the RAW session. */
    private void ended(CloseReason reason, Throwable cause) {
        timers.cancelAll();
        inbox.end(cause);
        synchronized (decoder) {
            decoder.close();
        }
        sender.close();
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
        return inbox;
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
        if (!close.isOpen()) {
            return closedForSend();
        }
        // race: a close frame may be queued between the check and this send; the RAW session then refuses the frame the same way
        return sender.send(message);
    }

    @Override
    public CompletionStage<Void> sendFrame(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        MessageSender.checkSendable(frame);
        if (!close.isOpen()) {
            return closedForSend();
        }
        return sender.sendFrame(frame);
    }

    private CompletionStage<Void> closedForSend() {
        return CompletableFuture.failedFuture(new ClosedSendException(close.isClosed()
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
        close.start(reason);
        return close.reason();
    }

    @Override
    public CompletionStage<CloseReason> closeReason() {
        return close.reason();
    }

    @Override
    public void terminate() {
        close.drop(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, "terminated by the handler"));
    }

    /** Where the close handshake stands, for tests. */
    CloseHandshake.State state() {
        return close.state();
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

    @Override
    public String toString() {
        return "DefaultSession{" + describe() + ", " + close.state() + ", reads " + readMode.get() + ", " + decoder + ", " + inbox + '}';
    }
}
