package io.upgradebridge.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write pump against a recording {@link ServletOutputStream} and an engine executor run by hand: what the
 * container is asked to do, call by call.
 */
class ServletWritePumpTest {

    /** Runs nothing until told: the test decides when the engine's tasks happen. */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }

    /** Records every call; {@code isReady()} answers what the test says, and must precede every write and flush. */
    private static class RecordingOutput extends ServletOutputStream {
        final List<String> calls = new ArrayList<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean ready = true;
        boolean notReadyAfterWrite;
        boolean askedSinceLastCall;

        @Override
        public boolean isReady() {
            askedSinceLastCall = true;
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) {
            throw new AssertionError("the pump writes arrays, not single bytes");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            assertTrue(askedSinceLastCall && ready, "write() without isReady() == true right before it");
            askedSinceLastCall = false;
            calls.add("write " + len);
            written.write(b, off, len);
            if (notReadyAfterWrite) {
                ready = false;
            }
        }

        @Override
        public void flush() {
            assertTrue(askedSinceLastCall && ready, "flush() without isReady() == true right before it");
            askedSinceLastCall = false;
            calls.add("flush");
        }
    }

    private final ManualExecutor engine = new ManualExecutor();
    private final RecordingOutput out = new RecordingOutput();
    private final UpgradedConnection connection = new UpgradedConnection(null, engine, engine, 64 * 1024, new LiveUpgrades(), "test");
    private final ServletWritePump pump = new ServletWritePump(out, connection, false);

    ServletWritePumpTest() {
        pump.attach();
        pump.onWritePossible(); // the container's first call starts the pump: nothing to write yet
        engine.runAll();
        assertEquals(List.of("flush"), out.calls, "the first pass flushes the empty stream once: the response head goes out");
        out.calls.clear();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aStreamThatIgnoresTheWriteRangeGetsArraysOfExactlyTheBytes() throws Exception {
        RecordingOutput whole = new RecordingOutput() {
            @Override
            public void write(byte[] b, int off, int len) {
                assertEquals(0, off, "offset");
                assertEquals(b.length, len, "the whole array is the bytes to write (Undertow writes the whole array)");
                super.write(b, off, len);
            }
        };
        UpgradedConnection other = new UpgradedConnection(null, engine, engine, 64 * 1024, new LiveUpgrades(), "test");
        ServletWritePump otherPump = new ServletWritePump(whole, other, true, false);
        otherPump.attach();
        otherPump.onWritePossible();
        other.output().tryWrite(bytes("abc"));
        engine.runAll();
        other.output().tryWrite(bytes("defgh"));
        engine.runAll();
        assertEquals(List.of("flush", "write 3", "flush", "write 5", "flush"), whole.calls);
        assertEquals("abcdefgh", whole.written.toString(StandardCharsets.US_ASCII));
        assertFalse(ServletWritePump.ignoresWriteRange(out), "only Undertow's upgraded stream is copied for");
    }

    @Test
    void theHeadFlushWaitsForIsReadyAndHappensOnce() throws Exception {
        RecordingOutput busy = new RecordingOutput();
        busy.ready = false;
        UpgradedConnection other = new UpgradedConnection(null, engine, engine, 64 * 1024, new LiveUpgrades(), "test");
        ServletWritePump otherPump = new ServletWritePump(busy, other, false);
        otherPump.attach();
        otherPump.onWritePossible();
        engine.runAll();
        assertEquals(List.of(), busy.calls, "isReady() said no: no flush yet");
        busy.ready = true;
        otherPump.onWritePossible();
        assertEquals(List.of("flush"), busy.calls);
        other.output().tryWrite(bytes("x"));
        engine.runAll();
        assertEquals(List.of("flush", "write 1", "flush"), busy.calls, "no second head flush");
    }

    @Test
    void framesWrittenWhileTheLoopIsQueuedLeaveInOneWriteAndOneFlush() throws Exception {
        connection.output().tryWrite(bytes("one,"));
        connection.output().tryWrite(bytes("two,"));
        connection.output().tryWrite(bytes("three"));
        CompletionStage<Void> flushed = connection.output().flush();
        assertEquals(List.of(), out.calls, "nothing is written on the application's thread");
        assertEquals(1, engine.tasks.size(), "one write loop is queued, however many writes came");
        engine.runAll();
        assertEquals(List.of("write 13", "flush"), out.calls);
        assertEquals("one,two,three", out.written.toString(StandardCharsets.US_ASCII));
        assertTrue(flushed.toCompletableFuture().isDone(), "the flush stage completes once the container took the flush");
    }

    @Test
    void aWriteOrFlushThatIsNotPossibleNowIsDoneInOnWritePossible() throws Exception {
        out.ready = false;
        connection.output().tryWrite(bytes("later"));
        CompletionStage<Void> flushed = connection.output().flush();
        engine.runAll();
        assertEquals(List.of(), out.calls, "isReady() said no: nothing is written");
        assertFalse(flushed.toCompletableFuture().isDone());
        out.ready = true;
        pump.onWritePossible(); // the container's callback resumes the pump, on the container's thread
        assertEquals(List.of("write 5", "flush"), out.calls);
        engine.runAll(); // the flush stage completes on the engine executor, never on the container's thread
        assertTrue(flushed.toCompletableFuture().isDone());
    }

    @Test
    void theBytesHandedToTheContainerAreReleasedOnlyAtTheNextIsReady() throws Exception {
        int room = connection.output().availableForWrite();
        out.notReadyAfterWrite = true; // the container takes the write, then is busy: it may still use the array
        connection.output().tryWrite(bytes("held"));
        engine.runAll();
        assertEquals(List.of("write 4"), out.calls);
        assertEquals(room - 4, connection.output().availableForWrite(), "not released before isReady() is true again");
        out.notReadyAfterWrite = false;
        out.ready = true;
        pump.onWritePossible();
        assertEquals(List.of("write 4", "flush"), out.calls, "the channel ran dry: flushed");
        assertEquals(room, connection.output().availableForWrite(), "released once the container is done with it");
    }
}
