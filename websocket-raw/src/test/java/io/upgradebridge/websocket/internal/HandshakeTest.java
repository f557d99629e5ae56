package io.upgradebridge.websocket.internal;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest {

    private static Headers valid(String... more) {
        Headers.Builder b = Headers.builder()
            .append("Host", "example")
            .append("Upgrade", "websocket")
            .append("Connection", "keep-alive, Upgrade")
            .append("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .append("Sec-WebSocket-Version", "13");
        for (int i = 0; i < more.length; i += 2) {
            b.set(more[i], more[i + 1]);
        }
        return b.build();
    }

    private static String reason(OutgoingContent content) {
        return ((TextContent) unwrap(content)).text();
    }

    private static OutgoingContent unwrap(OutgoingContent content) {
        return content;
    }

    @Test
    void acceptKeyIsTheRfcExample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void acceptKeyTrimsTheKeyAndEachCallHashesItsOwn() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.acceptKey(" dGhlIHNhbXBsZSBub25jZQ==\t"));
        String other = Handshake.acceptKey("AQIDBAUGBwgJCgsMDQ4PEA==");
        assertEquals(28, other.length());
        assertTrue(!other.equals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
        assertEquals(other, Handshake.acceptKey("AQIDBAUGBwgJCgsMDQ4PEA=="));
    }

    @Test
    void upgradeAndConnectionAreCommaSeparatedTokensInAnyCase() {
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid("Connection", " keep-alive ,\tUPGRADE\t, x"), null));
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid("Upgrade", ",, h2c,WEBSOCKET,"), null));
        Headers twoConnectionValues = valid().toBuilder().set("Connection", "keep-alive").append("Connection", "Upgrade").build();
        assertNull(Handshake.refusal("GET", "HTTP/1.1", twoConnectionValues, null));
        // compared as lower-cased: U+212A KELVIN SIGN is a 'k' then, as it always was
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid("Upgrade", "websoc\u212Aet"), null));

        for (String notWebSocket : new String[] {"websockets", "web socket", "websocke", "websocket/13", "", " , "}) {
            assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Upgrade", notWebSocket), null).status().value(),
                notWebSocket);
        }
        for (String notUpgrade : new String[] {"upgrades", "keep-alive upgrade", "upgrad", "\u0130upgrade"}) {
            assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Connection", notUpgrade), null).status().value(),
                notUpgrade);
        }
    }

    @Test
    void keyCheckAgreesWithTheJdkDecoder() {
        List<String> keys = new ArrayList<>(List.of("dGhlIHNhbXBsZSBub25jZQ==", "AQIDBAUGBwgJCgsMDQ4PEB==",
            "AQIDBAUGBwgJCgsMDQ4PE===", "AQIDBAUGBwgJCgsMDQ4PEA=A", "AQIDBAUGBwgJCgsMDQ4PEAAA", "AQIDBAUGBwgJCgsMDQ4P-_==",
            "AQIDBAUGBwgJCgsMDQ4P\u00e9A==", "AQIDBAUGBwgJCgsMDQ4PEA==A", "AQIDBAUGBwgJCgsMDQ4PEA=", "", "===================="
                + "===="));
        Random random = new Random(16);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\u00ff\u0100";
        for (int n = 0; n < 20_000; n++) {
            char[] key = Base64.getEncoder().encodeToString(new byte[16]).toCharArray();
            for (int changes = random.nextInt(3); changes >= 0; changes--) {
                key[random.nextInt(key.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            keys.add(new String(key));
        }
        for (String key : keys) {
            boolean decodesToSixteen;
            try {
                decodesToSixteen = Base64.getDecoder().decode(key).length == 16;
            } catch (IllegalArgumentException e) {
                decodesToSixteen = false;
            }
            assertEquals(decodesToSixteen, Handshake.isSixteenBytesOfBase64(key), key);
        }
    }

    @Test
    void validHandshakePasses() {
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid(), null));
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid("Sec-WebSocket-Protocol", "chat, superchat"), "chat"));
        assertNull(Handshake.refusal("GET", "HTTP/1.1", valid("Upgrade", "WebSocket"), null), "tokens are case-insensitive");
    }

    @Test
    void otherMethodsGet405WithAllow() {
        OutgoingContent refusal = Handshake.refusal("POST", "HTTP/1.1", valid(), null);
        assertEquals(405, refusal.status().value());
        assertEquals("GET", refusal.headers().get("Allow"));
        assertTrue(refusal.toString() != null);
    }

    @Test
    void notHttp11Gets400() {
        OutgoingContent refusal = Handshake.refusal("GET", "HTTP/1.0", valid(), null);
        assertEquals(400, refusal.status().value());
    }

    @Test
    void missingUpgradeOrConnectionTokenGets400() {
        Headers noUpgrade = valid().toBuilder().remove("Upgrade").build();
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", noUpgrade, null).status().value());
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Connection", "keep-alive"), null).status().value());
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Upgrade", "h2c"), null).status().value());
    }

    @Test
    void badKeysGet400() {
        Headers noKey = valid().toBuilder().remove("Sec-WebSocket-Key").build();
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", noKey, null).status().value());
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Sec-WebSocket-Key", "c2hvcnQ="), null).status().value(),
            "a key that is not 16 bytes");
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid("Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="), null).status().value(),
            "a key that is not base64");
        Headers twoKeys = valid().toBuilder().append("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").build();
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", twoKeys, null).status().value());
    }

    @Test
    void otherVersionsGet426WithVersion13() {
        OutgoingContent refusal = Handshake.refusal("GET", "HTTP/1.1", valid("Sec-WebSocket-Version", "8"), null);
        assertEquals(426, refusal.status().value());
        assertEquals("13", refusal.headers().get("Sec-WebSocket-Version"));
    }

    @Test
    void protocolTheClientDidNotOfferIsAClearError() {
        OutgoingContent refusal = Handshake.refusal("GET", "HTTP/1.1", valid("Sec-WebSocket-Protocol", "superchat"), "chat");
        assertEquals(400, refusal.status().value());
        assertTrue(reason(refusal).contains("'chat', which the client did not offer (it offered superchat)"), reason(refusal));
        assertEquals(400, Handshake.refusal("GET", "HTTP/1.1", valid(), "chat").status().value());
    }
}
