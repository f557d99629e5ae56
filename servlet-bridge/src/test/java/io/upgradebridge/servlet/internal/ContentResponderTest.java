package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.BinaryContent;
import io.upgradebridge.content.CacheControl;
import io.upgradebridge.content.CachingOptions;
import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.EntityTagVersion;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.LastModifiedVersion;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.testsupport.FakeRequest;
import io.upgradebridge.testsupport.FakeResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ContentResponderTest {

    private static final Instant MODIFIED = Instant.parse("1994-11-06T08:49:37Z");
    private static final String MODIFIED_TEXT = "Sun, 06 Nov 1994 08:49:37 GMT";

    // ---------------------------------------------------------------- plain responses

    @Test
    void writesStatusHeadersTypeLengthAndBytes() throws IOException {
        OutgoingContent content = new TextContent("hello")
                .wrapHeaders(h -> Headers.of("Vary", "Accept", "X-Trace", "7", "vary", "Origin"));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals(200, response.status);
        assertEquals(List.of(
                "setStatus 200",
                "setHeader Vary: Accept",
                "addHeader Vary: Origin",
                "setHeader X-Trace: 7",
                "setContentType text/plain; charset=UTF-8",
                "setContentLengthLong 5"), response.calls);
        assertEquals("hello", response.bodyText());
    }

    @Test
    void usesTheContentStatusAndSendsNothingForNoContent() throws IOException {
        OutgoingContent content = new OutgoingContent.NoContent() {
            @Override
            public HttpStatusCode status() {
                return HttpStatusCode.ACCEPTED;
            }
        };
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals(List.of("setStatus 202"), response.calls);
        assertEquals("", response.bodyText());
    }

    @Test
    void contentTypeAndLengthMembersWinOverHeadersOfTheSameName() throws IOException {
        OutgoingContent content = new BinaryContent(new byte[] {1, 2, 3}, ContentType.APPLICATION_OCTET_STREAM)
                .wrapHeaders(h -> Headers.of("Content-Type", "text/html", "Content-Length", "99"));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals(List.of(
                "setStatus 200",
                "setContentType application/octet-stream",
                "setContentLengthLong 3"), response.calls);
        assertArrayEquals(new byte[] {1, 2, 3}, response.body.toByteArray());
    }

    @Test
    void cachingAndVersionsReplaceHeadersOfTheSameNameInsteadOfDoublingThem() throws IOException {
        OutgoingContent content = new TextContent("x")
                .wrapHeaders(h -> Headers.of("Cache-Control", "no-store", "ETag", "\"old\"", "X-Other", "1"));
        content.setCaching(new CachingOptions(
                new CacheControl.MaxAge(60, null, true, false, CacheControl.Visibility.PUBLIC), MODIFIED));
        content.setVersions(List.of(new EntityTagVersion("v2"), new LastModifiedVersion(MODIFIED)));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals(List.of(
                "setStatus 200",
                "setHeader Cache-Control: max-age=60, must-revalidate, public",
                "setHeader ETag: \"v2\"",
                "setHeader X-Other: 1",
                "setHeader Last-Modified: " + MODIFIED_TEXT,
                "setHeader Expires: " + MODIFIED_TEXT,
                "setContentType text/plain; charset=UTF-8",
                "setContentLengthLong 1"), response.calls);
    }

    @Test
    void validatorsFromHeadersAreSentOnce() throws IOException {
        OutgoingContent content = new TextContent("x")
                .wrapHeaders(h -> Headers.of("ETag", "\"v1\"", "Last-Modified", MODIFIED_TEXT));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals(List.of("\"v1\""), response.headerValues("ETag"));
        assertEquals(List.of(MODIFIED_TEXT), response.headerValues("Last-Modified"));
        assertEquals(1, response.calls.stream().filter(c -> c.contains("ETag")).count());
    }

    @Test
    void headRequestsGetHeadersButNoBody() throws IOException {
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.of("HEAD", "/").proxy(), response.proxy(), new TextContent("hello"));

        assertEquals(List.of(
                "setStatus 200",
                "setContentType text/plain; charset=UTF-8",
                "setContentLengthLong 5"), response.calls);
        assertEquals("", response.bodyText());
    }

    // ---------------------------------------------------------------- conditional requests

    @Test
    void matchingIfNoneMatchAnswers304WithValidatorsButNoBody() throws IOException {
        OutgoingContent content = new TextContent("hello");
        content.setVersions(List.of(new EntityTagVersion("v1")));
        content.setCaching(new CachingOptions(new CacheControl.NoCache()));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/", "If-None-Match", "W/\"v1\"").proxy(), response.proxy(), content);

        assertEquals(304, response.status);
        assertEquals(List.of(
                "setStatus 304",
                "setHeader ETag: \"v1\"",
                "setHeader Cache-Control: no-cache"), response.calls);
        assertEquals("", response.bodyText());
    }

    @Test
    void ifModifiedSinceAnswers304ForGet() throws IOException {
        OutgoingContent content = new TextContent("hello").wrapHeaders(h -> Headers.of("Last-Modified", MODIFIED_TEXT));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/", "If-Modified-Since", MODIFIED_TEXT).proxy(), response.proxy(), content);

        assertEquals(304, response.status);
        assertEquals(List.of("setStatus 304", "setHeader Last-Modified: " + MODIFIED_TEXT), response.calls);
        assertEquals("", response.bodyText());
    }

    @Test
    void ifModifiedSinceIsIgnoredForOtherMethods() throws IOException {
        OutgoingContent content = new TextContent("hello").wrapHeaders(h -> Headers.of("Last-Modified", MODIFIED_TEXT));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.of("POST", "/", "If-Modified-Since", MODIFIED_TEXT).proxy(), response.proxy(), content);

        assertEquals(200, response.status);
        assertEquals("hello", response.bodyText());
    }

    @Test
    void matchingIfNoneMatchOnPostAnswers412() throws IOException {
        OutgoingContent content = new TextContent("hello");
        content.setVersions(List.of(new EntityTagVersion("v1")));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.of("PUT", "/", "If-None-Match", "*").proxy(), response.proxy(), content);

        assertEquals(List.of("setStatus 412", "setContentLength 0"), response.calls);
        assertEquals("", response.bodyText());
    }

    @Test
    void failedIfMatchAnswers412WithoutBody() throws IOException {
        OutgoingContent content = new TextContent("hello");
        content.setVersions(List.of(new EntityTagVersion("v1")));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/", "If-Match", "\"v0\"").proxy(), response.proxy(), content);

        assertEquals(List.of("setStatus 412", "setContentLength 0"), response.calls);
    }

    @Test
    void failedIfUnmodifiedSinceAnswers412() throws IOException {
        OutgoingContent content = new TextContent("hello");
        content.setVersions(List.of(new LastModifiedVersion(MODIFIED)));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.of("DELETE", "/", "If-Unmodified-Since", "Sat, 05 Nov 1994 00:00:00 GMT").proxy(),
                response.proxy(), content);

        assertEquals(412, response.status);
    }

    @Test
    void nonMatchingConditionsSendTheContent() throws IOException {
        OutgoingContent content = new TextContent("hello");
        content.setVersions(List.of(new EntityTagVersion("v1")));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/", "If-None-Match", "\"v0\"", "If-Match", "\"v1\"").proxy(),
                response.proxy(), content);

        assertEquals(200, response.status);
        assertEquals("hello", response.bodyText());
    }

    @Test
    void conditionsAreIgnoredForNonSuccessStatuses() throws IOException {
        OutgoingContent content = new TextContent("missing", ContentType.TEXT_PLAIN, HttpStatusCode.NOT_FOUND);
        content.setVersions(List.of(new EntityTagVersion("v1")));
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/", "If-None-Match", "\"v1\"").proxy(), response.proxy(), content);

        assertEquals(404, response.status);
        assertEquals("missing", response.bodyText());
    }

    // ---------------------------------------------------------------- channel bodies

    @Test
    void copiesAReadChannelFilledByAnotherThread() throws Exception {
        byte[] expected = pattern(300_000);
        ByteChannel channel = ByteChannel.create(4096);
        Thread producer = new Thread(() -> {
            try (OutputStream out = channel.asOutputStream()) {
                for (int offset = 0; offset < expected.length; offset += 7000) {
                    out.write(expected, offset, Math.min(7000, expected.length - offset));
                }
            } catch (IOException e) {
                channel.close(e);
            }
        });
        producer.start();
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), readChannelContent(channel, null));
        producer.join();

        assertArrayEquals(expected, response.body.toByteArray());
        assertEquals(List.of("setStatus 200"), response.calls);
    }

    @Test
    void aReadChannelThatFailsMakesRespondFailAfterTheBytesBeforeIt() throws IOException {
        ByteChannel channel = ByteChannel.create(64);
        channel.tryWrite(ByteBuffer.wrap("part".getBytes(StandardCharsets.US_ASCII)));
        channel.close(new IOException("disk gone"));
        FakeResponse response = new FakeResponse();

        IOException failure = assertThrows(IOException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), readChannelContent(channel, 10L)));

        assertTrue(String.valueOf(failure.getMessage()).contains("disk gone")
                || (failure.getCause() != null && String.valueOf(failure.getCause().getMessage()).contains("disk gone")),
                String.valueOf(failure));
        assertEquals("part", response.bodyText());
        assertTrue(response.calls.contains("setContentLengthLong 10"), response.calls.toString());
    }

    @Test
    void aBrokenClientConnectionCancelsTheReadChannel() throws IOException {
        ByteChannel channel = ByteChannel.create(64);
        channel.tryWrite(ByteBuffer.wrap(new byte[10]));
        FakeResponse response = new FakeResponse();
        response.failWrites = new IOException("broken pipe");

        IOException failure = assertThrows(IOException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), readChannelContent(channel, null)));

        assertEquals("broken pipe", failure.getMessage());
        assertTrue(channel.isClosedForWrite(), "the producer is told to stop");
        assertSame(failure, channel.closedCause());
    }

    @Test
    void writeChannelContentThatWritesSynchronously() throws IOException {
        OutgoingContent content = writeChannelContent(channel -> {
            channel.tryWrite(ByteBuffer.wrap("quick".getBytes(StandardCharsets.US_ASCII)));
            return CompletableFuture.completedFuture(null);
        });
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertEquals("quick", response.bodyText());
        assertEquals(0, response.flushes, "a body that is complete at once is not flushed early");
    }

    @Test
    void writeChannelContentFromAnotherThreadStreamsMoreThanTheChannelHolds() throws IOException {
        byte[] expected = pattern(ByteChannel.DEFAULT_CAPACITY * 3 + 17);
        AtomicReference<Thread> writer = new AtomicReference<>();
        OutgoingContent content = writeChannelContent(channel -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    OutputStream out = channel.asOutputStream();
                    for (int offset = 0; offset < expected.length; offset += 10_000) {
                        out.write(expected, offset, Math.min(10_000, expected.length - offset));
                    }
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            writer.set(thread);
            thread.start();
            return done;
        });
        FakeResponse response = new FakeResponse();

        ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content);

        assertArrayEquals(expected, response.body.toByteArray());
    }

    @Test
    void aFailedWriteStageMakesRespondFailWithItsCause() {
        OutgoingContent content = writeChannelContent(channel -> {
            channel.tryWrite(ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)));
            return CompletableFuture.failedFuture(new IllegalStateException("database down"));
        });
        FakeResponse response = new FakeResponse();

        IOException failure = assertThrows(IOException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content));

        Throwable cause = rootCause(failure);
        assertInstanceOf(IllegalStateException.class, cause);
        assertEquals("database down", cause.getMessage());
        assertEquals("ab", response.bodyText());
    }

    @Test
    void writeToReturningNullIsReported() {
        OutgoingContent content = writeChannelContent(channel -> null);
        FakeResponse response = new FakeResponse();

        IllegalStateException problem = assertThrows(IllegalStateException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content));

        assertTrue(problem.getMessage().endsWith(".writeTo(channel) returned null; return a stage that completes when"
                + " the body is written, such as CompletableFuture.completedFuture(null)"), problem.getMessage());
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void refusesACommittedResponse() {
        FakeResponse response = new FakeResponse();
        response.committed = true;

        IllegalStateException problem = assertThrows(IllegalStateException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), new TextContent("late")));

        assertTrue(problem.getMessage().startsWith("Cannot respond with TextContent[text/plain; charset=UTF-8] \"late\":"
                + " the response is already committed"), problem.getMessage());
        assertEquals(List.of(), response.calls);
    }

    @Test
    void refusesProtocolUpgrades() {
        OutgoingContent.ProtocolUpgrade upgrade = new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engine, Executor user) {
                throw new AssertionError("must not be called");
            }
        };
        FakeResponse response = new FakeResponse();

        IllegalArgumentException problem = assertThrows(IllegalArgumentException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), upgrade));

        assertTrue(problem.getMessage().contains("is a ProtocolUpgrade"), problem.getMessage());
        assertEquals(List.of(), response.calls);
    }

    @Test
    void refusesAByteArrayContentWhoseLengthDoesNotMatch() {
        OutgoingContent content = new OutgoingContent.ByteArrayContent() {
            @Override
            public byte[] bytes() {
                return new byte[3];
            }

            @Override
            public Long contentLength() {
                return 4L;
            }

            @Override
            public String toString() {
                return "Liar";
            }
        };
        FakeResponse response = new FakeResponse();

        IllegalStateException problem = assertThrows(IllegalStateException.class,
                () -> ContentResponder.respond(FakeRequest.get("/").proxy(), response.proxy(), content));

        assertEquals("Liar says contentLength() is 4 but bytes() holds 3 bytes; make contentLength() return"
                + " bytes().length (the default when it is not overridden)", problem.getMessage());
        assertEquals(List.of(), response.calls, "nothing is sent");
    }

    // ---------------------------------------------------------------- helpers

    private static OutgoingContent readChannelContent(ByteReadChannel channel, Long length) {
        return new OutgoingContent.ReadChannelContent() {
            @Override
            public ByteReadChannel readFrom() {
                return channel;
            }

            @Override
            public Long contentLength() {
                return length;
            }
        };
    }

    private interface Writer {
        CompletionStage<Void> write(ByteWriteChannel channel) throws IOException;
    }

    private static OutgoingContent writeChannelContent(Writer writer) {
        return new OutgoingContent.WriteChannelContent() {
            @Override
            public CompletionStage<Void> writeTo(ByteWriteChannel channel) {
                try {
                    return writer.write(channel);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 8));
        }
        return bytes;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
