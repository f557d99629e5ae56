package io.upgradebridge.content;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Text sent as the whole body: the Java form of Ktor's {@code io.ktor.http.content.TextContent}.
 *
 * <p>The text is encoded once, with the charset named by the content type. A {@code text/*} type without
 * a charset gets {@code charset=UTF-8} added (as Ktor's {@code respondText} does); any other type without
 * a charset is encoded as UTF-8 and sent as given.
 */
public final class TextContent extends OutgoingContent.ByteArrayContent {

    private final String text;
    private final ContentType contentType;
    private final HttpStatusCode status;
    private final byte[] bytes;

    /** {@code text} as {@code text/plain; charset=UTF-8}, with the default status. */
    public TextContent(String text) {
        this(text, ContentType.TEXT_PLAIN, null);
    }

    /** {@code text} as {@code contentType}, with the default status. */
    public TextContent(String text, ContentType contentType) {
        this(text, contentType, null);
    }

    /**
     * {@code text} as {@code contentType}, answered with {@code status} ({@code null} for the default).
     *
     * @throws IllegalArgumentException when the content type names a charset this JVM does not know
     */
    public TextContent(String text, ContentType contentType, HttpStatusCode status) {
        this.text = Objects.requireNonNull(text, "text");
        Objects.requireNonNull(contentType, "contentType");
        Charset charset = contentType.charset();
        if (charset == null) {
            charset = StandardCharsets.UTF_8;
            if (contentType.type().equalsIgnoreCase("text")) {
                contentType = contentType.withCharset(charset);
            }
        }
        this.contentType = contentType;
        this.status = status;
        this.bytes = text.getBytes(charset);
    }

    /** The text. */
    public String text() {
        return text;
    }

    /** The encoded text; callers must not change the array. */
    @Override
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public ContentType contentType() {
        return contentType;
    }

    @Override
    public HttpStatusCode status() {
        return status;
    }

    /** {@code TextContent[type] "first 30 characters"}, as in Ktor. */
    @Override
    public String toString() {
        String start = text.length() > 30 ? text.substring(0, 30) : text;
        return "TextContent[" + contentType + "] \"" + start + '"';
    }
}
