package io.upgradebridge.websockets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websockets.internal.ExtensionOffer.Parameter;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExtensionOfferTest {

    @Test
    void parsesNamesParametersAndValuesInOrder() {
        List<ExtensionOffer> offers = ExtensionOffer.parseAll(List.of(
                "Foo; A=1; b, bar", "permessage-deflate ; client_max_window_bits = 10 ; x=\"q\\\"uoted\""));
        assertEquals(3, offers.size());
        assertEquals(new ExtensionOffer("foo", List.of(new Parameter("a", "1"), new Parameter("b", null)), null), offers.get(0));
        assertEquals(new ExtensionOffer("bar", List.of(), null), offers.get(1));
        ExtensionOffer third = offers.get(2);
        assertEquals("permessage-deflate", third.name());
        assertEquals(new Parameter("client_max_window_bits", "10"), third.parameters().get(0));
        // An escaped quote is unescaped, and the result must be a token: '"' is not a token character.
        assertFalse(third.wellFormed(), third.toString());
    }

    @Test
    void unquotesAndUnescapesQuotedTokens() {
        ExtensionOffer offer = ExtensionOffer.parseAll(List.of("e; v=\"1\\5\"")).get(0);
        assertTrue(offer.wellFormed(), offer.toString());
        assertEquals("15", offer.parameters().get(0).value());
    }

    @Test
    void quotedStringsHideSeparators() {
        List<ExtensionOffer> offers = ExtensionOffer.parseAll(List.of("a; v=\"x;y,z\", b"));
        assertEquals(2, offers.size());
        assertFalse(offers.get(0).wellFormed(), "x;y,z is not a token once unquoted");
        assertEquals("a", offers.get(0).name());
        assertEquals(new ExtensionOffer("b", List.of(), null), offers.get(1));
    }

    @Test
    void reportsWhatIsMalformedAndGoesOn() {
        List<ExtensionOffer> offers = ExtensionOffer.parseAll(List.of("=x, a;, b; =1, c; d=, e; f=g h, ok"));
        assertEquals(6, offers.size());
        for (int i = 0; i < 5; i++) {
            assertFalse(offers.get(i).wellFormed(), offers.get(i).toString());
        }
        assertEquals("", offers.get(0).name());
        assertEquals("a", offers.get(1).name());
        assertNull(offers.get(5).problem());
        assertEquals("ok", offers.get(5).name());
    }

    @Test
    void skipsEmptyElementsAndBlankValues() {
        assertEquals(List.of(), ExtensionOffer.parseAll(List.of("", " , ,", "\t")));
        assertEquals(List.of(), ExtensionOffer.parseAll(null));
    }
}
