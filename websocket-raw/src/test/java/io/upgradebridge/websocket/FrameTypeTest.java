package io.upgradebridge.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameTypeTest {

    @Test
    void opcodesAreTheRfcValues() {
        assertEquals(0x0, FrameType.CONTINUATION.opcode());
        assertEquals(0x1, FrameType.TEXT.opcode());
        assertEquals(0x2, FrameType.BINARY.opcode());
        assertEquals(0x8, FrameType.CLOSE.opcode());
        assertEquals(0x9, FrameType.PING.opcode());
        assertEquals(0xA, FrameType.PONG.opcode());
    }

    @Test
    void onlyCloseAndPingAndPongAreControlFrames() {
        assertFalse(FrameType.CONTINUATION.isControl());
        assertFalse(FrameType.TEXT.isControl());
        assertFalse(FrameType.BINARY.isControl());
        assertTrue(FrameType.CLOSE.isControl());
        assertTrue(FrameType.PING.isControl());
        assertTrue(FrameType.PONG.isControl());
    }

    @Test
    void ofFindsDefinedOpcodesAndReturnsNullForTheRest() {
        for (FrameType type : FrameType.values()) {
            assertSame(type, FrameType.of(type.opcode()));
        }
        for (int reserved : new int[] {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF, -1, 16, 0x81}) {
            assertNull(FrameType.of(reserved), "opcode " + reserved);
        }
    }
}
