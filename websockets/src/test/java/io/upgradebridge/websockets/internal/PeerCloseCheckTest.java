package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketProtocolException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PeerCloseCheckTest {

    private static Frame close(int code, int... reason) {
        ByteBuffer payload = ByteBuffer.allocate(2 + reason.length).putShort((short) code);
        for (int b : reason) {
            payload.put((byte) b);
        }
        return new Frame(FrameType.CLOSE, true, false, false, false, payload.flip());
    }

    private static int codeOf(Frame frame) {
        return assertThrows(WebSocketProtocolException.class, () -> PeerCloseCheck.reasonOf(frame)).closeReason().code();
    }

    @Test
    void anEmptyCloseHasNoReason() throws Exception {
        assertNull(PeerCloseCheck.reasonOf(Frame.close()));
    }

    @Test
    void aValidCloseGivesItsCodeAndText() throws Exception {
        assertEquals(new CloseReason(1000, "bye"), PeerCloseCheck.reasonOf(Frame.close(new CloseReason(1000, "bye"))));
        assertEquals(new CloseReason(4999, ""), PeerCloseCheck.reasonOf(close(4999)));
        assertEquals(new CloseReason(3000, "é"), PeerCloseCheck.reasonOf(close(3000, 0xC3, 0xA9)));
    }

    @Test
    void codesThatMayNotBeSentAre1002() {
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
            assertEquals(1002, codeOf(close(code)), "code " + code);
        }
    }

    @Test
    void aReasonThatIsNotUtf8Is1002() {
        assertEquals(1002, codeOf(close(1000, 0xC0, 0xAF)), "overlong");
        assertEquals(1002, codeOf(close(1000, 'a', 0xE2, 0x82)), "truncated");
        assertEquals(1002, codeOf(close(1000, 0xED, 0xA0, 0x80)), "surrogate");
    }

    @Test
    void reservedBitsAre1002() {
        assertEquals(1002, codeOf(new Frame(FrameType.CLOSE, true, true, false, false, null)));
    }
}
