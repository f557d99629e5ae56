package io.upgradebridge.content;

import java.util.Objects;

/**
 * Bytes sent as the whole body: the Java form of Ktor's concrete {@code io.ktor.http.content.ByteArrayContent}
 * (renamed so that it is not confused with the abstract variant {@link OutgoingContent.ByteArrayContent}).
 * The array is used as given, not copied: do not change it afterwards.
 */
public final class BinaryContent extends OutgoingContent.ByteArrayContent {

    private final byte[] bytes;
    private final ContentType contentType;
    private final HttpStatusCode status;

    /** {@code bytes} as {@code application/octet-stream}, with the default status. */
    public BinaryContent(byte[] bytes) {
        this(bytes, ContentType.APPLICATION_OCTET_STREAM, null);
    }

    /** {@code bytes} as {@code contentType} ({@code null} for no {@code Content-Type}), with the default status. */
    public BinaryContent(byte[] bytes, ContentType contentType) {
        this(bytes, contentType, null);
    }

    /** {@code bytes} as {@code contentType}, answered with {@code status} ({@code null} for the default). */
    public BinaryContent(byte[] bytes, ContentType contentType, HttpStatusCode status) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.contentType = contentType;
        this.status = status;
    }

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

    /** {@code BinaryContent[type, N bytes]}. */
    @Override
    public String toString() {
        return "BinaryContent[" + contentType + ", " + bytes.length + " bytes]";
    }
}
