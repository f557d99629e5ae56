package io.upgradebridge.content;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentTypeTest {

    @Test
    void parsesTypeSubtypeAndParameters() {
        ContentType type = ContentType.parse("Text/HTML ;charset=\"utf-8\";  level=1");

        assertEquals("Text", type.type());
        assertEquals("HTML", type.subtype());
        assertEquals(List.of(new ContentType.Parameter("charset", "utf-8"), new ContentType.Parameter("level", "1")),
                type.parameters());
        assertEquals("utf-8", type.parameter("CHARSET"));
        assertEquals(StandardCharsets.UTF_8, type.charset());
        assertEquals("Text/HTML; charset=utf-8; level=1", type.toString());
    }

    @Test
    void rendersConstantsAndQuotesValuesThatAreNotTokens() {
        assertEquals("text/plain", ContentType.TEXT_PLAIN.toString());
        assertEquals("application/octet-stream", ContentType.APPLICATION_OCTET_STREAM.toString());
        assertEquals("application/json", ContentType.APPLICATION_JSON.toString());
        assertEquals("text/html", ContentType.TEXT_HTML.toString());
        assertEquals("multipart/form-data; boundary=\"a b\\\"c\"",
                new ContentType("multipart", "form-data").withParameter("boundary", "a b\"c").toString());
    }

    @Test
    void quotedValuesSurviveARoundTrip() {
        ContentType type = ContentType.parse("multipart/mixed; boundary=\"x;y=\\\"z\\\\\"");

        assertEquals("x;y=\"z\\", type.parameter("boundary"));
        assertEquals(type, ContentType.parse(type.toString()));
    }

    @Test
    void withCharsetReplacesAnExistingCharset() {
        ContentType type = ContentType.parse("text/plain; charset=ISO-8859-1; format=flowed")
                .withCharset(StandardCharsets.UTF_8);

        assertEquals("text/plain; charset=UTF-8; format=flowed", type.toString());
        assertEquals("text/plain; charset=UTF-8", ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8).toString());
        assertEquals("text/plain", ContentType.TEXT_PLAIN.toString(), "constants stay unchanged");
        assertEquals("text/plain", type.withoutParameters().toString());
    }

    @Test
    void equalityIgnoresCaseAndParameterOrder() {
        assertEquals(ContentType.parse("TEXT/Plain; Charset=UTF-8; a=b"), ContentType.parse("text/plain; a=b; charset=utf-8"));
        assertEquals(ContentType.parse("TEXT/Plain; Charset=UTF-8").hashCode(),
                ContentType.parse("text/plain; charset=utf-8").hashCode());
        assertNotEquals(ContentType.TEXT_PLAIN, ContentType.parse("text/plain; charset=utf-8"));
        assertNotEquals(ContentType.TEXT_PLAIN, ContentType.TEXT_HTML);
    }

    @Test
    void starAloneMeansAny() {
        assertSame(ContentType.ANY, ContentType.parse(" * "));
        assertEquals("*/*", ContentType.ANY.toString());
    }

    @Test
    void emptyParametersAreSkipped() {
        assertEquals("text/plain", ContentType.parse("text/plain;").toString());
        assertEquals("a/b; c=d", ContentType.parse("a/b;; c=d ;").toString());
    }

    @Test
    void matchHonoursWildcardsAndParameters() {
        ContentType html = ContentType.parse("text/html; charset=UTF-8");

        assertTrue(html.match(ContentType.ANY));
        assertTrue(html.match(ContentType.parse("text/*")));
        assertTrue(html.match(ContentType.parse("TEXT/HTML; charset=utf-8")));
        assertFalse(html.match(ContentType.parse("text/html; charset=iso-8859-1")));
        assertFalse(html.match(ContentType.APPLICATION_JSON));
    }

    @Test
    void rejectsMalformedValuesWithAnExplanation() {
        IllegalArgumentException noSlash = assertThrows(IllegalArgumentException.class, () -> ContentType.parse("text"));
        assertEquals("Invalid Content-Type \"text\": expected '/' at index 4 but found the end; write it as"
                + " type/subtype followed by optional \"; name=value\" parameters", noSlash.getMessage());

        IllegalArgumentException noValue = assertThrows(IllegalArgumentException.class,
                () -> ContentType.parse("text/plain; charset"));
        assertTrue(noValue.getMessage().contains("expected '=' at index 19"), noValue.getMessage());

        IllegalArgumentException unclosed = assertThrows(IllegalArgumentException.class,
                () -> ContentType.parse("text/plain; a=\"open"));
        assertTrue(unclosed.getMessage().contains("a quoted value is not closed"), unclosed.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ContentType.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ContentType.parse("text/plain junk"));
        assertThrows(IllegalArgumentException.class, () -> new ContentType("te xt", "plain"));
        assertThrows(IllegalArgumentException.class, () -> ContentType.TEXT_PLAIN.withParameter("a", "x\r\ny"));
    }

    @Test
    void charsetIsNullWhenAbsentAndFailsWhenUnknown() {
        assertNull(ContentType.TEXT_PLAIN.charset());
        assertThrows(UnsupportedCharsetException.class, () -> ContentType.parse("text/plain; charset=no-such-charset").charset());
    }
}
