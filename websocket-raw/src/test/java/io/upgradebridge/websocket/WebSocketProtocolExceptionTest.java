package io.upgradebridge.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class WebSocketProtocolExceptionTest {

    @Test
    void carriesTheCloseReasonToSend() {
        WebSocketProtocolException violation =
                new WebSocketProtocolException(CloseReason.Codes.TOO_BIG, "frame of 2000 bytes");
        assertTrue(violation instanceof IOException);
        assertEquals(new CloseReason(1009, "frame of 2000 bytes"), violation.closeReason());
        assertEquals("1009 TOO_BIG: frame of 2000 bytes", violation.getMessage());
    }

    @Test
    void keepsTheCauseAndCutsTheWireText() {
        Exception cause = new IllegalStateException("boom");
        WebSocketProtocolException violation =
                new WebSocketProtocolException(CloseReason.Codes.NOT_CONSISTENT, "x".repeat(300), cause);
        assertSame(cause, violation.getCause());
        assertEquals(123, violation.closeReason().message().length());
        assertEquals("4001: custom", new WebSocketProtocolException(new CloseReason(4001, "custom")).getMessage());
    }
}
