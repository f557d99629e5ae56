package io.upgradebridge.websockets.internal;

import static io.upgradebridge.websockets.internal.DeflateTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websockets.PerMessageDeflate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeflateAgreementTest {

    private static final PerMessageDeflate ON = PerMessageDeflate.ENABLED;
    private static final String PMD = "permessage-deflate";

    /** What the server answers, or {@code null} when it declines. */
    private static Arguments row(String name, PerMessageDeflate settings, String expectedAnswer, String... headers) {
        return Arguments.of(name, settings, expectedAnswer, Arrays.asList(headers));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("plain offer", ON, PMD, PMD),
                row("disabled settings decline every offer", PerMessageDeflate.DISABLED, null, PMD),
                row("no header at all", ON, null),
                row("only another extension", ON, null, "x-webkit-deflate-frame"),
                row("another extension first, then ours", ON, PMD, "x-webkit-deflate-frame, permessage-deflate"),
                row("offers spread over two header lines", ON, PMD + "; client_no_context_takeover",
                        "foo; bar=1", "permessage-deflate; client_no_context_takeover"),
                row("browser offer: client_max_window_bits without value is not answered", ON, PMD,
                        "permessage-deflate; client_max_window_bits"),
                row("client_max_window_bits=10 is fine: the Inflater reads any window", ON, PMD,
                        "permessage-deflate; client_max_window_bits=10"),
                row("client_max_window_bits=16 is out of range", ON, null, "permessage-deflate; client_max_window_bits=16"),
                row("client_max_window_bits=7 is out of range", ON, null, "permessage-deflate; client_max_window_bits=7"),
                row("server_max_window_bits=15 is echoed", ON, PMD + "; server_max_window_bits=15",
                        "permessage-deflate; server_max_window_bits=15"),
                row("server_max_window_bits=10 cannot be honoured", ON, null, "permessage-deflate; server_max_window_bits=10"),
                row("server_max_window_bits=10 declined, the fallback offer taken", ON, PMD,
                        "permessage-deflate; server_max_window_bits=10, permessage-deflate"),
                row("server_max_window_bits needs a value", ON, null, "permessage-deflate; server_max_window_bits"),
                row("window bits with a leading zero", ON, null, "permessage-deflate; client_max_window_bits=09"),
                row("window bits not a number", ON, null, "permessage-deflate; client_max_window_bits=abc"),
                row("quoted window bits are unquoted", ON, PMD + "; server_max_window_bits=15",
                        "permessage-deflate; server_max_window_bits=\"15\"; client_max_window_bits=\"10\""),
                row("quoted value that is not a token", ON, null, "permessage-deflate; client_max_window_bits=\"1 0\""),
                row("unterminated quoted value", ON, null, "permessage-deflate; client_max_window_bits=\"10"),
                row("a comma inside a quoted string does not split the list", ON, null,
                        "permessage-deflate; x=\"a,permessage-deflate\""),
                row("server_no_context_takeover offered is answered", ON, PMD + "; server_no_context_takeover",
                        "permessage-deflate; server_no_context_takeover"),
                row("server_no_context_takeover from the settings alone", ON.withServerNoContextTakeover(true),
                        PMD + "; server_no_context_takeover", PMD),
                row("client_no_context_takeover offered is answered", ON, PMD + "; client_no_context_takeover",
                        "permessage-deflate; client_no_context_takeover"),
                row("client_no_context_takeover from the settings alone", ON.withClientNoContextTakeover(true),
                        PMD + "; client_no_context_takeover", PMD),
                row("both, offered in the other order", ON,
                        PMD + "; server_no_context_takeover; client_no_context_takeover",
                        "permessage-deflate; client_no_context_takeover; server_no_context_takeover"),
                row("a flag with a value is invalid", ON, null, "permessage-deflate; server_no_context_takeover=true"),
                row("an unknown parameter declines the offer", ON, null, "permessage-deflate; mystery"),
                row("an unknown parameter declines only that offer", ON, PMD + "; client_no_context_takeover",
                        "permessage-deflate; mystery=1, permessage-deflate; client_no_context_takeover"),
                row("a duplicate parameter declines the offer", ON, null,
                        "permessage-deflate; client_max_window_bits; client_max_window_bits"),
                row("the first acceptable offer wins", ON, PMD + "; client_no_context_takeover",
                        "permessage-deflate; client_no_context_takeover, permessage-deflate; server_no_context_takeover"),
                row("names are case-insensitive", ON, PMD + "; server_no_context_takeover; server_max_window_bits=15",
                        "PerMessage-Deflate; Server_No_Context_Takeover; SERVER_MAX_WINDOW_BITS=15"),
                row("whitespace and empty list elements are tolerated", ON, PMD + "; client_no_context_takeover",
                        " , ,  permessage-deflate ;  client_no_context_takeover  ,"),
                row("a malformed element does not spoil the next", ON, PMD,
                        "permessage-deflate; =x, permessage-deflate"),
                row("an empty parameter is malformed", ON, null, "permessage-deflate;; client_max_window_bits"),
                row("a name that is not a token", ON, null, "permessage deflate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void negotiates(String name, PerMessageDeflate settings, String expectedAnswer, List<String> headers) {
        Optional<DeflateAgreement> agreement = DeflateAgreement.negotiate(headers, settings);
        assertEquals(Optional.ofNullable(expectedAnswer), agreement.map(DeflateAgreement::responseHeaderValue),
                "offer " + headers);
    }

    @Test
    void aNullHeaderListOrNullValuesAreNoOffer() {
        assertTrue(DeflateAgreement.negotiate(null, ON).isEmpty());
        assertEquals(Optional.of(PMD), DeflateAgreement.negotiate(Arrays.asList(null, PMD), ON)
                .map(DeflateAgreement::responseHeaderValue));
    }

    @Test
    void theAgreementCarriesTheContextTakeoverItAnswered() {
        DeflateAgreement both = DeflateAgreement.negotiate(
                List.of("permessage-deflate; client_no_context_takeover"), ON.withServerNoContextTakeover(true)).orElseThrow();
        assertTrue(both.serverNoContextTakeover());
        assertTrue(both.clientNoContextTakeover());
        DeflateAgreement neither = DeflateAgreement.negotiate(List.of(PMD), ON).orElseThrow();
        assertFalse(neither.serverNoContextTakeover());
        assertFalse(neither.clientNoContextTakeover());
        assertEquals(WebSocketUpgrade.RSV1, neither.reservedBits());
    }

    @Test
    void messagesBelowTheMinimumSizeAreNotCompressed() {
        DeflateAgreement agreement = DeflateAgreement.negotiate(List.of(PMD), ON.withMinSizeToCompress(100)).orElseThrow();
        assertFalse(agreement.shouldCompress(0));
        assertFalse(agreement.shouldCompress(99));
        assertTrue(agreement.shouldCompress(100));
        assertTrue(agreement.shouldCompress(10_000_000_000L));
        DeflateAgreement everything = DeflateAgreement.negotiate(List.of(PMD), ON).orElseThrow();
        assertTrue(everything.shouldCompress(0));
    }

    @Test
    void theCompressorAndDecompressorFollowTheAgreement() {
        DeflateAgreement agreement = DeflateAgreement.negotiate(
                List.of("permessage-deflate; server_no_context_takeover; client_no_context_takeover"), ON).orElseThrow();
        try (MessageDeflater deflater = agreement.newDeflater(); MessageInflater inflater = agreement.newInflater()) {
            assertFalse(deflater.holdsNativeDeflater(), "no native compressor before the first message");
            assertFalse(inflater.holdsNativeInflater(), "no native decompressor before the first message");
            byte[] hello = "Hello".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                // Without context takeover every message compresses alone: the same bytes each time.
                ByteBuffer payload = deflater.deflate(ByteBuffer.wrap(hello), true);
                assertEquals(ByteBuffer.wrap(hex("f2 48 cd c9 c9 07 00")), payload);
                assertEquals(ByteBuffer.wrap(hello), assertDoesNotThrow(() -> inflater.inflate(payload, true, 1000)));
            }
        }
    }
}
