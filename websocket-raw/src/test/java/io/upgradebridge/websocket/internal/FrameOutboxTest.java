package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.internal.RingByteChannel;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.Frame;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox on a direct executor over a small output channel: order, waiting for room, the end. */
class FrameOutboxTest {

    private static final FrameWriter WRITER = new FrameWriter();

    /** Room for two 3-byte text frames (2 bytes of header + 1 of payload), not three. */
    private final RingByteChannel output = new RingByteChannel(7, Runnable::run);
    private final FrameOutbox outbox = new FrameOutbox(output, Runnable::run, frame -> new ByteBuffer[] {WRITER.encode(frame)});

    @Test
    void framesQueuedWhileTheOutputIsFullGoOutInOrderOnceThereIsRoom() throws Exception {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d")) {
            sent.add(outbox.send(Frame.text(s)).toCompletableFuture());
        }
        assertTrue(sent.get(0).isDone() && sent.get(1).isDone(), "two fit");
        assertFalse(sent.get(2).isDone(), "the third waits for room");
        CompletableFuture<Void> queued = outbox.queued().toCompletableFuture();
        assertFalse(queued.isDone());
        StringBuilder payloads = new StringBuilder();
        while (payloads.length() < 4) {
            ByteBuffer frame = ByteBuffer.allocate(3);
            assertEquals(3, output.tryRead(frame));
            payloads.append(new String(frame.array(), 2, 1, StandardCharsets.UTF_8));
        }
        assertEquals("abcd", payloads.toString());
        for (CompletableFuture<Void> f : sent) {
            assertTrue(f.isDone());
        }
        assertTrue(queued.isDone(), "every queued frame is in the output");
        assertTrue(outbox.queued().toCompletableFuture().isDone(), "and stays so while the outbox idles");
        outbox.send(Frame.text("e")).toCompletableFuture().join();
        assertTrue(outbox.queued().toCompletableFuture().isDone(), "the last frame went in at once");
    }

    @Test
    void framesStillQueuedFailWhenTheOutputEnds() {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (String s : List.of("a", "b", "c", "d")) {
            sent.add(outbox.send(Frame.text(s)).toCompletableFuture());
        }
        output.cancel(new java.io.IOException("reset"));
        for (CompletableFuture<Void> f : sent.subList(2, 4)) {
            Throwable failure = assertThrows(CompletionException.class, f::join).getCause();
            assertInstanceOf(ClosedSendException.class, failure);
        }
        assertTrue(outbox.isClosedForSend());
        assertTrue(outbox.queued().toCompletableFuture().isDone(), "queued() completes, also after failures");
        assertInstanceOf(ClosedSendException.class,
            assertThrows(CompletionException.class, () -> outbox.send(Frame.text("x")).toCompletableFuture().join()).getCause());
    }
}
