package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.internal.DrainPort;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;

/**
 * The peer's frames, parsed from a connection's input as its bytes arrive: straight out of the input's buffer (no
 * copy before parsing), through the port every read channel has ({@link DrainPort#of}).
 */
final class FrameSource {

    private final DrainPort input;
    private final FrameParser parser;

    FrameSource(DrainPort input, FrameParser parser) {
        this.input = input;
        this.parser = parser;
    }

    /**
     * The next whole frame, with bytes of its own (a frame parsed in place is copied before its bytes go back to the
     * input); {@code null} when its bytes have not all arrived: every byte there was is used, and the input's
     * {@link DrainPort#state() state} tells whether more may come.
     *
     * @throws WebSocketProtocolException when the peer broke the protocol or a limit
     */
    Frame next() throws WebSocketProtocolException {
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

    /** The input the frames come from. */
    DrainPort input() {
        return input;
    }

    @Override
    public String toString() {
        return "FrameSource{" + parser + ", " + input.state() + '}';
    }
}
