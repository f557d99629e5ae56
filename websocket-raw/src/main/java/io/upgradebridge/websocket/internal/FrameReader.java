package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.internal.DrainPort;
import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.io.internal.LoopGate;
import io.upgradebridge.io.internal.PortState;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * A session's one frame reader, its frame source: parses the peer's frames out of the connection's input as its bytes
 * arrive, straight out of the input's buffer (through the port every read channel has, {@link DrainPort#of}: no copy
 * before parsing on the bridge's own channels), and hands each to a {@link FrameSink}: on the thread that filled the
 * input (a container's read event), or on the engine executor once the sink has room again after it was full. It
 * parks while the input has no bytes or the sink is full; it is its own {@link LoopGate} and the signal of both.
 */
final class FrameReader extends LoopGate<FrameReader.Park> implements Runnable {

    /** What the reader waits for. */
    enum Park {
        /** The input has no bytes now: its signal wakes the reader. */
        BYTES,
        /** The sink is full: its signal wakes the reader. */
        ROOM
    }

    private final RawWebSocketSession session;
    private final DrainPort input;
    private final FrameParser parser;
    private final Executor engine;
    /** Where the frames go: set once, by {@link #start}. */
    private volatile FrameSink sink;
    private boolean sawCloseFrame; // touched by the loop only

    /** @param session told when the peer breaks the protocol */
    FrameReader(RawWebSocketSession session, DrainPort input, FrameParser parser, Executor engine) {
        super(Park.BYTES);
        this.session = session;
        this.input = input;
        this.parser = parser;
        this.engine = engine;
    }

    /** Starts reading, on this thread: the peer's frames go to {@code to}, in order. Once. */
    void start(FrameSink to) {
        sink = to;
        to.onRoom(this);
        input.onBytes(this::bytesArrived);
        if (wake(Park.BYTES)) {
            loop();
        }
    }

    /** Where the frames go, or {@code null} before {@link #start}. */
    FrameSink sink() {
        return sink;
    }

    /**
     * The sink's signal (room again, on the thread of the handler that took a frame): the reader runs on the engine
     * executor, not on the application's thread. A reader parked for bytes only looks once more and parks again.
     */
    @Override
    public void run() {
        wake(Park.ROOM, Park.BYTES, engine, this::loop);
    }

    /**
     * The input's signal (bytes arrived, or the input ended), on the thread that filled it: a container's, in its read
     * event. The reader parses right here: parsing never blocks and hands frames to the sink, which runs no application
     * code (a receive that waited is told on the user executor), so the bytes are parsed while they are in the cache,
     * and a frame costs no hop to the engine executor. A reader parked for room only looks once more and parks again.
     */
    private void bytesArrived() {
        if (wake(Park.BYTES, Park.ROOM)) {
            loop();
        }
    }

    /** The one read loop: frames from the input into the sink, until the sink is full or the input has no bytes. */
    private void loop() {
        FrameSink to = sink;
        try {
            while (true) {
                if (!to.hasRoom()) {
                    // room made after hasRoom() said no makes the loop go round once more
                    if (park(Park.ROOM)) {
                        return;
                    }
                    continue;
                }
                Frame frame = next();
                if (frame != null) {
                    if (frame.type() == FrameType.CLOSE) {
                        sawCloseFrame = true;
                        input.peerDone(); // RFC 6455 5.5.1: nothing follows a close frame, the connection need not wait for more
                    }
                    if (!to.accept(frame)) {
                        finish(); // the layer above takes no more frames
                        return;
                    }
                    continue;
                }
                PortState state = input.state();
                if (state == PortState.EMPTY) {
                    // bytes that arrive after next() found none make the loop go round once more
                    if (park(Park.BYTES)) {
                        return;
                    }
                } else if (state == PortState.ENDED) {
                    finish();
                    to.end(SessionEnd.peerClosed(sawCloseFrame));
                    return;
                } else if (state == PortState.FAILED) {
                    finish();
                    to.end(Failures.unwrap(input.closedCause()));
                    return;
                }
            }
        } catch (WebSocketProtocolException e) {
            finish();
            session.protocolError(e);
        } catch (RuntimeException e) {
            finish();
            to.end(Failures.unwrap(e));
        }
    }

    /**
     * The next whole frame, with bytes of its own (a frame parsed in place is copied before its bytes go back to the
     * input); {@code null} when its bytes have not all arrived: every byte there was is used, and the input's
     * {@link DrainPort#state() state} tells whether more may come.
     *
     * @throws WebSocketProtocolException when the peer broke the protocol or a limit
     */
    private Frame next() throws WebSocketProtocolException {
        while (true) {
            ByteBuffer bytes = input.readableSlice();
            if (!bytes.hasRemaining()) {
                return null;
            }
            int before = bytes.position();
            Frame frame = parser.parse(bytes);
            if (frame != null && parser.lastFrameSharesInput()) {
                frame = frame.copy(); // a frame that came in pieces is the parser's own copy already: not copied twice
            }
            input.consume(bytes.position() - before);
            if (frame != null) {
                return frame;
            }
        }
    }

    @Override
    public String toString() {
        return "FrameReader{" + gateState() + ", " + parser + ", input " + input.state() + ", " + sink + '}';
    }
}
