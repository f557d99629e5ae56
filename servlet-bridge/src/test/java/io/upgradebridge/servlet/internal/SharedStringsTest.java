package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SharedStringsTest {

    @Test
    void equalStringsComeBackAsOneInstance() {
        String first = new String("websocket-shared-test");
        String second = new String("websocket-shared-test");
        assertSame(first, SharedStrings.shared(first));
        assertSame(first, SharedStrings.shared(second), "the copy already in the table");
        assertEquals("websocket-shared-test", SharedStrings.shared(second));
    }

    @Test
    void longStringsAndNullAreLeftAlone() {
        String longValue = "x".repeat(65);
        assertSame(longValue, SharedStrings.shared(longValue));
        String copy = new String(longValue);
        assertSame(copy, SharedStrings.shared(copy), "not kept: each caller keeps its own");
        assertNull(SharedStrings.shared(null));
    }
}
