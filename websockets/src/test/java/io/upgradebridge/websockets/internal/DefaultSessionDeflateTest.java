package io.upgradebridge.websockets.internal;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websocket.internal.FrameParser;
import io.upgradebridge.websocket.internal.FrameWriter;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.PerMessageDeflate;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default session with permessage-deflate agreed: the test client compresses and decompresses with
 * java.util.zip itself (raw deflate, the {@code 00 00 ff ff} tail removed, RFC 7692 section 7.2).
 */
class DefaultSessionDeflateTest {

    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final ExecutorService engine = Executors.newFixedThreadPool(2);
    private final ExecutorService user = Executors.newCachedThreadPool();
    private final TimerLoop timer = new TimerLoop("test-timer");
    private final ByteChannel clientToServer = ByteChannel.create(64 * 1024, engine);
    private final ByteChannel serverToClient = ByteChannel.create(64 * 1024, engine);
    private final FrameWriter client = FrameWriter.forClient();
    private final FrameParser clientParser = new FrameParser(Long.MAX_VALUE, false, FrameParser.RSV1);
    private final ByteBuffer fromServer = ByteBuffer.allocate(256 * 1024).flip();
    private final CompletableFuture<DefaultSession> session = new CompletableFuture<>();

    @AfterEach
    void stop() {
        engine.shutdownNow();
        user.shutdownNow();
        timer.stop();
    }

    private Job start(WebSocketSettings settings, WebSocketHandler handler) {
        return start(1 << 20, settings, handler);
    }

    private Job start(long maxFrameSize, WebSocketSettings settings, WebSocketHandler handler) {
        DeflateAgreement agreement = DeflateAgreement.negotiate(List.of("permessage-deflate"), PerMessageDeflate.ENABLED).orElseThrow();
        WebSocketUpgrade.Options options = new WebSocketUpgrade.Options(maxFrameSize, List.of("permessage-deflate"), WebSocketUpgrade.RSV1);
        return new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, options)
            .startLayer(raw -> DefaultSession.run(raw, null, settings, agreement, s -> {
                session.complete((DefaultSession) s);
                return handler.handle(s);
            }, timer));
    }

    private void send(Frame frame) throws Exception {
        clientToServer.write(client.encode(frame)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

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

    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length);
            byte[] all = out.toByteArray();
            assertTrue(Arrays.equals(TAIL, Arrays.copyOfRange(all, all.length - 4, all.length)));
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    private static byte[] decompress(byte[] data) throws Exception {
        Inflater inflater = new Inflater(true);
        try {
            byte[] input = Arrays.copyOf(data, data.length + 4);
            System.arraycopy(TAIL, 0, input, data.length, 4);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            for (int i = 0; i < 100_000 && !inflater.needsInput(); i++) {
                int n = inflater.inflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    private static byte[] bytesOf(Frame frame) {
        ByteBuffer data = frame.data();
        byte[] b = new byte[data.remaining()];
        data.get(b);
        return b;
    }

    @Test
    void aCompressedMessageInTwoFramesIsDecompressedAndTheEchoIsCompressed() throws Exception {
        Job job = start(DefaultSessionTest.QUIET, s -> s.incoming().forEach(m -> s.send(m).thenApply(v -> true)));
        String text = "hello ".repeat(50);
        byte[] compressed = compress(text.getBytes(StandardCharsets.UTF_8));
        int half = compressed.length / 2;
        send(new Frame(FrameType.TEXT, false, true, false, false, ByteBuffer.wrap(compressed, 0, half)));
        send(Frame.continuation(ByteBuffer.wrap(compressed, half, compressed.length - half), true));
        Frame echo = receive();
        assertEquals(FrameType.TEXT, echo.type());
        assertTrue(echo.rsv1(), "sent compressed: RSV1 set");
        assertEquals(text, new String(decompress(bytesOf(echo)), StandardCharsets.UTF_8));
        send(Frame.close(new CloseReason(1000, "")));
        assertEquals(FrameType.CLOSE, receive().type());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aCompressedMessageOverMaxMessageSizeAfterDecompressionClosesWith1009() throws Exception {
        Job job = start(DefaultSessionTest.QUIET.withMaxMessageSize(1000), s -> s.incoming().receive());
        byte[] compressed = compress(new byte[5000]); // a few bytes on the wire, 5000 once inflated
        send(new Frame(FrameType.BINARY, true, true, false, false, ByteBuffer.wrap(compressed)));
        assertEquals(1009, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /**
     * The limits as the user sets them: frames on the wire, messages after inflation. A message of random bytes as
     * large as both limits, compressed into one frame, is larger on the wire than the frame limit (deflate stores what
     * it cannot compress, with a few bytes per block); it is still accepted, and one byte more is refused by the
     * message limit, not the frame limit.
     */
    @Test
    void aMessageAtBothLimitsIsAcceptedHoweverTheClientCompressedIt() throws Exception {
        int limit = 64 * 1024;
        Job job = start(limit, DefaultSessionTest.QUIET.withMaxFrameSize(limit).withMaxMessageSize(limit),
            s -> s.incoming().forEach(m -> s.send(m).thenApply(v -> true)));
        byte[] random = new byte[limit];
        new java.util.Random(7692).nextBytes(random);
        byte[] compressed = compress(random);
        assertTrue(compressed.length > limit, "deflate made the frame larger than the message: " + compressed.length);
        send(new Frame(FrameType.BINARY, true, true, false, false, ByteBuffer.wrap(compressed)));
        Frame echo = receive();
        assertTrue(java.util.Arrays.equals(random, echo.rsv1() ? decompress(bytesOf(echo)) : bytesOf(echo)), "echoed whole");
        byte[] oneMore = compress(java.util.Arrays.copyOf(random, limit + 1));
        send(new Frame(FrameType.BINARY, true, true, false, false, ByteBuffer.wrap(oneMore)));
        Frame close = receive();
        assertEquals(1009, close.closeReason().code());
        assertTrue(close.closeReason().message().contains("message inflates to more than"), close.closeReason().message());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void rsv1OnAContinuationOrAControlFrameClosesWith1002() throws Exception {
        Job job = start(DefaultSessionTest.QUIET, s -> s.incoming().receive());
        send(Frame.text("a", false));
        send(new Frame(FrameType.CONTINUATION, true, true, false, false, ByteBuffer.wrap(compress(new byte[] {'b'}))));
        assertEquals(1002, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void rsv1OnAPingClosesWith1002() throws Exception {
        Job job = start(DefaultSessionTest.QUIET, s -> new CompletableFuture<Void>());
        send(new Frame(FrameType.PING, true, true, false, false, null));
        assertEquals(1002, receive().closeReason().code());
        job.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aHandlerFragmentedMessageIsCompressedWithRsv1OnlyOnItsFirstFrame() throws Exception {
        String first = "abcabcabc ".repeat(20);
        String second = "xyzxyz ".repeat(20);
        Job job = start(DefaultSessionTest.QUIET, s -> s.sendFrame(Frame.text(first, false))
            .thenCompose(v -> s.sendFrame(Frame.continuation(ByteBuffer.wrap(second.getBytes(StandardCharsets.UTF_8)), true))));
        Frame a = receive();
        Frame b = receive();
        assertTrue(a.rsv1());
        assertFalse(a.fin());
        assertEquals(FrameType.CONTINUATION, b.type());
        assertFalse(b.rsv1(), "continuation frames keep RSV1 clear");
        byte[] joined = Arrays.copyOf(bytesOf(a), a.length() + b.length());
        System.arraycopy(bytesOf(b), 0, joined, a.length(), b.length());
        assertEquals(first + second, new String(decompress(joined), StandardCharsets.UTF_8));
        job.cancel();
    }

    @Test
    void aSmallMessageIsSentUncompressedWhenTheSettingsSaySo() throws Exception {
        Message message = Message.text("tiny");
        DeflateAgreement agreement = DeflateAgreement.negotiate(List.of("permessage-deflate"),
            PerMessageDeflate.ENABLED.withMinSizeToCompress(100)).orElseThrow();
        assertFalse(agreement.shouldCompress(message.length()));
        WebSocketUpgrade.Options options = new WebSocketUpgrade.Options(1 << 20, List.of("permessage-deflate"), WebSocketUpgrade.RSV1);
        Job job = new RawWebSocketSession(null, clientToServer, serverToClient, engine, user, options)
            .startLayer(raw -> DefaultSession.run(raw, null, DefaultSessionTest.QUIET, agreement, s -> s.send(message), timer));
        Frame frame = receive();
        assertFalse(frame.rsv1());
        assertEquals("tiny", frame.textData());
        job.cancel();
    }
}
