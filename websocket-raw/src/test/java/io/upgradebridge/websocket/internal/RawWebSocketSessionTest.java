package io.upgradebridge.websocket.internal;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.ClosedSendException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketProtocolException;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw session over in-memory channels: the client side writes masked frames, reads the server's. */
class RawWebSocketSessionTest {

    private final ExecutorService engine = Executors.newFixedThreadPool(2, named("engine-"));
    private final ExecutorService user = Executors.newCachedThreadPool(named("user-"));

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
    private final ByteChannel clientToServer = ByteChannel.create(64 * 1024, engine);
    private final ByteChannel serverToClient = ByteChannel.create(64 * 1024, engine);
    private final FrameWriter client = FrameWriter.forClient();
    private final FrameParser clientParser = FrameParser.forClient(Long.MAX_VALUE);
    private final ByteBuffer fromServer = ByteBuffer.allocate(256 * 1024).flip();

    @AfterEach
    void stop() {
        engine.shutdownNow();
        user.shutdownNow();
    }

    private Job start(long maxFrameSize, WebSocketUpgrade.Handler handler) {
        return new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, maxFrameSize).start(handler);
    }

    private Job startBlocking(long maxFrameSize, WebSocketUpgrade.BlockingHandler handler) {
        return new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, maxFrameSize).startBlocking(handler);
    }

    private void send(Frame frame) throws Exception {
        clientToServer.write(client.encode(frame)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void sendRaw(byte... bytes) throws Exception {
        clientToServer.write(ByteBuffer.wrap(bytes)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** The next frame the server sent, or null when its output ended. */
    private Frame receive() throws Exception {
        while (true) {
            Frame frame = clientParser.parse(fromServer);
            if (frame != null) {
                return frame;
            }
            fromServer.compact();
            int n = serverToClient.read(fromServer).toCompletableFuture().get(5, TimeUnit.SECONDS);
            fromServer.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    private static CompletableFuture<Void> echo(WebSocketSession session) {
        return CompletableFuture.runAsync(() -> {
            try {
                while (true) {
                    Frame f = session.incoming().take();
                    if (f.type() == FrameType.PING) {
                        session.send(Frame.pong(f.data()));
                    } else if (f.type() == FrameType.CLOSE) {
                        session.close(f.closeReason()).toCompletableFuture().join();
                        return;
                    } else {
                        session.send(new Frame(f.type(), f.fin(), false, false, false, f.data())).toCompletableFuture().join();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void echoesFramesAnswersPingAndCompletesTheCloseHandshake() throws Exception {
        Job job = start(1 << 20, RawWebSocketSessionTest::echo);
        send(Frame.text("hello"));
        assertEquals("hello", receive().textData());
        send(Frame.text("frag", false));
        send(Frame.ping(ByteBuffer.wrap("p".getBytes(StandardCharsets.UTF_8))));
        send(Frame.continuation(ByteBuffer.wrap("ment".getBytes(StandardCharsets.UTF_8)), true));
        Frame first = receive();
        assertEquals(FrameType.TEXT, first.type());
        assertTrue(!first.fin());
        assertEquals(FrameType.PONG, receive().type(), "the ping in the middle of a fragmented message is answered");
        Frame last = receive();
        assertEquals(FrameType.CONTINUATION, last.type());
        assertTrue(last.fin());
        send(Frame.close(new CloseReason(CloseReason.Codes.NORMAL, "bye")));
        Frame close = receive();
        assertEquals(1000, close.closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void unmaskedClientFrameClosesWith1002AndEndsTheJob() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Job job = start(1 << 20, session -> session.incoming().receive().whenComplete((f, e) -> seen.complete(e)));
        sendRaw((byte) 0x81, (byte) 0x02, (byte) 'h', (byte) 'i'); // text "hi", not masked
        Frame close = receive();
        assertEquals(FrameType.CLOSE, close.type());
        assertEquals(1002, close.closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Throwable why = seen.get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedReceiveException.class, why);
        assertInstanceOf(WebSocketProtocolException.class, why.getCause(), "the handler sees why");
    }

    @Test
    void frameOverMaxFrameSizeClosesWith1009() throws Exception {
        Job job = start(100, session -> session.incoming().forEach(frame -> CompletableFuture.completedFuture(true)));
        send(Frame.binary(new byte[101], true));
        assertEquals(1009, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void theAnswerToAFrameBeforeAProtocolErrorGoesOutBeforeTheClose() throws Exception {
        Job job = start(1 << 20, RawWebSocketSessionTest::echo);
        byte[] text = client.encode(Frame.text("before")).array();
        byte[] reservedOpcode = {(byte) 0x83, (byte) 0x80, 1, 2, 3, 4}; // opcode 3, masked, empty
        byte[] both = new byte[text.length + reservedOpcode.length];
        System.arraycopy(text, 0, both, 0, text.length);
        System.arraycopy(reservedOpcode, 0, both, text.length, reservedOpcode.length);
        sendRaw(both); // one write: the parser sees the error right after the text
        assertEquals("before", receive().textData(), "the handler's echo of the frame before the error");
        assertEquals(1002, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void invalidTextClosesWith1007AfterTheFramesBeforeItAreAnswered() throws Exception {
        Job job = start(1 << 20, RawWebSocketSessionTest::echo);
        send(Frame.text("valid", false));
        send(new Frame(FrameType.CONTINUATION, true, false, false, false, ByteBuffer.wrap(new byte[] {'o', 'k', (byte) 0xC0, (byte) 0xAF})));
        assertEquals("valid", receive().textData(), "the frame before the bad one is echoed");
        Frame close = receive();
        assertEquals(1007, close.closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void withoutTheUtf8CheckTheHandlerSeesInvalidTextAndMayCheckItItself() throws Exception {
        WebSocketUpgrade.Options unchecked = WebSocketUpgrade.Options.DEFAULT.withoutUtf8Check();
        io.upgradebridge.websocket.Utf8Validator utf8 = new io.upgradebridge.websocket.Utf8Validator();
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Job job = new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, unchecked).start(session ->
            session.incoming().forEach(frame -> {
                seen.add(frame.type() + " " + frame.length());
                utf8.check(frame); // throws 1007 as a WebSocketProtocolException: the handler answers it
                return CompletableFuture.completedFuture(true);
            }).exceptionallyCompose(e -> {
                Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                return session.close(((WebSocketProtocolException) cause).closeReason());
            }));
        send(new Frame(FrameType.TEXT, true, false, false, false, ByteBuffer.wrap(new byte[] {(byte) 0xFF})));
        assertEquals(1007, receive().closeReason().code());
        assertEquals(java.util.List.of("TEXT 1"), seen, "the session let the invalid frame through to the handler");
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void theSessionsSettingsAndWhatItNegotiated() throws Exception {
        CompletableFuture<WebSocketSession> sessionRef = new CompletableFuture<>();
        Job job = start(1 << 20, session -> {
            assertEquals(1 << 20, session.maxFrameSize());
            session.maxFrameSize(10); // for frames not yet started
            sessionRef.complete(session);
            return session.incoming().forEach(frame -> CompletableFuture.completedFuture(true));
        });
        WebSocketSession session = sessionRef.get(5, TimeUnit.SECONDS);
        assertEquals(java.util.List.of(), session.extensions(), "no extension until one is negotiated");
        assertEquals(false, session.masking(), "a server does not mask");
        assertEquals(10, session.maxFrameSize());
        send(Frame.binary(new byte[10], true)); // at the limit: accepted
        send(Frame.binary(new byte[11], true));
        assertEquals(1009, receive().closeReason().code(), "the lowered limit applies");
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void maskingCanBeTurnedOnForTestsOfClientBehaviour() throws Exception {
        CompletableFuture<WebSocketSession> sessionRef = new CompletableFuture<>();
        start(1 << 20, session -> {
            sessionRef.complete(session);
            return new CompletableFuture<Void>();
        });
        WebSocketSession session = sessionRef.get(5, TimeUnit.SECONDS);
        session.send(Frame.text("plain")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.masking(true);
        assertTrue(session.masking());
        session.send(Frame.text("masked")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        ByteBuffer raw = ByteBuffer.allocate(64);
        while (raw.position() < 2 + 5 + 2 + 4 + 6) {
            serverToClient.read(raw).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        raw.flip();
        assertEquals(5, raw.get(1), "the first frame is unmasked, 5 bytes");
        assertEquals((byte) (0x80 | 6), raw.get(2 + 5 + 1), "the second frame has the mask bit and 6 bytes");
        byte[] payload = new byte[6];
        for (int i = 0; i < 6; i++) {
            payload[i] = (byte) (raw.get(2 + 5 + 2 + 4 + i) ^ raw.get(2 + 5 + 2 + (i % 4)));
        }
        assertEquals("masked", new String(payload, StandardCharsets.UTF_8));
    }

    @Test
    void terminateEndsTheSessionAtOnceWithoutACloseFrameAndPendingSendsFail() throws Exception {
        CompletableFuture<WebSocketSession> sessionRef = new CompletableFuture<>();
        Job job = start(1 << 20, session -> {
            sessionRef.complete(session);
            return new CompletableFuture<Void>(); // would run for ever
        });
        WebSocketSession session = sessionRef.get(5, TimeUnit.SECONDS);
        session.terminate();
        CompletableFuture<?> completion = job.completion().toCompletableFuture();
        assertThrows(Exception.class, () -> completion.get(5, TimeUnit.SECONDS));
        assertTrue(completion.isCompletedExceptionally());
        assertTrue(job.isCancelled(), "the job ends cancelled: the bridge then closes the TCP connection");
        java.util.concurrent.ExecutionException late = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> session.send(Frame.text("too late")).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertInstanceOf(ClosedSendException.class, late.getCause());
        assertEquals(0, serverToClient.availableForRead(), "no close frame was sent");
    }

    @Test
    void aPeerThatDoesNotReadMakesSendWaitAndMemoryStaysBounded() throws Exception {
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        byte[] payload = new byte[64 * 1024];
        int frames = 40;
        Job job = startBlocking(1 << 20, s -> {
            for (int i = 0; i < frames; i++) {
                s.send(Frame.binary(payload, true)).toCompletableFuture().join();
                sent.incrementAndGet();
            }
        });
        Thread.sleep(300); // the peer reads nothing meanwhile
        assertTrue(sent.get() < 3, "send waits for a peer that does not read: " + sent.get() + " of " + frames + " done");
        assertTrue(serverToClient.availableForRead() <= 64 * 1024, "no more than the channel holds is buffered");
        long received = 0;
        ByteBuffer sink = ByteBuffer.allocate(256 * 1024);
        while (received < (long) frames * (payload.length + 4)) {
            sink.clear();
            int n = serverToClient.read(sink).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(n >= 0, "the output ended early after " + received + " bytes");
            received += n;
        }
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(frames, sent.get(), "every send completed once the peer read");
    }

    @Test
    void handlerExceptionClosesWith1011() throws Exception {
        Job job = start(1 << 20, session -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(1011, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void peerDisconnectEndsIncomingWithACauseAndSendAfterTheEndFails() throws Exception {
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        CompletableFuture<WebSocketSession> sessionRef = new CompletableFuture<>();
        Job job = start(1 << 20, session -> {
            sessionRef.complete(session);
            return session.incoming().receive().handle((f, e) -> end.complete(e));
        });
        clientToServer.close(); // the peer went away without a close frame
        Throwable cause = end.get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedReceiveException.class, cause);
        assertInstanceOf(EOFException.class, cause.getCause());
        assertTrue(cause.getMessage().contains("without a close frame"), cause.getMessage());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Throwable sendFailure = sessionRef.get().send(Frame.text("late")).toCompletableFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedSendException.class, sendFailure);
    }

    @Test
    void blockingHandlerRunsOnTheUserExecutor() throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();
        Job job = startBlocking(1 << 20, s -> {
            thread.complete(Thread.currentThread().getName());
            Frame f = s.incoming().take();
            s.send(Frame.text("got " + f.textData())).toCompletableFuture().join();
        });
        send(Frame.text("x"));
        assertEquals("got x", receive().textData());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertNotNull(thread.get());
        assertTrue(thread.get().startsWith("user-"), "the handler runs on userContext, not on " + thread.get());
    }

    @Test
    void aHandlerThatDoesNotReceiveStopsTheReader() throws Exception {
        Job job = start(1 << 20, session -> new CompletableFuture<Void>());
        byte[] payload = new byte[1000];
        // the inbox holds 64 KiB; past that the session stops reading and the input channel fills up
        for (int i = 0; i < 64; i++) {
            send(Frame.binary(payload, true));
        }
        CompletableFuture<Void> more = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    send(Frame.binary(payload, true));
                }
                more.complete(null);
            } catch (Exception e) {
                more.completeExceptionally(e);
            }
        });
        writer.setDaemon(true);
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (clientToServer.availableForWrite() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, clientToServer.availableForWrite(), "the input buffer fills up: the session stopped reading");
        assertTrue(!more.isDone(), "the peer's writes wait");
        job.cancel();
    }

    @Test
    void applicationStoppingSendsGoingAwayAndEndsTheJob() throws Exception {
        CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
        Job job = start(1 << 20, session -> session.incoming().receive().handle((f, e) -> handlerSaw.complete(e)));
        assertTrue(job instanceof io.upgradebridge.servlet.ShutdownAware, "the bridge can ask the session to stop cleanly");
        ((io.upgradebridge.servlet.ShutdownAware) job).applicationStopping();
        Frame close = receive();
        assertEquals(1001, close.closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedReceiveException.class, handlerSaw.get(5, TimeUnit.SECONDS));
    }

    @Test
    void forEachHandsOverEveryFrameInOrderAndEndsWhenThePeerLeaves() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> loopEnded = new CompletableFuture<>();
        Job job = start(1 << 20, session -> session.incoming().forEach(frame -> {
            seen.add(frame.textData());
            return session.send(Frame.text(frame.textData())).thenApply(v -> true); // next frame once this answer is queued
        }).whenComplete((v, e) -> loopEnded.complete(null)));
        for (int i = 0; i < 500; i++) {
            send(Frame.text("m" + i));
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("m" + i, receive().textData());
        }
        clientToServer.close();
        loopEnded.get(5, TimeUnit.SECONDS);
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(500, seen.size());
    }

    @Test
    void aReservedBitPassesOnlyWhenTheOptionsNegotiatedIt() throws Exception {
        CompletableFuture<Frame> got = new CompletableFuture<>();
        WebSocketUpgrade.Options options = new WebSocketUpgrade.Options(1 << 20, java.util.List.of("permessage-deflate"),
            WebSocketUpgrade.RSV1);
        RawWebSocketSession session = new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, options);
        assertEquals(java.util.List.of("permessage-deflate"), session.extensions());
        session.start(s -> s.incoming().receive().thenAccept(got::complete));
        send(new Frame(FrameType.TEXT, true, true, false, false, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        Frame frame = got.get(5, TimeUnit.SECONDS);
        assertTrue(frame.rsv1(), "the handler sees the bit and decides what it means");
    }

    @Test
    void aReservedBitNobodyNegotiatedClosesWith1002() throws Exception {
        start(1 << 20, session -> session.incoming().receive());
        send(new Frame(FrameType.TEXT, true, true, false, false, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        Frame close = receive();
        assertEquals(FrameType.CLOSE, close.type());
        assertEquals(1002, close.closeReason().code());
    }

    @Test
    void optionsRefuseWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new WebSocketUpgrade.Options(0, java.util.List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new WebSocketUpgrade.Options(10, java.util.List.of(), 0x80));
    }
    /**
     * The frame reader parses on the thread that filled the input (a container's read event): no hop to the engine
     * executor per frame. Once the sink was full, the room it makes wakes the reader on the engine executor, not on
     * the application's thread. The peer's close frame tells the input that nothing more comes.
     */
    @Test
    void framesAreParsedOnTheFillingThreadAndAfterAPauseOnTheEngine() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<String> acceptedOn = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicBoolean room = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<Runnable> roomSignal = new java.util.concurrent.atomic.AtomicReference<>();
        FrameSink sink = new FrameSink() {
            @Override
            public boolean hasRoom() {
                return room.get();
            }

            @Override
            public void onRoom(Runnable signal) {
                roomSignal.set(signal);
            }

            @Override
            public boolean accept(Frame frame) {
                acceptedOn.add(frame.type() + " " + Thread.currentThread().getName());
                return frame.type() != FrameType.CLOSE;
            }

            @Override
            public void end(Throwable cause) {
            }
        };
        RawWebSocketSession session = new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, 1024);
        CompletableFuture<Void> layerDone = new CompletableFuture<>();
        session.startLayer(s -> {
            s.readInto(sink);
            return layerDone;
        });
        Thread.sleep(50); // the layer has started the reader
        send(Frame.text("one"));
        assertEquals("TEXT " + Thread.currentThread().getName(), acceptedOn.poll(5, TimeUnit.SECONDS),
            "parsed on the thread that wrote the bytes");
        room.set(false);
        send(Frame.text("two"));
        assertEquals(null, acceptedOn.poll(200, TimeUnit.MILLISECONDS), "a full sink takes nothing");
        room.set(true);
        roomSignal.get().run();
        String second = acceptedOn.poll(5, TimeUnit.SECONDS);
        assertNotNull(second);
        assertTrue(second.startsWith("TEXT engine-"), "after a pause the engine executor reads on: " + second);
        send(Frame.close(new CloseReason(CloseReason.Codes.NORMAL, "")));
        assertTrue(acceptedOn.poll(5, TimeUnit.SECONDS).startsWith("CLOSE "));
        assertTrue(((io.upgradebridge.io.internal.RingByteChannel) clientToServer).isPeerDone(),
            "after the peer's close frame nothing more is expected");
        layerDone.complete(null);
    }
}
