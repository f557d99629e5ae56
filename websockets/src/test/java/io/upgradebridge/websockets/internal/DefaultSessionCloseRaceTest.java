package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websocket.internal.FrameParser;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The close frame of a protocol error is the one that goes out, whatever the handler does on another thread at the
 * same moment. The session takes its "fail the connection" action on one thread (the reader, a timer, or the handler's
 * last receive) and claims its close (1002) a moment later; a handler whose stage completes on another thread in
 * between used to start a normal close (1000) that overtook the 1002 (seen once each in the container tests under
 * load: conformance case 5.4.12 on Tomcat 11, an unmasked frame on Tomcat 10.1).
 *
 * <p>The test holds the failing thread exactly inside that gap: the session logs "closing the WebSocket session of
 * ..." (DEBUG) after it took the action and before it claims the close, so a logging handler completes the session
 * handler's stage on another thread there and waits until that thread is done. Before the fix the client read close
 * 1000 every time.
 */
class DefaultSessionCloseRaceTest {

    /** The log line between taking the action and claiming its close frame (DefaultSession.failAfterHandler's action). */
    private static final String FAILING_CONNECTION = "closing the WebSocket session of ";

    private final ExecutorService engine = Executors.newFixedThreadPool(2);
    private final ExecutorService user = Executors.newCachedThreadPool();
    private final ExecutorService handlerThread = Executors.newSingleThreadExecutor();
    private final TimerLoop timer = new TimerLoop("test-timer");
    private final ByteChannel clientToServer = ByteChannel.create(64 * 1024, engine);
    private final ByteChannel serverToClient = ByteChannel.create(64 * 1024, engine);
    private final Logger sessionLog = Logger.getLogger("io.upgradebridge.websockets");
    private final Level levelBefore = sessionLog.getLevel();
    private Handler hook;

    @AfterEach
    void stop() {
        if (hook != null) {
            sessionLog.removeHandler(hook);
        }
        sessionLog.setLevel(levelBefore);
        engine.shutdownNow();
        user.shutdownNow();
        handlerThread.shutdownNow();
        timer.stop();
    }

    @ParameterizedTest(name = "the handler's stage {0} in the gap")
    @ValueSource(strings = {"completes", "fails"})
    void aHandlerEndingWhileTheConnectionIsFailedDoesNotReplaceThe1002(String how) throws Exception {
        CompletableFuture<Void> handlerStage = new CompletableFuture<>();
        AtomicBoolean hookRan = new AtomicBoolean();
        hook = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() == null || !record.getMessage().startsWith(FAILING_CONNECTION)
                    || !hookRan.compareAndSet(false, true)) {
                    return;
                }
                // this thread took the action; the handler ends on another thread before the action claims its close
                try {
                    handlerThread.submit(() -> {
                        if (how.equals("completes")) {
                            handlerStage.complete(null);
                        } else {
                            handlerStage.completeExceptionally(new IllegalStateException("the handler gave up"));
                        }
                    }).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("completing the handler's stage failed", e);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        hook.setLevel(Level.ALL);
        sessionLog.addHandler(hook);
        sessionLog.setLevel(Level.FINE);

        // the handler reads nothing: the connection is failed at once when the protocol error comes
        Job job = new RawWebSocketSession(null, clientToServer, serverToClient, engine, user,
            new WebSocketUpgrade.Options(1 << 20, List.of(), 0))
            .startLayer(raw -> DefaultSession.run(raw, null, DefaultSessionTest.QUIET, null, s -> handlerStage, timer));
        // the session waits for the handler's stage (else its end would not run on the hook's thread)
        for (int i = 0; i < 500 && handlerStage.getNumberOfDependents() == 0; i++) {
            Thread.sleep(10);
        }
        assertTrue(handlerStage.getNumberOfDependents() > 0, "the session did not wait for the handler's stage within 5 s");

        // an unmasked text frame "hi": a client frame must be masked (RFC 6455 5.1) -> 1002
        clientToServer.write(ByteBuffer.wrap(new byte[] {(byte) 0x81, 2, 'h', 'i'})).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);

        Frame close = firstFrameFromServer();
        assertTrue(hookRan.get(), "the session no longer logs '" + FAILING_CONNECTION + "...' between taking the action "
            + "and claiming its close: move the hook to the new gap, else this test checks nothing");
        assertEquals(FrameType.CLOSE, close.type(), () -> "expected the close frame, got " + close);
        assertEquals(1002, close.closeReason().code(), () -> "the protocol error's close must go out, got " + close);
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Frame firstFrameFromServer() throws Exception {
        FrameParser parser = FrameParser.forClient(Long.MAX_VALUE);
        ByteBuffer bytes = ByteBuffer.allocate(1024).flip();
        while (true) {
            Frame frame = parser.parse(bytes);
            if (frame != null) {
                return frame.copy();
            }
            bytes.compact();
            int n = serverToClient.read(bytes).toCompletableFuture().get(5, TimeUnit.SECONDS);
            bytes.flip();
            if (n < 0) {
                throw new AssertionError("the server's output ended without a frame");
            }
        }
    }
}
