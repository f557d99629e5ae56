package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadersTest {

    @Test
    void namesAreCaseInsensitiveAndKeepTheirFirstSpelling() {
        Headers headers = Headers.builder()
                .append("X-Trace", "1")
                .append("x-trace", "2")
                .append("X-TRACE", "3")
                .build();

        assertEquals("1", headers.get("x-TrAcE"));
        assertEquals(List.of("1", "2", "3"), headers.getAll("X-TRACE"));
        assertEquals(List.of("X-Trace"), new ArrayList<>(headers.names()));
        assertTrue(headers.contains("x-trace"));
        assertTrue(headers.contains("X-Trace", "2"));
        assertFalse(headers.contains("X-Trace", "4"));
        assertEquals(1, headers.size());
    }

    @Test
    void insertionOrderIsKeptForNamesAndValues() {
        Headers headers = Headers.of("Vary", "Accept", "Cache-Control", "no-cache", "Age", "5", "vary", "Origin");

        assertEquals(List.of("Vary", "Cache-Control", "Age"), new ArrayList<>(headers.names()));
        List<String> seen = new ArrayList<>();
        headers.forEach((name, values) -> seen.add(name + "=" + values));
        assertEquals(List.of("Vary=[Accept, Origin]", "Cache-Control=[no-cache]", "Age=[5]"), seen);
        assertEquals("Headers[Vary=[Accept, Origin], Cache-Control=[no-cache], Age=[5]]", headers.toString());
    }

    @Test
    void missingHeaderGivesNullAndEmptyList() {
        assertNull(Headers.EMPTY.get("Anything"));
        assertEquals(List.of(), Headers.EMPTY.getAll("Anything"));
        assertFalse(Headers.EMPTY.contains("Anything"));
        assertTrue(Headers.EMPTY.isEmpty());
        assertSame(Headers.EMPTY, Headers.builder().build());
    }

    @Test
    void setReplacesEveryValueAndKeepsThePosition() {
        Headers headers = Headers.of("A", "1", "B", "2", "a", "3")
                .toBuilder()
                .set("a", "only")
                .build();

        assertEquals(List.of("a", "B"), new ArrayList<>(headers.names()));
        assertEquals(List.of("only"), headers.getAll("A"));
    }

    @Test
    void removeAndAppendAll() {
        Headers base = Headers.of("A", "1", "B", "2");
        Headers headers = Headers.builder()
                .append("b", "0")
                .appendAll(base)
                .remove("A")
                .build();

        assertEquals(List.of("b"), new ArrayList<>(headers.names()));
        assertEquals(List.of("0", "2"), headers.getAll("B"));
    }

    @Test
    void buildTakesASnapshot() {
        Headers.Builder builder = Headers.builder().append("A", "1");
        Headers first = builder.build();
        builder.append("A", "2").append("B", "3");

        assertEquals(List.of("1"), first.getAll("A"));
        assertFalse(first.contains("B"));
        assertThrows(UnsupportedOperationException.class, () -> first.getAll("A").add("x"));
        assertThrows(UnsupportedOperationException.class, () -> first.names().add("x"));
    }

    @Test
    void builderKeepsOrderThroughRemoveSetAndGrowth() {
        Headers.Builder builder = Headers.builder();
        for (int i = 0; i < 20; i++) {
            builder.append("H" + i, "v" + i);
        }
        builder.append("h3", "w3").remove("H0").remove("h10").remove("absent").set("h5", "only").append("H19", "w19");

        Headers headers = builder.build();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < 20; i++) {
            if (i != 10) {
                expected.add(i == 5 ? "h5" : "H" + i);
            }
        }
        assertEquals(expected, new ArrayList<>(headers.names()));
        assertEquals(List.of("v3", "w3"), headers.getAll("H3"));
        assertEquals(List.of("only"), headers.getAll("H5"));
        assertEquals(List.of("v19", "w19"), headers.getAll("h19"));
        assertFalse(headers.contains("H10"));
        assertEquals("v3", builder.get("h3"));
        assertTrue(builder.contains("H1"));
        assertFalse(builder.contains("H0"));

        builder.append("H3", "x3").remove("H1");
        assertEquals(List.of("v3", "w3"), headers.getAll("H3"), "a built Headers does not see later changes");
        assertTrue(headers.contains("H1"));
        assertEquals(List.of("v3", "w3", "x3"), builder.build().getAll("H3"));
    }

    @Test
    void builderComparesNamesInLowerCaseAsAlways() {
        // U+212A KELVIN SIGN is 'k' in lower case; U+017F LATIN SMALL LETTER LONG S stays itself (it is 'S' in upper case)
        Headers.Builder builder = Headers.builder().append("k", "1").append("s", "2");

        assertEquals("1", builder.get("\u212A"));
        assertNull(builder.get("\u017F"));
        assertFalse(builder.contains("\u017F"));
        builder.remove("\u212A");
        assertFalse(builder.contains("K"));
        assertThrows(NullPointerException.class, () -> builder.get(null));
        assertThrows(NullPointerException.class, () -> builder.remove(null));
    }

    @Test
    void equalityIgnoresNameCaseButNotValueOrder() {
        assertEquals(Headers.of("A", "1", "B", "2"), Headers.of("b", "2", "a", "1"));
        assertEquals(Headers.of("A", "1").hashCode(), Headers.of("a", "1").hashCode());
        assertNotEquals(Headers.of("A", "1", "A", "2"), Headers.of("A", "2", "A", "1"));
        assertNotEquals(Headers.of("A", "1"), Headers.of("A", "1", "B", "2"));
    }

    @Test
    void rejectsValuesWithCrLfOrNul() {
        IllegalArgumentException lineFeed = assertThrows(IllegalArgumentException.class,
                () -> Headers.builder().append("X-Note", "a\nSet-Cookie: x=1"));
        assertEquals("Value of header X-Note \"a\\nSet-Cookie: x=1\" contains a line feed (LF, 0x0A) at index 1;"
                + " remove CR, LF and NUL characters (encode the value, for example with percent-encoding, if it"
                + " must carry them)", lineFeed.getMessage());

        IllegalArgumentException carriageReturn = assertThrows(IllegalArgumentException.class,
                () -> Headers.builder().set("X-Note", "ab\r"));
        assertTrue(carriageReturn.getMessage().contains("a carriage return (CR, 0x0D) at index 2"),
                carriageReturn.getMessage());

        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> Headers.of("X-Note", "\0"));
        assertTrue(nul.getMessage().contains("a NUL character (0x00) at index 0"), nul.getMessage());
    }

    @Test
    void rejectsNamesThatAreNotTokens() {
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class,
                () -> Headers.builder().append("X Trace", "1"));
        assertEquals("Header name \"X Trace\" contains a space (0x20) at index 1; it may only contain letters,"
                + " digits and !#$%&'*+-.^_`|~", space.getMessage());

        IllegalArgumentException colon = assertThrows(IllegalArgumentException.class,
                () -> Headers.builder().set("Host:", "x"));
        assertTrue(colon.getMessage().contains("':' (U+003A) at index 4"), colon.getMessage());

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Headers.builder().append("", "x"));
        assertEquals("Header name must not be empty", empty.getMessage());

        assertThrows(NullPointerException.class, () -> Headers.builder().append("A", null));
    }

    @Test
    void ofNeedsPairs() {
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> Headers.of("A", "1", "B"));
        assertEquals("Headers.of takes name/value pairs, but got an odd number (3) of arguments; add the missing value",
                odd.getMessage());
    }

    @Test
    void acceptsEveryTokenCharacterAndTabsInValues() {
        Headers headers = Headers.of("!#$%&'*+-.^_`|~09azAZ", "tab\there, ünïcode");

        assertEquals("tab\there, ünïcode", headers.get("!#$%&'*+-.^_`|~09AZaz"));
    }
}
