package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.DrainPort;
import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;
import io.upgradebridge.websocket.OutgoingFrames;
import io.upgradebridge.websocket.WebSocketProtocolException;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The RAW session behind {@link io.upgradebridge.websocket.WebSocketUpgrade}, and under the WebSockets feature's
 * default session. One frame reader on the engine executor parses the connection's input ({@link FrameReader}) and
 * hands each frame to a {@link FrameSink}: the session's own {@link FrameInbox}, from which the handler receives
 * them on the user executor, or the layer above that takes the frames itself. The reader stops while the sink is full
 * (and with it the socket reads); senders wait while the output is full. The session's job completes when the handler
 * (or the layer) is done and every frame it sent is in the output; the bridge then flushes and closes the connection.
 */
public final class RawWebSocketSession implements WebSocketSession {

    /** A layer above the RAW session that takes the peer's frames itself ({@link #readInto}) instead of a handler. */
    @FunctionalInterface
    public interface Layer {
        /** Runs on the user executor; the session ends when the stage completes. */
        CompletionStage<?> run(RawWebSocketSession session) throws Exception;
    }

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websocket");
    /** The server side's writer keeps no state (it does not mask): one for every session. */
    private static final FrameWriter WRITER = new FrameWriter();
    private static final VarHandle ENDING;

    static {
        try {
            ENDING = MethodHandles.lookup().findVarHandle(RawWebSocketSession.class, "ending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ApplicationCall call;
    private final ByteReadChannel input;
    private final ByteWriteChannel output;
    private final Executor engine;
    private final Executor user;
    private final FrameParser parser;
    private final FrameReader reader;
    private volatile FrameWriter maskingWriter;
    private final FrameInbox inbox;
    private final FrameOutbox outbox;
    private final SessionJob job = new SessionJob(this);
    /** Set once by CAS through {@link #ENDING}. */
    private volatile boolean ending;
    /** Set once the peer broke the protocol; its close frame goes out when the handler exits. */
    private volatile WebSocketProtocolException protocolError;
    private volatile boolean masking;
    private final List<String> extensions;

    /** @param call the call that started the session ({@code null} only in tests) */
    public RawWebSocketSession(ApplicationCall call, ByteReadChannel input, ByteWriteChannel output,
                               Executor engine, Executor user, long maxFrameSize) {
        this(call, input, output, engine, user, new WebSocketUpgrade.Options(maxFrameSize, List.of(), 0));
    }

    /** @param options frame limit, negotiated extensions and the reserved bits they may set */
    public RawWebSocketSession(ApplicationCall call, ByteReadChannel input, ByteWriteChannel output,
                               Executor engine, Executor user, WebSocketUpgrade.Options options) {
        this.call = call;
        this.input = input;
        this.output = output;
        this.engine = engine;
        this.user = user;
        this.parser = new FrameParser(options.maxFrameSize(), true, options.reservedBits(), options.checkUtf8());
        this.reader = new FrameReader(this, DrainPort.of(input), parser, engine);
        this.extensions = options.extensions();
        this.inbox = new FrameInbox(user);
        this.outbox = new FrameOutbox(output, user, this::encode);
    }

    /** What the session is, for log messages; made when one is written, not kept. */
    private String description() {
        return call == null ? "a WebSocket session" : call.uri() + " from " + call.remoteAddress();
    }

    /** Starts reading into {@link #incoming()} and runs {@code handler} on the user executor; returns the session's job. */
    public Job start(WebSocketUpgrade.Handler handler) {
        readInto(inbox);
        run(() -> handler.handle(this));
        return job;
    }

    /** Starts reading into {@link #incoming()} and runs a blocking {@code handler} on the user executor. */
    public Job startBlocking(WebSocketUpgrade.BlockingHandler handler) {
        readInto(inbox);
        run(() -> {
            handler.handle(this);
            return null;
        });
        return job;
    }

    /** Runs {@code layer} on the user executor: it starts the reader with a sink of its own ({@link #readInto}). */
    public Job startLayer(Layer layer) {
        run(() -> layer.run(this));
        return job;
    }

    private void run(Callable<CompletionStage<?>> body) {
        user.execute(() -> {
            try {
                CompletionStage<?> stage = body.call();
                if (stage == null) {
                    handlerExited(null);
                } else {
                    stage.whenComplete((v, e) -> handlerExited(e));
                }
            } catch (Throwable t) {
                handlerExited(t);
            }
        });
    }

    // ------------------------------------------------------------------ reading (engine executor)

    /** Starts the frame reader: the peer's frames go to {@code to}, in order. Once per session. */
    public void readInto(FrameSink to) {
        reader.start(to);
    }

    /**
     * The peer broke the protocol: no more frames are read; the handler takes the frames that came before the error,
     * then sees it (a {@link ClosedReceiveException} caused by it). The close frame with the error's code (1002,
     * 1009, ...) goes out when the handler exits, after whatever it sent in answer to those frames; then the bridge
     * closes TCP.
     */
    void protocolError(WebSocketProtocolException e) {
        LOG.log(Level.DEBUG, () -> "protocol error in " + description() + ": " + e.getMessage());
        protocolError = e;
        endFrames(e);
    }

    /** Ends the frames wherever they go. */
    private void endFrames(Throwable cause) {
        FrameSink to = reader.sink();
        (to != null ? to : inbox).end(cause);
    }

    // ------------------------------------------------------------------ the end

    private void handlerExited(Throwable failure) {
        Throwable cause = failure == null ? null : Failures.unwrap(failure);
        WebSocketProtocolException broken = protocolError;
        if (broken != null) {
            // the peer broke the protocol: its code wins over how the handler took it (often by failing)
            LOG.log(Level.DEBUG, () -> "the WebSocket handler of " + description() + " exited after the protocol error"
                + (cause != null ? " with " + cause : ""));
            if (!outbox.isClosedForSend()) {
                outbox.send(Frame.close(broken.closeReason())); // after the handler's answers to the frames before the error
            }
        } else if (cause != null && connectionLost() && Failures.isConnectionLoss(cause)) {
            // the peer went away (reset, broken pipe) and the handler's send or receive saw it: normal traffic
            LOG.log(Level.DEBUG, () -> "the peer of " + description() + " went away: " + cause);
        } else if (cause != null && !(cause instanceof CancellationException) && !(cause instanceof ClosedReceiveException)
            && !(cause instanceof ClosedSendException)) {
            LOG.log(Level.WARNING, "the WebSocket handler of " + description() + " failed; closing the session with 1011", cause);
            if (!outbox.isClosedForSend()) {
                outbox.send(Frame.close(new CloseReason(CloseReason.Codes.INTERNAL_ERROR, "internal error")));
            }
        }
        endFrames(SessionEnd.cancelled("the session handler exited"));
        finish();
    }

    /** The application stops: close 1001 (going away), then end the session as if the handler had exited. */
    CompletionStage<?> goingAway() {
        if (!outbox.isClosedForSend()) {
            outbox.send(Frame.close(new CloseReason(CloseReason.Codes.GOING_AWAY, "the application is stopping")));
        }
        endFrames(SessionEnd.cancelled("the application is stopping"));
        finish();
        return outbox.queued();
    }

    /** Stops sending and completes the job once every queued frame is in the output. */
    private void finish() {
        if (!ENDING.compareAndSet(this, false, true)) {
            return;
        }
        outbox.closeForSend(null);
        outbox.queued().whenComplete((v, e) -> job.completed());
    }

    /** The job was cancelled (terminate, undeploy): no close frame. */
    void abort(Throwable cause) {
        endFrames(cause);
        outbox.closeForSend(cause);
        output.close(cause);
        input.cancel(cause);
    }

    /**
     * Whether the connection was lost under the session: the bridge closed its channels with a failure (the peer
     * reset, a write failed, the container dropped the connection) or cancelled it.
     */
    public boolean connectionLost() {
        return (output.isClosedForWrite() && output.closedCause() != null) || input.closedCause() != null || job.isCancelled();
    }

    /** Whether this session checks uncompressed text as UTF-8 itself (layers above need not do it again). */
    public boolean checksUtf8() {
        return parser.checksText();
    }

    /** The executor the handler runs on; layers above the RAW session run their own callbacks there too. */
    public Executor userContext() {
        return user;
    }

    // ------------------------------------------------------------------ WebSocketSession

    @Override
    public ApplicationCall call() {
        return call;
    }

    @Override
    public IncomingFrames incoming() {
        return inbox;
    }

    @Override
    public OutgoingFrames outgoing() {
        return outbox;
    }

    @Override
    public CompletionStage<Void> send(Frame frame) {
        return outbox.send(frame);
    }

    @Override
    public CompletionStage<Void> flush() {
        return outbox.queued().thenCompose(v -> output.flush());
    }

    @Override
    public CompletionStage<Void> close(CloseReason reason) {
        return outbox.send(Frame.close(reason)).thenCompose(v -> output.flush());
    }

    @Override
    public void terminate() {
        job.cancel();
    }

    @Override
    public long maxFrameSize() {
        return parser.maxFrameSize();
    }

    @Override
    public void maxFrameSize(long maxFrameSize) {
        parser.setMaxFrameSize(maxFrameSize);
    }

    @Override
    public boolean masking() {
        return masking;
    }

    @Override
    public void masking(boolean masking) {
        this.masking = masking;
    }

    @Override
    public List<String> extensions() {
        return extensions;
    }

    /** Payloads from this size on go into the output channel from the frame itself, behind their header, uncopied. */
    private static final int GATHER_FROM = 8 * 1024;

    private ByteBuffer[] encode(Frame frame) {
        if (!masking) {
            return frame.length() >= GATHER_FROM ? WRITER.encodeForGatheringWrite(frame) : new ByteBuffer[] {WRITER.encode(frame)};
        }
        FrameWriter w = maskingWriter;
        if (w == null) {
            w = FrameWriter.forClient();
            maskingWriter = w; // race: two writers may be made; either masks correctly
        }
        return new ByteBuffer[] {w.encode(frame)};
    }

    @Override
    public String toString() {
        return "RawWebSocketSession{" + description() + ", " + reader + ", outbox closed=" + outbox.isClosedForSend()
            + ", done=" + job.isCompleted() + '}';
    }
}
