package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HttpDateTest {

    private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

    @Test
    void formatsThePreferredFormWithTwoDigitDays() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(RFC_EXAMPLE));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(RFC_EXAMPLE.plusMillis(999)));
    }

    @Test
    void readsAllThreeFormsOfRfc9110() {
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun Nov  6 08:49:37 1994"));
        assertEquals(RFC_EXAMPLE, HttpDate.parse("sun, 06 NOV 1994 08:49:37 GMT"));
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun, 6 Nov 1994 08:49:37 GMT"));
    }

    @Test
    void rejectsOtherText() {
        IllegalArgumentException problem = assertThrows(IllegalArgumentException.class, () -> HttpDate.parse("yesterday"));
        assertEquals("Invalid HTTP date \"yesterday\"; write it like \"Sun, 06 Nov 1994 08:49:37 GMT\""
                + " (RFC 9110 section 5.6.7)", problem.getMessage());
        assertNull(HttpDate.tryParse("Mon, 06 Nov 1994 08:49:37 GMT"), "wrong day of week");
    }
}
