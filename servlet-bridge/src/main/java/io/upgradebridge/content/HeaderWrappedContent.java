package io.upgradebridge.content;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The contents {@link OutgoingContent#wrapHeaders} returns: one class per variant, each with its own
 * headers and everything else taken from the original content.
 */
final class HeaderWrappedContent {

    private HeaderWrappedContent() {
    }

    /** A content of the same variant as {@code original}, with {@code headers} instead of the original's. */
    static OutgoingContent wrap(OutgoingContent original, Headers headers) {
        if (original instanceof OutgoingContent.NoContent) {
            return new WrappedNoContent((OutgoingContent.NoContent) original, headers);
        }
        if (original instanceof OutgoingContent.ByteArrayContent) {
            return new WrappedByteArrayContent((OutgoingContent.ByteArrayContent) original, headers);
        }
        if (original instanceof OutgoingContent.WriteChannelContent) {
            return new WrappedWriteChannelContent((OutgoingContent.WriteChannelContent) original, headers);
        }
        if (original instanceof OutgoingContent.ReadChannelContent) {
            return new WrappedReadChannelContent((OutgoingContent.ReadChannelContent) original, headers);
        }
        if (original instanceof OutgoingContent.ProtocolUpgrade) {
            return new WrappedProtocolUpgrade((OutgoingContent.ProtocolUpgrade) original, headers);
        }
        throw new AssertionError("OutgoingContent has only five variants, got " + original.getClass());
    }

    private static final class WrappedNoContent extends OutgoingContent.NoContent {
        private final OutgoingContent.NoContent original;
        private final Headers headers;

        WrappedNoContent(OutgoingContent.NoContent original, Headers headers) {
            this.original = original;
            this.headers = headers;
        }

        @Override
        public ContentType contentType() {
            return original.contentType();
        }

        @Override
        public Long contentLength() {
            return original.contentLength();
        }

        @Override
        public HttpStatusCode status() {
            return original.status();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public String toString() {
            return original + " with " + headers;
        }
    }

    private static final class WrappedByteArrayContent extends OutgoingContent.ByteArrayContent {
        private final OutgoingContent.ByteArrayContent original;
        private final Headers headers;

        WrappedByteArrayContent(OutgoingContent.ByteArrayContent original, Headers headers) {
            this.original = original;
            this.headers = headers;
        }

        @Override
        public byte[] bytes() {
            return original.bytes();
        }

        @Override
        public ContentType contentType() {
            return original.contentType();
        }

        @Override
        public Long contentLength() {
            return original.contentLength();
        }

        @Override
        public HttpStatusCode status() {
            return original.status();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public String toString() {
            return original + " with " + headers;
        }
    }

    private static final class WrappedWriteChannelContent extends OutgoingContent.WriteChannelContent {
        private final OutgoingContent.WriteChannelContent original;
        private final Headers headers;

        WrappedWriteChannelContent(OutgoingContent.WriteChannelContent original, Headers headers) {
            this.original = original;
            this.headers = headers;
        }

        @Override
        public CompletionStage<Void> writeTo(ByteWriteChannel channel) {
            return original.writeTo(channel);
        }

        @Override
        public ContentType contentType() {
            return original.contentType();
        }

        @Override
        public Long contentLength() {
            return original.contentLength();
        }

        @Override
        public HttpStatusCode status() {
            return original.status();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public String toString() {
            return original + " with " + headers;
        }
    }

    private static final class WrappedReadChannelContent extends OutgoingContent.ReadChannelContent {
        private final OutgoingContent.ReadChannelContent original;
        private final Headers headers;

        WrappedReadChannelContent(OutgoingContent.ReadChannelContent original, Headers headers) {
            this.original = original;
            this.headers = headers;
        }

        @Override
        public ByteReadChannel readFrom() {
            return original.readFrom();
        }

        @Override
        public ContentType contentType() {
            return original.contentType();
        }

        @Override
        public Long contentLength() {
            return original.contentLength();
        }

        @Override
        public HttpStatusCode status() {
            return original.status();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public String toString() {
            return original + " with " + headers;
        }
    }

    private static final class WrappedProtocolUpgrade extends OutgoingContent.ProtocolUpgrade {
        private final OutgoingContent.ProtocolUpgrade original;
        private final Headers headers;

        WrappedProtocolUpgrade(OutgoingContent.ProtocolUpgrade original, Headers headers) {
            this.original = original;
            this.headers = headers;
        }

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output,
                           Executor engineContext, Executor userContext) {
            return original.upgrade(input, output, engineContext, userContext);
        }

        @Override
        public OutgoingContent refusal(ApplicationCall call) {
            return original.refusal(call); // the original's handshake check still applies
        }

        @Override
        public String connectProtocol() {
            return original.connectProtocol(); // over HTTP/2 the original's tunnel still applies
        }

        @Override
        public ContentType contentType() {
            return original.contentType();
        }

        @Override
        public Long contentLength() {
            return original.contentLength();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public String toString() {
            return original + " with " + headers;
        }
    }
}
