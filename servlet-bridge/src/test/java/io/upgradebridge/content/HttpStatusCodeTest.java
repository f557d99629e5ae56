package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpStatusCodeTest {

    @Test
    void ofReturnsTheConstants() {
        assertSame(HttpStatusCode.SWITCHING_PROTOCOLS, HttpStatusCode.of(101));
        assertSame(HttpStatusCode.UPGRADE_REQUIRED, HttpStatusCode.of(426));
        assertSame(HttpStatusCode.VERSION_NOT_SUPPORTED, HttpStatusCode.of(505));
        assertEquals("101 Switching Protocols", HttpStatusCode.SWITCHING_PROTOCOLS.toString());
        assertEquals("HTTP Version Not Supported", HttpStatusCode.of(505).description());
        assertEquals(304, HttpStatusCode.NOT_MODIFIED.value());
    }

    @Test
    void unknownCodesAreCreatedAndCompareByValue() {
        HttpStatusCode teapot = HttpStatusCode.of(418);

        assertEquals("418 Unknown Status Code", teapot.toString());
        assertEquals(new HttpStatusCode(418, "I'm a teapot"), teapot);
        assertEquals(new HttpStatusCode(200, "Fine"), HttpStatusCode.OK);
    }

    @Test
    void successMeans2xx() {
        assertTrue(HttpStatusCode.NO_CONTENT.isSuccess());
        assertFalse(HttpStatusCode.SWITCHING_PROTOCOLS.isSuccess());
        assertFalse(HttpStatusCode.NOT_MODIFIED.isSuccess());
    }

    @Test
    void rejectsCodesThatAreNotThreeDigits() {
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> HttpStatusCode.of(1000));
        assertEquals("HTTP status code must have three digits (100 to 999), got 1000", tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HttpStatusCode.of(99));
    }
}
