package io.upgradebridge.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CloseReasonTest {

    @Test
    void codesHaveTheRegisteredNumbers() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("NORMAL", 1000);
        expected.put("GOING_AWAY", 1001);
        expected.put("PROTOCOL_ERROR", 1002);
        expected.put("CANNOT_ACCEPT", 1003);
        expected.put("NO_STATUS", 1005);
        expected.put("CLOSED_ABNORMALLY", 1006);
        expected.put("NOT_CONSISTENT", 1007);
        expected.put("VIOLATED_POLICY", 1008);
        expected.put("TOO_BIG", 1009);
        expected.put("NO_EXTENSION", 1010);
        expected.put("INTERNAL_ERROR", 1011);
        expected.put("SERVICE_RESTART", 1012);
        expected.put("TRY_AGAIN_LATER", 1013);
        expected.put("TLS_HANDSHAKE_FAILED", 1015);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (CloseReason.Codes code : CloseReason.Codes.values()) {
            actual.put(code.name(), code.code());
            assertSame(code, CloseReason.Codes.byCode(code.code()));
        }
        assertEquals(expected, actual);
        assertNull(CloseReason.Codes.byCode(1004));
        assertNull(CloseReason.Codes.byCode(4000));
    }

    @Test
    void validOnWireFollowsRfcSection7_4() {
        int[] valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
        int[] invalid = {-1, 0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535};
        for (int code : valid) {
            assertTrue(CloseReason.isValidOnWire(code), "code " + code);
        }
        for (int code : invalid) {
            assertFalse(CloseReason.isValidOnWire(code), "code " + code);
        }
        int validCount = 0;
        for (int code = 0; code <= 65535; code++) {
            if (CloseReason.isValidOnWire(code)) {
                validCount++;
            }
        }
        assertEquals(4 + 8 + 2000, validCount);
    }

    @Test
    void codeMustBeBetween1000And4999() {
        assertThrows(IllegalArgumentException.class, () -> new CloseReason(999, ""));
        assertThrows(IllegalArgumentException.class, () -> new CloseReason(5000, ""));
        assertEquals(1005, new CloseReason(CloseReason.Codes.NO_STATUS, null).code());
        assertEquals(4999, new CloseReason(4999, "x").code());
    }

    @Test
    void messageUpTo123BytesIsKeptWhole() {
        String ascii = "a".repeat(123);
        assertEquals(ascii, new CloseReason(1000, ascii).message());
        String cjk = "\u4e2d".repeat(41); // 3 bytes each: 123
        assertEquals(cjk, new CloseReason(1000, cjk).message());
        assertEquals("", new CloseReason(1000, null).message());
    }

    @Test
    void longerMessageIsCutAtACharacterBoundary() {
        assertEquals("a".repeat(123), new CloseReason(1000, "a".repeat(200)).message());
        // 122 + 2-byte character = 124: the character goes
        assertEquals("a".repeat(122), new CloseReason(1000, "a".repeat(122) + "\u00e9").message());
        // 42 three-byte characters = 126: one goes
        assertEquals("\u4e2d".repeat(41), new CloseReason(1000, "\u4e2d".repeat(42)).message());
        // a 4-byte character (surrogate pair) is never split
        String emoji = "\ud83d\ude00";
        assertEquals("a".repeat(119) + emoji, new CloseReason(1000, "a".repeat(119) + emoji + "b").message());
        assertEquals("a".repeat(120), new CloseReason(1000, "a".repeat(120) + emoji).message());
        for (int prefix = 100; prefix < 130; prefix++) {
            String kept = new CloseReason(1000, "x".repeat(prefix) + emoji.repeat(20)).message();
            assertTrue(kept.getBytes(StandardCharsets.UTF_8).length <= 123, "prefix " + prefix);
            assertFalse(Character.isHighSurrogate(kept.charAt(kept.length() - 1)), "prefix " + prefix);
        }
    }

    @Test
    void equalityAndText() {
        CloseReason normal = new CloseReason(CloseReason.Codes.NORMAL, "bye");
        assertEquals(new CloseReason(1000, "bye"), normal);
        assertEquals(new CloseReason(1000, "bye").hashCode(), normal.hashCode());
        assertNotEquals(new CloseReason(1000, "bye!"), normal);
        assertNotEquals(new CloseReason(1001, "bye"), normal);
        assertEquals(CloseReason.Codes.NORMAL, normal.knownCode());
        assertNull(new CloseReason(4000, "").knownCode());
        assertEquals("1000 NORMAL \"bye\"", normal.toString());
        assertEquals("4000", new CloseReason(4000, "").toString());
    }
}
