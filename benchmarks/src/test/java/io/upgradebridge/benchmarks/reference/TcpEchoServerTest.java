package io.upgradebridge.benchmarks.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The plain NIO TCP echo ({@code ReferenceServer tcp}). */
class TcpEchoServerTest {

    @Test
    void returnsEveryByteInOrderAndClosesOnEof() throws Exception {
        byte[] sent = new byte[6 * 1024 * 1024 + 17]; // more than the socket buffers: the server must wait to write
        new Random(16).nextBytes(sent);
        try (NioServer server = ReferenceServer.start("tcp", 0, 1); TestClient client = new TestClient(server.port())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int offset = 0; offset < sent.length; offset += 100_000) {
                        client.out.write(sent, offset, Math.min(100_000, sent.length - offset));
                    }
                    client.out.flush();
                    client.socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300); // the client reads nothing meanwhile
            byte[] received = new byte[sent.length];
            client.in.readFully(received);
            assertArrayEquals(sent, received);
            writer.get(10, TimeUnit.SECONDS);
            assertTrue(client.atEof(), "the server closes when the client's input ends");
        }
    }
}
