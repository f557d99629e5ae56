package io.upgradebridge.sample;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat's rooms on one node (no cluster: the in-process broker), and the sample's settings. */
class ChatRoomsTest {

    @Test
    void theQueryNamesTheRoomAndBadNamesAreRefused() {
        assertEquals("main", ChatRooms.roomOf(null));
        assertEquals("main", ChatRooms.roomOf("x=1"));
        assertEquals("lobby", ChatRooms.roomOf("x=1&room=lobby&room=other"));
        assertEquals("r-1.b_2", ChatRooms.roomOf("room=r-1.b_2"));
        assertNull(ChatRooms.roomOf("room="), "empty");
        assertNull(ChatRooms.roomOf("room=a%3Ab"), "a colon would end up in the channel name");
        assertNull(ChatRooms.roomOf("room=" + "x".repeat(65)), "too long");
        assertNull(ChatRooms.roomOf("room=caf%C3%A9"), "letters of ASCII only");
    }

    @Test
    void aMessageReachesEveryMemberOfItsRoomAndNoOneElse() {
        List<String> delivered = new ArrayList<>();
        ChatRooms<String> rooms = new ChatRooms<>("test", (member, text) -> delivered.add(member + " <- " + text));
        rooms.join("blue", "ann");
        rooms.join("blue", "bob");
        rooms.join("green", "cid");
        rooms.broadcast("blue", "hi");
        assertEquals(Set.of("ann <- hi", "bob <- hi"), Set.copyOf(delivered));
        delivered.clear();
        rooms.leave("blue", "ann");
        rooms.broadcast("blue", "again");
        rooms.broadcast("nobody-here", "lost");
        assertEquals(List.of("bob <- again"), delivered);
        rooms.leave("blue", "bob");
        delivered.clear();
        rooms.broadcast("blue", "empty");
        assertTrue(delivered.isEmpty());
    }

    @Test
    void settingsComeFromTheContextParameterElseTheSystemProperty() {
        SampleSettings none = SampleSettings.of(context(Map.of()));
        assertNull(none.chatRedis());
        assertEquals(Duration.ofSeconds(30), none.webSocketSettings().pingPeriod());
        assertFalse(none.webSocketSettings().sameOrigin());

        SampleSettings some = SampleSettings.of(context(Map.of(SampleSettings.CHAT_REDIS, "redis://10.0.0.20:6379",
            SampleSettings.PING_PERIOD, "PT20S", SampleSettings.SAME_ORIGIN, "true",
            SampleSettings.TRUSTED_PROXIES, "10.0.0.2, 10.1.0.0/16")));
        assertEquals("redis://10.0.0.20:6379", some.chatRedis());
        assertEquals(Duration.ofSeconds(20), some.webSocketSettings().pingPeriod());
        assertTrue(some.webSocketSettings().sameOrigin());
        assertEquals(Set.of("10.0.0.2", "10.1.0.0/16"), some.webSocketSettings().trustedProxies());

        System.setProperty(SampleSettings.PING_PERIOD, "15");
        try {
            assertEquals(Duration.ofSeconds(15), none.webSocketSettings().pingPeriod(), "seconds, from the property");
            assertEquals(Duration.ofSeconds(20), some.webSocketSettings().pingPeriod(), "the context parameter wins");
        } finally {
            System.clearProperty(SampleSettings.PING_PERIOD);
        }
        for (Map<String, String> bad : List.of(Map.of(SampleSettings.PING_PERIOD, "soon"),
            Map.of(SampleSettings.SAME_ORIGIN, "yes"), Map.of(SampleSettings.TRUSTED_PROXIES, "proxy.example"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SampleSettings.of(context(bad)).webSocketSettings());
            assertTrue(e.getMessage().startsWith(bad.keySet().iterator().next()), e.getMessage());
        }
    }

    private static jakarta.servlet.ServletContext context(Map<String, String> parameters) {
        return (jakarta.servlet.ServletContext) Proxy.newProxyInstance(ChatRoomsTest.class.getClassLoader(),
            new Class<?>[] {jakarta.servlet.ServletContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("getInitParameter")) {
                    return parameters.get((String) args[0]);
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }
}
