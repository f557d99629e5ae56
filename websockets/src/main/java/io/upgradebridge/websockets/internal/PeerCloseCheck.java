package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.Utf8Validator;
import io.upgradebridge.websocket.WebSocketProtocolException;

import java.nio.ByteBuffer;

/**
 * Reads the peer's CLOSE frame as RFC 6455 section 5.5.1 and 7.4 allow it: empty, or a code that may be
 * sent on the wire followed by a UTF-8 reason. Anything else (a 1-byte payload, a code such as 1005, 1006,
 * 1015, 1016-2999 or 5000 up, a reason that is not UTF-8, reserved bits) is a protocol error: 1002.
 */
final class PeerCloseCheck {

    private PeerCloseCheck() {
    }

    /**
     * The peer's close reason, or {@code null} for a close without payload.
     *
     * @throws WebSocketProtocolException 1002 when the frame may not be sent so
     */
    static CloseReason reasonOf(Frame close) throws WebSocketProtocolException {
        if (close.type() != FrameType.CLOSE) {
            throw new IllegalArgumentException("not a CLOSE frame: " + close);
        }
        if (close.rsv1() || close.rsv2() || close.rsv3()) {
            throw protocolError("reserved bit set on a CLOSE frame");
        }
        ByteBuffer payload = close.data();
        if (payload.remaining() == 0) {
            return null;
        }
        if (payload.remaining() == 1) {
            throw protocolError("CLOSE payload of 1 byte: a close code takes 2");
        }
        int code = payload.getShort(payload.position()) & 0xFFFF;
        if (!CloseReason.isValidOnWire(code)) {
            throw protocolError("close code " + code + " may not be sent in a CLOSE frame");
        }
        Utf8Validator utf8 = new Utf8Validator();
        ByteBuffer text = payload.position(payload.position() + 2);
        if (!utf8.accept(text) || !utf8.isComplete()) {
            throw protocolError("the close reason is not valid UTF-8");
        }
        return close.closeReason();
    }

    private static WebSocketProtocolException protocolError(String detail) {
        return new WebSocketProtocolException(CloseReason.Codes.PROTOCOL_ERROR, detail);
    }
}
