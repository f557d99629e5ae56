package io.upgradebridge.websocket.internal;

import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.IncomingFrames;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox on a direct executor: queued frames in order, a receive that waits without a stage, the bound, the end. */
class FrameInboxTest {

    private final FrameInbox inbox = new FrameInbox(Runnable::run);

    @Test
    void receiveOrWaitTakesQueuedFramesInOrderThenWaits() throws Exception {
        Frame a = Frame.text("a");
        Frame b = Frame.text("b");
        inbox.offer(a);
        inbox.offer(b);
        RecordingReceiver receiver = new RecordingReceiver();
        assertSame(a, inbox.receiveOrWait(receiver));
        assertSame(b, inbox.receiveOrWait(receiver));
        assertNull(inbox.receiveOrWait(receiver), "nothing queued: it waits");
        assertThrows(IllegalStateException.class, inbox::receive, "one receive pending at a time");
        Frame c = Frame.text("c");
        inbox.offer(c);
        assertEquals(List.of(c), receiver.frames, "the next frame goes to the waiting receiver");
        Frame d = Frame.text("d");
        inbox.offer(d);
        assertEquals(1, receiver.frames.size(), "told once; the next frame is queued");
        assertSame(d, inbox.receiveOrWait(receiver));
    }

    @Test
    void aWaitingReceiverHearsTheEnd() throws Exception {
        RecordingReceiver receiver = new RecordingReceiver();
        assertNull(inbox.receiveOrWait(receiver));
        EOFException cause = new EOFException("gone");
        inbox.end(cause);
        assertEquals(1, receiver.closed.size());
        assertSame(cause, receiver.closed.get(0).getCause());
        assertThrows(ClosedReceiveException.class, () -> inbox.receiveOrWait(receiver));
    }

    @Test
    void queuedFramesComeBeforeTheEnd() throws Exception {
        Frame a = Frame.text("a");
        inbox.offer(a);
        inbox.end(new EOFException("gone"));
        RecordingReceiver receiver = new RecordingReceiver();
        assertSame(a, inbox.receiveOrWait(receiver));
        assertThrows(ClosedReceiveException.class, () -> inbox.receiveOrWait(receiver));
    }

    @Test
    void forEachOnTheInboxSeesEveryFrameInOrderAcrossWaitsAndSlowAnswers() {
        List<String> seen = new ArrayList<>();
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        Frame first = Frame.text("1");
        inbox.offer(first);
        CompletionStage<Void> done = inbox.forEach(frame -> {
            seen.add(frame.textData());
            if (frame.textData().equals("2")) {
                CompletableFuture<Boolean> slow = new CompletableFuture<>();
                answers.add(slow);
                return slow;
            }
            return CompletableFuture.completedFuture(true);
        });
        assertEquals(List.of("1"), seen);
        inbox.offer(Frame.text("2"));
        inbox.offer(Frame.text("3"));
        inbox.offer(Frame.text("4"));
        assertEquals(List.of("1", "2"), seen, "3 waits until the answer to 2 completes");
        answers.get(0).complete(true);
        assertEquals(List.of("1", "2", "3", "4"), seen);
        assertTrue(!done.toCompletableFuture().isDone());
        inbox.end(new EOFException("gone"));
        assertTrue(done.toCompletableFuture().isDone(), "the end of the frames completes forEach");
        done.toCompletableFuture().join();
    }

    @Test
    void forEachEndsWithTheHandlersFailure() {
        inbox.offer(Frame.text("x"));
        IncomingFrames.FrameHandler failing = frame -> {
            throw new IllegalStateException("boom");
        };
        CompletableFuture<Void> done = inbox.forEach(failing).toCompletableFuture();
        Throwable failure = assertThrows(java.util.concurrent.CompletionException.class, done::join).getCause();
        assertEquals("boom", failure.getMessage());
    }

    @Test
    void theReaderIsToldWhenTakingMadeRoomAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();
        inbox.onRoom(signals::incrementAndGet);
        Frame half = Frame.binary(new byte[(int) FrameInbox.LIMIT / 2], true);
        assertTrue(inbox.hasRoom());
        inbox.offer(half);
        inbox.offer(half);
        assertTrue(!inbox.hasRoom(), "full at the limit");
        inbox.offer(half); // one frame more than the limit is still taken: the reader stops after it
        RecordingReceiver receiver = new RecordingReceiver();
        inbox.receiveOrWait(receiver);
        assertTrue(!inbox.hasRoom());
        assertEquals(0, signals.get(), "still full");
        inbox.receiveOrWait(receiver);
        assertTrue(inbox.hasRoom());
        assertEquals(1, signals.get(), "room again: the reader is told once");
        inbox.receiveOrWait(receiver);
        assertEquals(1, signals.get());
        inbox.offer(half);
        inbox.offer(half);
        inbox.end(new EOFException("gone"));
        assertTrue(inbox.hasRoom(), "an ended inbox takes (and drops) whatever the reader still has");
        assertEquals(2, signals.get(), "the end tells a reader that waits for room");
    }

    @Test
    void theEndIsSeenOnceTheHandlerAskedForAFrameAfterTheLastOne() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        inbox.offer(Frame.text("a"));
        inbox.end(new EOFException("gone"));
        inbox.whenEndSeen(seen::incrementAndGet);
        assertEquals(0, seen.get(), "a frame before the end was not taken yet");
        assertEquals("a", inbox.poll().textData());
        assertEquals(0, seen.get(), "taking the last frame is not yet seeing the end");
        assertThrows(ClosedReceiveException.class, inbox::poll);
        assertEquals(1, seen.get());
        assertThrows(ClosedReceiveException.class, inbox::poll);
        assertEquals(1, seen.get(), "once");

        FrameInbox waiting = new FrameInbox(Runnable::run);
        java.util.concurrent.atomic.AtomicInteger seenWhileWaiting = new java.util.concurrent.atomic.AtomicInteger();
        waiting.whenEndSeen(seenWhileWaiting::incrementAndGet);
        assertNull(waiting.receiveOrWait(new RecordingReceiver()));
        waiting.end(new EOFException("gone"));
        assertEquals(1, seenWhileWaiting.get(), "a handler that waited for the next frame has seen every one before");
    }

    private static final class RecordingReceiver implements Receiving.Receiver<Frame> {
        final List<Frame> frames = new ArrayList<>();
        final List<ClosedReceiveException> closed = new ArrayList<>();

        @Override
        public void received(Frame frame) {
            frames.add(frame);
        }

        @Override
        public void ended(ClosedReceiveException e) {
            closed.add(e);
        }
    }
}
