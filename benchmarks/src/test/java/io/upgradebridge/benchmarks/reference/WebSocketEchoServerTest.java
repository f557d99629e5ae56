package io.upgradebridge.benchmarks.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plain NIO WebSocket echo ({@code ReferenceServer nio-ws}) against a blocking client of bytes. */
class WebSocketEchoServerTest {

    private static NioServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ReferenceServer.start("nio-ws", 0, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static TestClient client() throws IOException {
        return new TestClient(server.port());
    }

    private static int closeCode(TestClient.Frame close) {
        return ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void answersTheHandshakeWithTheAcceptValue() throws IOException {
        try (TestClient client = client()) {
            String head = client.exchangeHead(TestClient.request("/echo?x=1", TestClient.KEY, "13"));
            assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
            assertTrue(head.contains("\r\nSec-WebSocket-Accept: " + TestClient.ACCEPT + "\r\n"), head);
            assertTrue(head.contains("\r\nUpgrade: websocket\r\n"), head);
        }
        assertEquals(TestClient.ACCEPT, WebSocketHandshake.accept(TestClient.KEY));
    }

    @Test
    void refusesBadHandshakesWithAReason() throws IOException {
        try (TestClient client = client()) {
            String head = client.exchangeHead(TestClient.request("/other", TestClient.KEY, "13"));
            assertTrue(head.startsWith("HTTP/1.1 404 "), head);
        }
        try (TestClient client = client()) {
            String head = client.exchangeHead(TestClient.request("/echo", TestClient.KEY, "8"));
            assertTrue(head.startsWith("HTTP/1.1 426 ") && head.contains("Sec-WebSocket-Version: 13\r\n"), head);
        }
        try (TestClient client = client()) {
            String head = client.exchangeHead(TestClient.request("/echo", null, "13"));
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
        }
        try (TestClient client = client()) {
            String head = client.exchangeHead(TestClient.request("/echo", "c2hvcnQ=", "13"));
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
        }
    }

    @Test
    void echoesAMaskedTextFrameUnmasked() throws IOException {
        try (TestClient client = client().upgrade()) {
            client.send(TestClient.frame(0x81, utf8("Hello, echo")));
            TestClient.Frame echo = client.readFrame();
            assertEquals(0x81, echo.b0());
            assertEquals("Hello, echo", echo.text());
        }
    }

    @Test
    void echoesFramesSentRightAfterTheRequestInOneWrite() throws IOException {
        try (TestClient client = client()) {
            byte[] request = TestClient.request("/echo", TestClient.KEY, "13").getBytes(StandardCharsets.ISO_8859_1);
            byte[] frame = TestClient.frame(0x82, new byte[] {1, 2, 3});
            byte[] both = new byte[request.length + frame.length];
            System.arraycopy(request, 0, both, 0, request.length);
            System.arraycopy(frame, 0, both, request.length, frame.length);
            client.send(both);
            assertTrue(client.readHead().startsWith("HTTP/1.1 101 "));
            TestClient.Frame echo = client.readFrame();
            assertEquals(0x82, echo.b0());
            assertArrayEquals(new byte[] {1, 2, 3}, echo.payload());
        }
    }

    @Test
    void echoesAFragmentedMessageFrameByFrameAndAnswersAPingBetweenItsFragments() throws IOException {
        try (TestClient client = client().upgrade()) {
            client.send(TestClient.frame(0x01, utf8("Hel")));
            client.send(TestClient.frame(0x89, utf8("are you there")));
            client.send(TestClient.frame(0x00, utf8("lo, ")));
            client.send(TestClient.frame(0x80, utf8("world")));
            TestClient.Frame first = client.readFrame();
            assertEquals(0x01, first.b0());
            assertEquals("Hel", first.text());
            TestClient.Frame pong = client.readFrame();
            assertEquals(0x8A, pong.b0());
            assertEquals("are you there", pong.text());
            TestClient.Frame second = client.readFrame();
            assertEquals(0x00, second.b0());
            assertEquals("lo, ", second.text());
            TestClient.Frame last = client.readFrame();
            assertEquals(0x80, last.b0());
            assertEquals("world", last.text());
        }
    }

    @Test
    void answersACloseWithTheSameStatusAndThenClosesTheConnection() throws IOException {
        try (TestClient client = client().upgrade()) {
            client.send(TestClient.frame(0x88, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}));
            TestClient.Frame close = client.readFrame();
            assertEquals(0x88, close.b0());
            assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, close.payload());
            assertTrue(client.atEof(), "the server closes the TCP connection after the close handshake");
        }
    }

    @Test
    void closesWith1002OnAnUnmaskedFrame() throws IOException {
        try (TestClient client = client().upgrade()) {
            client.send(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
            TestClient.Frame close = client.readFrame();
            assertEquals(0x88, close.b0());
            assertEquals(1002, closeCode(close));
            assertTrue(client.atEof());
        }
    }

    @Test
    void closesWith1002OnAContinuationWithoutAMessage() throws IOException {
        try (TestClient client = client().upgrade()) {
            client.send(TestClient.frame(0x80, utf8("orphan")));
            TestClient.Frame close = client.readFrame();
            assertEquals(0x88, close.b0());
            assertEquals(1002, closeCode(close));
        }
    }

    /**
     * Frames larger than the server's 64 KiB buffers, sent faster than the client reads them: the server's output
     * fills, it stops reading until the socket drains, and every byte comes back unmasked and in order.
     */
    @Test
    void echoesLargeFramesByteForByteWhileTheClientReadsLate() throws Exception {
        Random random = new Random(16);
        byte[][] payloads = {new byte[1024 * 1024], new byte[70_000], new byte[125], new byte[126], new byte[3]};
        for (byte[] payload : payloads) {
            random.nextBytes(payload);
        }
        int rounds = 8; // 8.6 MB each way: more than the socket buffers hold
        try (TestClient client = client().upgrade()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        for (byte[] payload : payloads) {
                            client.send(TestClient.frame(0x82, payload));
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300); // the client reads nothing meanwhile
            for (int round = 0; round < rounds; round++) {
                for (byte[] payload : payloads) {
                    TestClient.Frame echo = client.readFrame();
                    assertEquals(0x82, echo.b0());
                    assertArrayEquals(payload, echo.payload(), "round " + round + ", " + payload.length + " bytes");
                }
            }
            writer.get(10, TimeUnit.SECONDS);
        }
    }
}
