package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websockets.Message;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Puts the handler's messages and data frames into the RAW session's output, in call order, compressing
 * with permessage-deflate when it was agreed and the message is worth it (RSV1 on its first frame only).
 * Keeps track of a message the handler fragments itself, so that frames of two messages never interleave.
 * The returned stages are the RAW session's: they complete when the frame is in the output buffer, which
 * is what holds a fast sender back from a slow peer.
 *
 * <p>Thread-safe: one lock orders compression and queueing; it is held only while encoding, never while
 * waiting for the network.
 */
final class MessageSender implements AutoCloseable {

    private final WebSocketSession raw;
    private final DeflateAgreement deflate;
    // guarded by this
    private MessageDeflater deflater;
    /** The type of the message the handler is sending frame by frame, or {@code null}. */
    private FrameType openType;
    private boolean openCompressed;
    private boolean closed;

    /** @param deflate the permessage-deflate agreement, or {@code null} when none was negotiated */
    MessageSender(WebSocketSession raw, DeflateAgreement deflate) {
        this.raw = raw;
        this.deflate = deflate;
    }

    /** Sends a whole message in one frame. */
    synchronized CompletionStage<Void> send(Message message) {
        if (closed) {
            return ended();
        }
        if (openType != null) {
            throw new IllegalStateException("a fragmented " + openType + " message sent with sendFrame is not finished;"
                + " send its last frame (fin=true) before the next message");
        }
        boolean compress = shouldCompress(message.length());
        ByteBuffer payload = compress ? deflater().deflate(message.data(), true) : message.data();
        FrameType type = message.type() == Message.Type.TEXT ? FrameType.TEXT : FrameType.BINARY;
        return raw.send(new Frame(type, true, compress, false, false, payload));
    }

    /**
     * Sends one data frame of a message the handler fragments itself, or a ping.
     *
     * @throws IllegalArgumentException for CLOSE and PONG frames, and for frames with reserved bits set
     * @throws IllegalStateException for a frame out of message order
     */
    synchronized CompletionStage<Void> sendFrame(Frame frame) {
        checkSendable(frame);
        if (closed) {
            return ended();
        }
        FrameType type = frame.type();
        if (type == FrameType.PING) {
            return raw.send(frame);
        }
        if (type == FrameType.CONTINUATION) {
            if (openType == null) {
                throw new IllegalStateException("a CONTINUATION frame needs a TEXT or BINARY frame with fin=false before it");
            }
            ByteBuffer payload = openCompressed ? deflater().deflate(frame.data(), frame.fin()) : frame.data();
            if (frame.fin()) {
                openType = null;
            }
            return raw.send(new Frame(type, frame.fin(), false, false, false, payload)); // RSV1 only on the first frame
        }
        if (openType != null) {
            throw new IllegalStateException("a " + type + " frame starts a new message, but the fragmented " + openType
                + " message is not finished; send CONTINUATION frames up to one with fin=true first");
        }
        boolean compress = shouldCompress(frame.length());
        ByteBuffer payload = compress ? deflater().deflate(frame.data(), frame.fin()) : frame.data();
        if (!frame.fin()) {
            openType = type;
            openCompressed = compress;
        }
        return compress ? raw.send(new Frame(type, frame.fin(), true, false, false, payload)) : raw.send(frame);
    }

    /**
     * Checks that the handler may send {@code frame} with {@code sendFrame} at all.
     *
     * @throws IllegalArgumentException for CLOSE and PONG frames, and for frames with reserved bits set
     */
    static void checkSendable(Frame frame) {
        FrameType type = frame.type();
        if (type == FrameType.CLOSE) {
            throw new IllegalArgumentException("a CLOSE frame cannot be sent with sendFrame: call close(reason),"
                + " which also waits for the peer's close");
        }
        if (type == FrameType.PONG) {
            throw new IllegalArgumentException("a PONG frame cannot be sent with sendFrame: the session answers pings"
                + " itself (and close frames go through close(reason))");
        }
        if (frame.rsv1() || frame.rsv2() || frame.rsv3()) {
            throw new IllegalArgumentException("reserved bits are set by the session (permessage-deflate), not by the"
                + " handler; send " + frame + " with rsv1, rsv2 and rsv3 clear");
        }
    }

    private static CompletionStage<Void> ended() {
        return CompletableFuture.failedFuture(new ClosedSendException("the WebSocket session is closed", null));
    }

    private boolean shouldCompress(int length) {
        return deflate != null && deflate.shouldCompress(length);
    }

    private MessageDeflater deflater() {
        if (deflater == null) {
            deflater = deflate.newDeflater(); // made with the first compressed message, not per idle session
        }
        return deflater;
    }

    /** Frees the compressor; later sends fail with {@link ClosedSendException}. */
    @Override
    public synchronized void close() {
        closed = true;
        if (deflater != null) {
            deflater.close();
            deflater = null;
        }
    }
}
