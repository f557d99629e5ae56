package io.upgradebridge.sample.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's address forms and a start and stop without a Redis (its threads end; nothing is sent). */
class RedisChatBrokerTest {

    @Test
    void addressesInEveryDocumentedForm() {
        assertTrue(RedisChatBroker.parse("redis://10.0.0.20:6380").toString().contains("10.0.0.20:6380"));
        assertTrue(RedisChatBroker.parse("10.0.0.20:6380").toString().contains("10.0.0.20:6380"));
        assertTrue(RedisChatBroker.parse("redis.example").toString().contains("redis.example:6379"), "the default port");
        assertTrue(RedisChatBroker.parse("redis://:s3cret@10.0.0.20:6380").toString().contains("10.0.0.20:6380"));
        assertFalse(RedisChatBroker.parse("redis://:s3cret@10.0.0.20:6380").toString().contains("s3cret"),
            "the password is never printed");
        for (String bad : new String[] {"http://10.0.0.20:6379", "redis://10.0.0.20:6379/db", "redis:// bad", "redis://"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisChatBroker.parse(bad), bad);
            assertTrue(e.getMessage().contains("redis://host:port"), e.getMessage());
        }
    }

    @Test
    void withoutARedisItStaysLocalAndItsThreadsEndWhenClosed() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed at once: nobody listens there
        }
        RedisChatBroker broker = RedisChatBroker.start("127.0.0.1:" + port);
        try {
            broker.publish("chat", "main", "nobody hears this");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (broker.state() != RedisChatBroker.State.DOWN && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(RedisChatBroker.State.DOWN, broker.state());
        } finally {
            broker.close();
        }
        assertEquals(RedisChatBroker.State.CLOSED, broker.state());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().endsWith(broker.nodeId()) && t.isAlive()),
            "the broker's threads have ended");
    }
}
