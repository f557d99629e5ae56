package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;

import static io.upgradebridge.containertests.WsWire.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test clients' own codec, checked against the examples of RFC 6455 section 5.7 and RFC 7692 section 7.2.3
 * (no container): the conformance suite is only as good as the bytes it sends and the way it reads the answers.
 */
class WsClientCodecTest {

    private static final byte[] HELLO = "Hello".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RFC_MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    @Test
    void framesTheHelloExamplesOfRfc6455ByteForByte() {
        assertArrayEquals(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), WsWire.frame(true, 0, WsWire.TEXT, HELLO, (byte[]) null));
        assertArrayEquals(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
            WsWire.frame(true, 0, WsWire.TEXT, HELLO, RFC_MASK));
        assertArrayEquals(bytes(0x01, 0x03, 0x48, 0x65, 0x6c), WsWire.frame(false, 0, WsWire.TEXT, "Hel".getBytes(StandardCharsets.US_ASCII), (byte[]) null));
        assertArrayEquals(bytes(0x80, 0x02, 0x6c, 0x6f), WsWire.frame(true, 0, WsWire.CONTINUATION, "lo".getBytes(StandardCharsets.US_ASCII), (byte[]) null));
        assertArrayEquals(bytes(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), WsWire.frame(true, 0, WsWire.PING, HELLO, (byte[]) null));
        assertArrayEquals(bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
            WsWire.frame(true, 0, WsWire.PONG, HELLO, RFC_MASK));
    }

    @Test
    void usesTheShortestLengthEncodingAtEachBoundary() {
        assertEquals(125, WsWire.frame(true, 0, WsWire.BINARY, new byte[125], (byte[]) null)[1]);
        assertArrayEquals(bytes(0x82, 0x7e, 0x01, 0x00), head(WsWire.frame(true, 0, WsWire.BINARY, new byte[256], (byte[]) null), 4));
        assertArrayEquals(bytes(0x82, 0x7e, 0xff, 0xff), head(WsWire.frame(true, 0, WsWire.BINARY, new byte[65535], (byte[]) null), 4));
        assertArrayEquals(bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00),
            head(WsWire.frame(true, 0, WsWire.BINARY, new byte[65536], (byte[]) null), 10));
        assertEquals(0xC1, WsWire.frame(true, WsWire.RSV1, WsWire.TEXT, HELLO, (byte[]) null)[0] & 0xFF, "RSV1 is bit 6");
    }

    @Test
    void decodesWhatItEncodesAndUnmasks() throws Exception {
        byte[] payload = new byte[70_000];
        new Random(1).nextBytes(payload);
        WsWire.ServerFrame frame = WsWire.decode(new ByteArrayInputStream(WsWire.frame(false, 0b010, WsWire.BINARY, payload, true)));
        assertFalse(frame.fin());
        assertEquals(0b010, frame.rsv());
        assertEquals(WsWire.BINARY, frame.opcode());
        assertTrue(frame.masked());
        assertArrayEquals(payload, frame.payload());
        WsWire.ServerFrame close = WsWire.decode(new ByteArrayInputStream(WsWire.close(4000, "bye")));
        assertEquals(4000, close.closeCode());
        assertEquals("bye", close.closeReason());
        assertTrue(close.toString().contains("code=4000"), close::toString);
        assertThrows(java.io.EOFException.class, () -> WsWire.decode(new ByteArrayInputStream(bytes(0x81, 0x05, 0x48))));
    }

    @Test
    void inflatesTheHelloExamplesOfRfc7692IncludingContextTakeover() throws DataFormatException {
        try (DeflateClient client = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false)) {
            // 7.2.3.1: "Hello" compressed; 7.2.3.2: the same again, referring to the first message's window
            assertArrayEquals(HELLO, client.inflate(bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)));
            assertArrayEquals(HELLO, client.inflate(bytes(0xf2, 0x00, 0x11, 0x00, 0x00)));
        }
        try (DeflateClient client = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false)) {
            // 7.2.3.3: a stored (uncompressed) block; 7.2.3.4: a final block, after which the next message starts afresh
            assertArrayEquals(HELLO, client.inflate(bytes(0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00)));
            assertArrayEquals(HELLO, client.inflate(bytes(0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00)));
            assertArrayEquals(HELLO, client.inflate(bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)));
        }
        try (DeflateClient client = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false)) {
            assertThrows(DataFormatException.class, () -> client.inflate(bytes(0xff, 0xff, 0xff, 0x00)));
        }
    }

    @Test
    void compressesWithoutTheTailAndWithOrWithoutContextTakeover() throws DataFormatException {
        byte[] message = "a message that repeats, a message that repeats".getBytes(StandardCharsets.UTF_8);
        try (DeflateClient takeover = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false);
             DeflateClient fresh = new DeflateClient(Deflater.DEFAULT_COMPRESSION, true);
             DeflateClient server = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false)) {
            byte[] first = takeover.compress(message);
            assertFalse(DeflateClient.endsWithTail(first), DeflateClient.hex(first));
            byte[] second = takeover.compress(message);
            assertTrue(second.length < first.length, "the second refers to the first: " + DeflateClient.hex(second));
            assertArrayEquals(message, server.inflate(first));
            assertArrayEquals(message, server.inflate(second));
            byte[] again = fresh.compress(message);
            assertArrayEquals(again, fresh.compress(message), "without context takeover every message is the same");
            try (DeflateClient newReader = new DeflateClient(Deflater.DEFAULT_COMPRESSION, false)) {
                assertArrayEquals(message, newReader.inflate(again));
            }
            // RFC 7692 7.2.3.6: an empty message compresses to a single 00 byte
            assertArrayEquals(bytes(0x00), fresh.compress(new byte[0]));
            assertArrayEquals(new byte[0], server.inflate(bytes(0x00)));
        }
    }

    @Test
    void readsThePermessageDeflateResponseParameters() {
        assertEquals(Optional.of(Map.of("server_no_context_takeover", "", "client_max_window_bits", "15")),
            DeflateClient.responseParameters("permessage-deflate; server_no_context_takeover; client_max_window_bits=\"15\""));
        assertEquals(Optional.of(Map.of()), DeflateClient.responseParameters("x-other, permessage-deflate"));
        assertEquals(Optional.empty(), DeflateClient.responseParameters("x-webkit-deflate-frame"));
        assertEquals(Optional.empty(), DeflateClient.responseParameters(null));
    }

    private static byte[] head(byte[] frame, int n) {
        return java.util.Arrays.copyOf(frame, n);
    }
}
