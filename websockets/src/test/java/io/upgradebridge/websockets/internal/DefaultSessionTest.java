package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.IncomingFrames;
import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websocket.internal.FrameParser;
import io.upgradebridge.websocket.internal.FrameWriter;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default session over a RAW session over in-memory channels; the test plays the client. */
class DefaultSessionTest {

    /** Pings and idle checks off, 300 ms for pongs and close answers: each test turns on what it checks. */
    static final WebSocketSettings QUIET = WebSocketSettings.defaults().withPingPeriod(Duration.ZERO)
        .withIdleTimeout(Duration.ZERO).withTimeout(Duration.ofMillis(300));

    private final ExecutorService engine = Executors.newFixedThreadPool(2);
    private final ExecutorService user = Executors.newCachedThreadPool();
    private final TimerLoop timer = new TimerLoop("test-timer");
    private final ByteChannel clientToServer = ByteChannel.create(64 * 1024, engine);
    private final ByteChannel serverToClient = ByteChannel.create(64 * 1024, engine);
    private final FrameWriter client = FrameWriter.forClient();
    private FrameParser clientParser = FrameParser.forClient(Long.MAX_VALUE);
    private final ByteBuffer fromServer = ByteBuffer.allocate(256 * 1024).flip();
    private final CompletableFuture<DefaultSession> session = new CompletableFuture<>();

    @AfterEach
    void stop() {
        engine.shutdownNow();
        user.shutdownNow();
        timer.stop();
    }

    private Job start(WebSocketSettings settings, WebSocketHandler handler) {
        return start(settings, new WebSocketUpgrade.Options(1 << 20, List.of(), 0), null, handler);
    }

    private Job start(WebSocketSettings settings, WebSocketUpgrade.Options options, DeflateAgreement deflate, WebSocketHandler handler) {
        return new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, options)
            .startLayer(raw -> DefaultSession.run(raw, null, settings, deflate, s -> {
                session.complete((DefaultSession) s);
                return handler.handle(s);
            }, timer));
    }

    private static WebSocketHandler echoMessages() {
        return s -> s.incoming().forEach(m -> s.send(m).thenApply(v -> true));
    }

    private void send(Frame frame) throws Exception {
        clientToServer.write(client.encode(frame)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void sendRaw(int... bytes) throws Exception {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        clientToServer.write(ByteBuffer.wrap(b)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** The next frame the server sent, or null when its output ended. */
    private Frame receive() throws Exception {
        while (true) {
            Frame frame = clientParser.parse(fromServer);
            if (frame != null) {
                return frame.copy();
            }
            fromServer.compact();
            int n = serverToClient.read(fromServer).toCompletableFuture().get(5, TimeUnit.SECONDS);
            fromServer.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    /** The frames the server has written so far, without waiting for more. */
    private List<Frame> framesAvailable() throws Exception {
        List<Frame> frames = new java.util.ArrayList<>();
        while (true) {
            Frame frame = clientParser.parse(fromServer);
            if (frame != null) {
                frames.add(frame.copy());
                continue;
            }
            fromServer.compact();
            int n;
            try {
                n = serverToClient.tryRead(fromServer);
            } finally {
                fromServer.flip();
            }
            if (n <= 0) {
                return frames;
            }
        }
    }

    private Frame receiveClose() throws Exception {
        Frame frame = receive();
        assertEquals(FrameType.CLOSE, frame == null ? null : frame.type(), "expected a close frame, got " + frame);
        return frame;
    }

    private CloseReason closeReason() throws Exception {
        return session.get(5, TimeUnit.SECONDS).closeReason().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static void await(Job job) throws Exception {
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static ByteBuffer bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(b);
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ reading, pings, reassembly

    @Test
    void echoesWholeMessagesAnswersAPingMidMessageAndAnswersTheCloseWithItsCode() throws Exception {
        Job job = start(QUIET, echoMessages());
        send(Frame.text("hel", false));
        send(Frame.ping(utf8("p1")));
        send(Frame.continuation(utf8("lo"), true));
        Frame pong = receive();
        assertEquals(FrameType.PONG, pong.type(), "the ping in the middle of a message is answered at once");
        assertEquals(utf8("p1"), pong.data());
        Frame echo = receive();
        assertEquals(FrameType.TEXT, echo.type());
        assertTrue(echo.fin(), "the message comes back whole");
        assertEquals("hello", echo.textData());
        send(Frame.binary(new byte[] {1, 2, 3}, true));
        assertEquals(bytes(1, 2, 3), receive().data());
        send(Frame.close(new CloseReason(4001, "bye")));
        assertEquals(4001, receiveClose().closeReason().code());
        await(job);
        assertEquals(new CloseReason(4001, "bye"), closeReason());
        assertEquals(List.of(), framesAvailable(), "nothing after the close");
    }

    @Test
    void aCloseWithoutPayloadIsAnsweredWithAnEmptyClose() throws Exception {
        Job job = start(QUIET, s -> new CompletableFuture<Void>());
        send(Frame.close());
        assertEquals(0, receiveClose().length());
        await(job);
        assertEquals(1005, closeReason().code(), "reported locally as 'no status'");
    }

    @Test
    void anUnsolicitedPongIsIgnored() throws Exception {
        Job job = start(QUIET, echoMessages());
        send(Frame.pong(utf8("heartbeat")));
        send(Frame.text("a"));
        assertEquals("a", receive().textData(), "nothing is answered to the pong");
        send(Frame.close(new CloseReason(1000, "")));
        receiveClose();
        await(job);
    }

    @Test
    void aCharacterSplitBetweenFramesMakesOneValidMessage() throws Exception {
        CompletableFuture<Message> got = new CompletableFuture<>();
        Job job = start(QUIET, s -> s.incoming().receive().thenAccept(got::complete));
        send(new Frame(FrameType.TEXT, false, false, false, false, bytes(0xE2)));
        send(Frame.continuation(bytes(0x82), false));
        send(Frame.continuation(bytes(0xAC, 'x'), true));
        assertEquals(Message.text("€x"), got.get(5, TimeUnit.SECONDS));
        assertEquals(1000, receiveClose().closeReason().code(), "the handler's stage completed: close 1000");
        send(Frame.close(new CloseReason(1000, "")));
        await(job);
    }

    @Test
    void invalidUtf8ClosesWith1007AtTheBadFrameBeforeTheMessageEnds() throws Exception {
        Job job = start(QUIET, s -> s.incoming().receive());
        send(new Frame(FrameType.TEXT, false, false, false, false, utf8("fine")));
        send(Frame.continuation(bytes(0xED, 0xA0, 0x80), false)); // a surrogate; the message is not finished
        assertEquals(1007, receiveClose().closeReason().code());
        await(job);
        assertEquals(1007, closeReason().code());
    }

    @Test
    void aTextEndingInsideACharacterClosesWith1007() throws Exception {
        Job job = start(QUIET, s -> s.incoming().receive());
        send(new Frame(FrameType.TEXT, true, false, false, false, bytes('a', 0xF0, 0x9F)));
        assertEquals(1007, receiveClose().closeReason().code());
        await(job);
    }

    @Test
    void aMessageOverMaxMessageSizeAcrossFragmentsClosesWith1009() throws Exception {
        Job job = start(QUIET.withMaxMessageSize(10), s -> s.incoming().receive());
        send(Frame.binary(new byte[6], false));
        send(Frame.continuation(ByteBuffer.allocate(5), true));
        assertEquals(1009, receiveClose().closeReason().code());
        await(job);
        assertEquals(1009, closeReason().code());
    }

    @Test
    void aNewMessageInsideAFragmentedOneClosesWith1002() throws Exception {
        Job job = start(QUIET, s -> s.incoming().receive());
        send(Frame.text("a", false));
        send(Frame.text("b", true));
        assertEquals(1002, receiveClose().closeReason().code());
        await(job);
        assertEquals(1002, closeReason().code());
    }

    @Test
    void aContinuationWithoutAMessageClosesWith1002() throws Exception {
        Job job = start(QUIET, s -> s.incoming().receive());
        send(Frame.continuation(utf8("x"), true));
        assertEquals(1002, receiveClose().closeReason().code());
        await(job);
    }

    @Test
    void aCloseCodeThatMayNotBeSentIsAnsweredWith1002() throws Exception {
        Job job = start(QUIET, s -> new CompletableFuture<Void>());
        send(new Frame(FrameType.CLOSE, true, false, false, false, ByteBuffer.allocate(2).putShort(0, (short) 1005)));
        assertEquals(1002, receiveClose().closeReason().code());
        await(job);
        assertEquals(1002, closeReason().code());
    }

    @Test
    void aOneByteClosePayloadIsAnsweredWith1002() throws Exception {
        Job job = start(QUIET, s -> new CompletableFuture<Void>());
        sendRaw(0x88, 0x81, 0, 0, 0, 0, 0x03); // CLOSE, masked with key 0, payload of 1 byte
        assertEquals(1002, receiveClose().closeReason().code());
        await(job);
    }

    @Test
    void thePeerGoingAwayWithoutACloseEndsWith1006() throws Exception {
        CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
        Job job = start(QUIET, s -> s.incoming().receive().handle((m, e) -> handlerSaw.complete(e)));
        clientToServer.close();
        await(job);
        CloseReason reason = closeReason();
        assertEquals(1006, reason.code());
        assertTrue(reason.message().contains("without a close frame"), reason.message());
        Throwable seen = handlerSaw.get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedReceiveException.class, seen);
        assertTrue(seen.getMessage().startsWith("no more messages"), seen.getMessage());
    }

    // ------------------------------------------------------------------ messages or frames

    @Test
    void framesGivesTheDataFramesAsTheyArriveAndThenIncomingIsRefused() throws Exception {
        CompletableFuture<List<Frame>> got = new CompletableFuture<>();
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        Job job = start(QUIET, s -> {
            IncomingFrames frames = s.frames();
            try {
                s.incoming();
            } catch (IllegalStateException e) {
                refused.complete(e);
            }
            return frames.receive().thenCompose(first -> frames.receive().thenAccept(second -> got.complete(List.of(first, second))));
        });
        send(Frame.text("ab", false));
        send(Frame.ping(null));
        send(Frame.continuation(utf8("c"), true));
        List<Frame> frames = got.get(5, TimeUnit.SECONDS);
        assertEquals(FrameType.TEXT, frames.get(0).type());
        assertFalse(frames.get(0).fin());
        assertEquals(FrameType.CONTINUATION, frames.get(1).type(), "control frames never appear here");
        assertTrue(frames.get(1).fin());
        Throwable e = refused.get(5, TimeUnit.SECONDS);
        assertTrue(e.getMessage().contains("frames()"), e.getMessage());
        job.cancel();
    }

    @Test
    void incomingFirstThenFramesIsRefused() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        Job job = start(QUIET, s -> {
            s.incoming();
            s.incoming(); // the same choice again is fine
            refused.complete(assertThrows(IllegalStateException.class, s::frames));
            return null;
        });
        assertTrue(refused.get(5, TimeUnit.SECONDS).getMessage().contains("incoming()"));
        receiveClose();
        job.cancel();
    }

    @Test
    void aHandlerThatDoesNotReceiveStopsTheReading() throws Exception {
        Job job = start(QUIET, s -> {
            s.incoming(); // chooses messages, never receives
            return new CompletableFuture<Void>();
        });
        byte[] payload = new byte[1000];
        // the session's inbox holds 64 KiB; past that the session stops reading and the input channel fills up
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 400; i++) {
                    send(Frame.binary(payload, true));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, user);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (clientToServer.availableForWrite() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, clientToServer.availableForWrite(), "the input buffer fills up: the session stopped reading");
        assertFalse(writer.isDone(), "the peer's writes wait");
        DefaultSession s = session.get(5, TimeUnit.SECONDS);
        s.terminate();
        assertEquals(1006, closeReason().code());
        await(job);
    }

    @Test
    void messagesArePutTogetherInOrderAndPollAndTakeWork() throws Exception {
        CompletableFuture<List<Message>> got = new CompletableFuture<>();
        Job job = start(QUIET, s -> CompletableFuture.runAsync(() -> {
            try {
                Message first = s.incoming().take();
                Message second = s.incoming().take();
                Message third = null;
                for (int i = 0; i < 500 && third == null; i++) {
                    third = s.incoming().poll();
                    if (third == null) {
                        Thread.sleep(10);
                    }
                }
                got.complete(java.util.Arrays.asList(first, second, third));
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        }, user));
        byte[] big = new byte[100_000];
        new java.util.Random(1).nextBytes(big);
        send(Frame.binary(ByteBuffer.wrap(big, 0, 30_000), false));
        send(Frame.continuation(ByteBuffer.wrap(big, 30_000, 70_000), true));
        send(Frame.text("two"));
        send(Frame.text("thr", false));
        send(Frame.continuation(utf8("ee"), true));
        List<Message> messages = got.get(5, TimeUnit.SECONDS);
        assertEquals(Message.binary(big), messages.get(0));
        assertEquals(Message.text("two"), messages.get(1));
        assertEquals(Message.text("three"), messages.get(2));
        receiveClose();
        send(Frame.close(new CloseReason(1000, "")));
        await(job);
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeWaitsForThePeersCloseAndCompletesWithOurReason() throws Exception {
        CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        CompletableFuture<Throwable> lateSend = new CompletableFuture<>();
        Job job = start(QUIET.withTimeout(Duration.ofSeconds(30)), s -> {
            s.close(new CloseReason(4000, "done")).thenAccept(closed::complete);
            s.sendText("late").whenComplete((v, e) -> lateSend.complete(e));
            return new CompletableFuture<Void>();
        });
        assertEquals(new CloseReason(4000, "done"), receiveClose().closeReason());
        assertInstanceOf(ClosedSendException.class, lateSend.get(5, TimeUnit.SECONDS), "no data after our close");
        assertEquals(CloseHandshake.State.CLOSE_SENT, session.get().state(), "waits for the peer");
        assertFalse(job.isCompleted());
        send(Frame.close(new CloseReason(4000, "")));
        assertEquals(new CloseReason(4000, "done"), closed.get(5, TimeUnit.SECONDS));
        await(job);
        assertEquals(CloseHandshake.State.CLOSED, session.get().state());
    }

    @Test
    void aPeerThatDoesNotAnswerOurCloseIsDroppedAfterTheTimeout() throws Exception {
        Job job = start(QUIET.withTimeout(Duration.ofMillis(200)), s -> s.close(new CloseReason(1000, "bye")));
        receiveClose();
        await(job);
        assertEquals(new CloseReason(1000, "bye"), closeReason());
    }

    @Test
    void aHandlerStageThatCompletesClosesWith1000() throws Exception {
        Job job = start(QUIET, s -> CompletableFuture.completedFuture("done"));
        assertEquals(1000, receiveClose().closeReason().code());
        send(Frame.close(new CloseReason(1000, "")));
        await(job);
        assertEquals(1000, closeReason().code());
    }

    @Test
    void aFailingHandlerStageClosesWith1011() throws Exception {
        Job job = start(QUIET, s -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        assertEquals(new CloseReason(1011, "internal error"), receiveClose().closeReason());
        send(Frame.close(new CloseReason(1011, "")));
        await(job);
    }

    @Test
    void aThrowingHandlerClosesWith1011() throws Exception {
        Job job = start(QUIET, s -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(1011, receiveClose().closeReason().code());
        await(job); // the peer does not answer: the timeout ends it
        assertEquals(1011, closeReason().code());
    }

    @Test
    void closeRefusesACodeThatMayNotBeSent() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        Job job = start(QUIET, s -> {
            refused.complete(assertThrows(IllegalArgumentException.class, () -> s.close(new CloseReason(1006, ""))));
            return null;
        });
        assertTrue(refused.get(5, TimeUnit.SECONDS).getMessage().contains("1006"));
        receiveClose();
        job.cancel();
    }

    // ------------------------------------------------------------------ timers

    @Test
    void pingsArePeriodicRecognisableAndAnsweredPongsKeepTheSessionOpen() throws Exception {
        Job job = start(QUIET.withPingPeriod(Duration.ofMillis(100)).withTimeout(Duration.ofMillis(300)), s -> new CompletableFuture<Void>());
        for (int i = 1; i <= 3; i++) {
            Frame ping = receive();
            assertEquals(FrameType.PING, ping.type());
            String payload = StandardCharsets.US_ASCII.decode(ping.data()).toString();
            assertEquals(Heartbeat.PING_PREFIX + i, payload);
            send(Frame.pong(ping.data()));
        }
        assertEquals(CloseHandshake.State.OPEN, session.get().state());
        send(Frame.close(new CloseReason(1000, "")));
        Frame next;
        while ((next = receive()) != null && next.type() == FrameType.PING) {
            // a ping may have gone out before our close arrived
        }
        assertEquals(FrameType.CLOSE, next.type());
        await(job);
    }

    @Test
    void aMissingPongDropsTheConnectionWith1006() throws Exception {
        Job job = start(QUIET.withPingPeriod(Duration.ofMillis(100)).withTimeout(Duration.ofMillis(200)), s -> new CompletableFuture<Void>());
        assertEquals(FrameType.PING, receive().type());
        await(job);
        assertEquals(new CloseReason(1006, "no pong within 200 ms"), closeReason());
        for (Frame after : framesAvailable()) {
            assertEquals(FrameType.PING, after.type(), "no close frame: the connection is dropped");
        }
    }

    @Test
    void anUnrelatedPongDoesNotCountAsTheAnswer() throws Exception {
        Job job = start(QUIET.withPingPeriod(Duration.ofMillis(100)).withTimeout(Duration.ofMillis(200)), s -> new CompletableFuture<Void>());
        assertEquals(FrameType.PING, receive().type());
        send(Frame.pong(utf8("something else")));
        await(job);
        assertEquals(1006, closeReason().code());
    }

    @Test
    void aSilentPeerIsClosedWith1001AfterTheIdleTimeout() throws Exception {
        Job job = start(QUIET.withIdleTimeout(Duration.ofMillis(200)), s -> new CompletableFuture<Void>());
        send(Frame.ping(null)); // activity first: the timeout counts from the last frame
        assertEquals(FrameType.PONG, receive().type());
        assertEquals(new CloseReason(1001, "idle timeout"), receiveClose().closeReason());
        send(Frame.close(new CloseReason(1001, "")));
        await(job);
        assertEquals(new CloseReason(1001, "idle timeout"), closeReason());
    }

    @Test
    void everyTimerTaskIsCancelledWhenTheSessionEnds() throws Exception {
        Job job = start(QUIET.withPingPeriod(Duration.ofMillis(100)).withIdleTimeout(Duration.ofSeconds(30))
            .withTimeout(Duration.ofSeconds(30)), s -> new CompletableFuture<Void>());
        assertEquals(FrameType.PING, receive().type()); // ping, pong deadline, idle check and next ping are scheduled
        assertTrue(session.get().pendingTimers() > 0);
        send(Frame.close(new CloseReason(1000, "")));
        await(job);
        assertEquals(0, session.get().pendingTimers());
        assertEquals(0, timer.pending(), "nothing of the session is left in the shared timer: " + timer);
    }

    // ------------------------------------------------------------------ sending

    @Test
    void sendFrameSendsAHandlerFragmentedMessageAndPings() throws Exception {
        Job job = start(QUIET, s -> s.sendFrame(Frame.text("fr", false))
            .thenCompose(v -> s.sendFrame(Frame.ping(utf8("hi"))))
            .thenCompose(v -> s.sendFrame(Frame.continuation(utf8("ag"), true))));
        Frame first = receive();
        assertEquals(FrameType.TEXT, first.type());
        assertFalse(first.fin());
        assertFalse(first.rsv1());
        assertEquals(FrameType.PING, receive().type());
        Frame last = receive();
        assertEquals(FrameType.CONTINUATION, last.type());
        assertTrue(last.fin());
        assertEquals(1000, receiveClose().closeReason().code());
        send(Frame.close(new CloseReason(1000, "")));
        await(job);
    }

    @Test
    void sendFrameRefusesCloseAndPongAndOutOfOrderFrames() throws Exception {
        CompletableFuture<List<Throwable>> refused = new CompletableFuture<>();
        Job job = start(QUIET, s -> {
            Throwable close = assertThrows(IllegalArgumentException.class, () -> s.sendFrame(Frame.close(new CloseReason(1000, ""))));
            Throwable pong = assertThrows(IllegalArgumentException.class, () -> s.sendFrame(Frame.pong(null)));
            Throwable continuation = assertThrows(IllegalStateException.class, () -> s.sendFrame(Frame.continuation(utf8("x"), true)));
            s.sendFrame(Frame.binary(new byte[1], false));
            Throwable interleaved = assertThrows(IllegalStateException.class, () -> s.sendText("whole"));
            Throwable rsv = assertThrows(IllegalArgumentException.class,
                () -> s.sendFrame(new Frame(FrameType.TEXT, true, true, false, false, null)));
            refused.complete(List.of(close, pong, continuation, interleaved, rsv));
            return new CompletableFuture<Void>();
        });
        List<Throwable> errors = refused.get(5, TimeUnit.SECONDS);
        assertTrue(errors.get(0).getMessage().contains("close("), errors.get(0).getMessage());
        assertTrue(errors.get(1).getMessage().contains("PONG"), errors.get(1).getMessage());
        assertTrue(errors.get(3).getMessage().contains("not finished"), errors.get(3).getMessage());
        job.cancel();
    }

    @Test
    void maskingSettingMasksTheServersFrames() throws Exception {
        clientParser = new FrameParser(Long.MAX_VALUE, true, 0); // expects masked frames, as a server would
        Job job = start(QUIET.withMasking(true), s -> s.sendText("masked"));
        assertEquals("masked", receive().textData());
        receiveClose();
        job.cancel();
    }

    @Test
    void sendsKeepTheirOrder() throws Exception {
        Job job = start(QUIET, s -> {
            CompletableFuture<?>[] all = new CompletableFuture<?>[200];
            for (int i = 0; i < all.length; i++) {
                all[i] = s.sendText("m" + i).toCompletableFuture();
            }
            return CompletableFuture.allOf(all);
        });
        for (int i = 0; i < 200; i++) {
            assertEquals("m" + i, receive().textData());
        }
        receiveClose();
        job.cancel();
    }

    /** A handler that answers each message only after a while, so that what follows has long been read. */
    private WebSocketHandler slowEcho() {
        return s -> s.incoming().forEach(m -> CompletableFuture.supplyAsync(() -> m,
            CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS, user)).thenCompose(s::send).thenApply(v -> true));
    }

    private void sendTogether(Frame... frames) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Frame frame : frames) {
            ByteBuffer encoded = client.encode(frame);
            all.write(encoded.array(), 0, encoded.remaining());
        }
        clientToServer.write(ByteBuffer.wrap(all.toByteArray())).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void thePeersCloseIsAnsweredAfterTheHandlerAnsweredTheMessagesBeforeIt() throws Exception {
        Job job = start(QUIET.withTimeout(Duration.ofSeconds(3)), slowEcho());
        sendTogether(Frame.text("one"), Frame.text("two"), Frame.close(new CloseReason(1000, "done")));
        assertEquals("one", receive().textData());
        assertEquals("two", receive().textData(), "nothing the peer sent before its close is left unanswered");
        Frame close = receiveClose();
        assertEquals(new CloseReason(1000, "done"), close.closeReason(), "code and reason echoed");
        await(job);
    }

    @Test
    void aProtocolErrorIsAnsweredAfterTheMessagesBeforeIt() throws Exception {
        Job job = start(QUIET.withTimeout(Duration.ofSeconds(3)), slowEcho());
        Frame invalidUtf8 = new Frame(FrameType.TEXT, true, false, false, false, bytes(0xC3, 0x28));
        sendTogether(Frame.text("fine"), invalidUtf8);
        assertEquals("fine", receive().textData(), "the message before the bad one is still answered");
        assertEquals(1007, receiveClose().closeReason().code());
        await(job);
        assertEquals(1007, closeReason().code());
    }

    @Test
    void aHandlerThatDoesNotAnswerInTimeDoesNotHoldTheCloseBackBeyondTheTimeout() throws Exception {
        Job job = start(QUIET.withTimeout(java.time.Duration.ofMillis(200)),
            s -> s.incoming().forEach(m -> new CompletableFuture<Boolean>()));
        sendTogether(Frame.text("never answered"), Frame.close(new CloseReason(1000, "")));
        assertEquals(1000, receiveClose().closeReason().code(), "answered after the timeout");
        await(job);
    }
}
