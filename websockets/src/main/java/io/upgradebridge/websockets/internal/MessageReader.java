package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.internal.FrameInbox;
import io.upgradebridge.websocket.internal.ReceiveLoop;
import io.upgradebridge.websocket.internal.Receiving;
import io.upgradebridge.websockets.IncomingMessages;
import io.upgradebridge.websockets.Message;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The session's {@link IncomingMessages}: puts the checked data frames of the session's {@link FrameInbox} back
 * together into whole messages. A message of one frame keeps that frame's bytes; a fragmented one is copied into a
 * buffer that grows as its frames arrive (doubling, never beyond the message limit the decoder enforces), so nothing
 * is allocated before a message comes. Taking frames out of the inbox keeps the reader going, so the only memory a
 * message costs beyond the inbox's bound is the message itself. Receiving, waiting and {@code forEach} are the
 * inbox's own ({@link Receiving}, {@link ReceiveLoop}); this class only reassembles.
 */
final class MessageReader extends Receiving<Message> implements IncomingMessages, Receiving.Receiver<Frame> {

    private static final int FIRST_CAPACITY = 4 * 1024;

    private final FrameInbox frames;
    private final int maxMessageSize;
    // guarded by this
    /** The receive that waits for the rest of its message, or {@code null}. */
    private Receiver<Message> receiver;
    private Message.Type partType;
    private ByteBuffer partData;

    MessageReader(FrameInbox frames, long maxMessageSize) {
        this.frames = frames;
        this.maxMessageSize = (int) Math.min(maxMessageSize, Integer.MAX_VALUE - 8);
    }

    @Override
    public Message receiveOrWait(Receiver<Message> waiting) throws ClosedReceiveException {
        synchronized (this) {
            if (receiver != null) {
                throw new IllegalStateException("a receive is already pending on this session; wait for it first");
            }
            receiver = waiting; // before the inbox may tell this reader of a frame, on another thread
        }
        try {
            Message message = assemble();
            if (message != null) {
                takeReceiver();
            }
            return message;
        } catch (ClosedReceiveException e) {
            takeReceiver();
            throw renamed(e);
        }
    }

    /** Joins the frames there are; {@code null} when the message is not whole yet (the inbox tells this reader of the next frame). */
    private Message assemble() throws ClosedReceiveException {
        while (true) {
            Frame frame = frames.receiveOrWait(this);
            if (frame == null) {
                return null;
            }
            Message message = add(frame);
            if (message != null) {
                return message;
            }
        }
    }

    /** The inbox's next frame, for a receive that waited (on the user executor). */
    @Override
    public void received(Frame frame) {
        Message message = add(frame);
        if (message == null) {
            try {
                message = assemble();
            } catch (ClosedReceiveException e) {
                ended(e);
                return;
            }
            if (message == null) {
                return; // told again when the next frame comes
            }
        }
        Receiver<Message> waiting = takeReceiver();
        if (waiting != null) {
            waiting.received(message);
        }
    }

    @Override
    public void ended(ClosedReceiveException closed) {
        Receiver<Message> waiting = takeReceiver();
        if (waiting != null) {
            waiting.ended(renamed(closed));
        }
    }

    private synchronized Receiver<Message> takeReceiver() {
        Receiver<Message> waiting = receiver;
        receiver = null;
        return waiting;
    }

    @Override
    public Message poll() throws ClosedReceiveException {
        synchronized (this) {
            if (receiver != null) {
                throw new IllegalStateException("a receive is pending on this session; poll only when none is");
            }
        }
        try {
            Frame frame;
            while ((frame = frames.poll()) != null) {
                Message message = add(frame);
                if (message != null) {
                    return message;
                }
            }
            return null;
        } catch (ClosedReceiveException e) {
            throw renamed(e);
        }
    }

    @Override
    public boolean isClosedForReceive() {
        return frames.isClosedForReceive();
    }

    @Override
    public CompletionStage<Void> forEach(MessageHandler handler) {
        return ReceiveLoop.run(this, handler::handle);
    }

    /** Adds a frame to the message in progress; returns the message when the frame ends it. */
    private synchronized Message add(Frame frame) {
        if (frame.type() != FrameType.CONTINUATION) {
            Message.Type type = frame.type() == FrameType.TEXT ? Message.Type.TEXT : Message.Type.BINARY;
            if (frame.fin()) {
                return Message.of(type, frame.data()); // a message of one frame: its bytes as they are
            }
            partType = type;
            partData = ByteBuffer.allocate(Math.min(Math.max(FIRST_CAPACITY, 2 * frame.length()), maxMessageSize));
        }
        if (partType == null) {
            throw new IllegalStateException("a CONTINUATION frame without a message; the decoder lets none through");
        }
        append(frame.data());
        if (!frame.fin()) {
            return null;
        }
        ByteBuffer data = partData.flip();
        Message message = Message.of(partType, data);
        partType = null;
        partData = null;
        return message;
    }

    private void append(ByteBuffer bytes) {
        if (partData.remaining() < bytes.remaining()) {
            int needed = partData.position() + bytes.remaining();
            int capacity = Math.max(needed, (int) Math.min(2L * partData.capacity(), maxMessageSize));
            ByteBuffer bigger = ByteBuffer.allocate(capacity);
            bigger.put(partData.flip());
            partData = bigger;
        }
        partData.put(bytes);
    }

    private static ClosedReceiveException renamed(ClosedReceiveException closed) {
        return new ClosedReceiveException("no more messages", closed.getCause());
    }

    @Override
    public synchronized String toString() {
        return "MessageReader[" + (partType == null ? "between messages" : partType + " message, " + partData.position() + " bytes so far")
            + ", " + frames + ']';
    }
}
