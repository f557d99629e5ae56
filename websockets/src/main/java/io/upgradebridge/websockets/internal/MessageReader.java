package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websockets.IncomingMessages;
import io.upgradebridge.websockets.Message;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * The session's {@link IncomingMessages}: joins the checked data frames of a {@link FrameQueue} into whole
 * messages. A message of one frame keeps that frame's bytes; a fragmented one is copied into a buffer that
 * grows as its frames arrive (doubling, never beyond the message limit the decoder enforces), so nothing
 * is allocated before a message comes. Taking frames out of the queue keeps the reader going, so the only
 * memory a message costs beyond the queue's bound is the message itself.
 */
final class MessageReader implements IncomingMessages {

    private static final int FIRST_CAPACITY = 4 * 1024;

    private final FrameQueue frames;
    private final int maxMessageSize;
    // guarded by this
    private boolean receiving;
    private Message.Type partType;
    private ByteBuffer partData;

    MessageReader(FrameQueue frames, long maxMessageSize) {
        this.frames = frames;
        this.maxMessageSize = (int) Math.min(maxMessageSize, Integer.MAX_VALUE - 8);
    }

    @Override
    public CompletionStage<Message> receive() {
        synchronized (this) {
            if (receiving) {
                throw new IllegalStateException("a receive is already pending on this session; wait for it first");
            }
            receiving = true;
        }
        CompletableFuture<Message> result = new CompletableFuture<>();
        step(result);
        return result;
    }

    /** Joins the frames already waiting; when the message is not complete yet, goes on when the next frame comes. */
    private void step(CompletableFuture<Message> result) {
        while (true) {
            Frame frame;
            try {
                frame = frames.poll();
            } catch (ClosedReceiveException e) {
                finish(result, null, e);
                return;
            }
            if (frame == null) {
                frames.receive().whenComplete((next, error) -> {
                    if (error != null) {
                        finish(result, null, Failures.unwrap(error));
                        return;
                    }
                    Message message = add(next);
                    if (message != null) {
                        finish(result, message, null);
                    } else {
                        step(result);
                    }
                });
                return;
            }
            Message message = add(frame);
            if (message != null) {
                finish(result, message, null);
                return;
            }
        }
    }

    private void finish(CompletableFuture<Message> result, Message message, Throwable error) {
        synchronized (this) {
            receiving = false;
        }
        if (error != null) {
            result.completeExceptionally(error instanceof ClosedReceiveException closed ? renamed(closed) : error);
        } else {
            result.complete(message);
        }
    }

    @Override
    public Message poll() throws ClosedReceiveException {
        synchronized (this) {
            if (receiving) {
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
    public Message take() throws ClosedReceiveException, InterruptedException {
        try {
            return receive().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClosedReceiveException closed) {
                throw closed;
            }
            throw new ClosedReceiveException("receiving failed", e.getCause());
        }
    }

    @Override
    public boolean isClosedForReceive() {
        return frames.isClosedForReceive();
    }

    @Override
    public CompletionStage<Void> forEach(MessageHandler handler) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop(handler, done);
        return done;
    }

    /** Messages already waiting are handled in a loop; a receive that waits continues on the thread completing it. */
    private void loop(MessageHandler handler, CompletableFuture<Void> done) {
        while (true) {
            CompletableFuture<Boolean> step = receive().thenCompose(message -> apply(handler, message)).toCompletableFuture();
            if (!step.isDone()) {
                step.whenComplete((goOn, error) -> {
                    if (settle(goOn, error, done)) {
                        loop(handler, done);
                    }
                });
                return;
            }
            Boolean goOn = null;
            Throwable error = null;
            try {
                goOn = step.join();
            } catch (CompletionException e) {
                error = e;
            }
            if (!settle(goOn, error, done)) {
                return;
            }
        }
    }

    private static CompletionStage<Boolean> apply(MessageHandler handler, Message message) {
        try {
            CompletionStage<Boolean> answered = handler.handle(message);
            return answered != null ? answered : CompletableFuture.completedFuture(Boolean.TRUE);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static boolean settle(Boolean goOn, Throwable error, CompletableFuture<Void> done) {
        if (error != null) {
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ClosedReceiveException) {
                done.complete(null); // no message will come any more
            } else {
                done.completeExceptionally(cause);
            }
            return false;
        }
        if (Boolean.FALSE.equals(goOn)) {
            done.complete(null);
            return false;
        }
        return true;
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
