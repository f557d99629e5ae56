package io.upgradebridge.content;

import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutgoingContentTest {

    private static final AttributeKey<String> NAME = new AttributeKey<>("name");

    /** A NoContent with fixed headers, status, type and length. */
    private static final class FixedNoContent extends OutgoingContent.NoContent {
        private final Headers headers;

        FixedNoContent(Headers headers) {
            this.headers = headers;
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public HttpStatusCode status() {
            return HttpStatusCode.NO_CONTENT;
        }

        @Override
        public ContentType contentType() {
            return ContentType.TEXT_HTML;
        }

        @Override
        public Long contentLength() {
            return 0L;
        }
    }

    private static OutgoingContent.NoContent noContent() {
        return new FixedNoContent(Headers.EMPTY);
    }

    @Test
    void defaultsAreNullAndEmpty() {
        OutgoingContent content = new OutgoingContent.NoContent() { };

        assertNull(content.status());
        assertNull(content.contentType());
        assertNull(content.contentLength());
        assertSame(Headers.EMPTY, content.headers());
        assertNull(content.getCaching());
        assertEquals(List.of(), content.getVersions());
        assertEquals(List.of(), content.defaultVersions());
    }

    @Test
    void propertiesAreStoredByKeyIdentityAndNullRemoves() {
        OutgoingContent content = noContent();
        AttributeKey<String> sameName = new AttributeKey<>("name");

        assertNull(content.getProperty(NAME));
        content.setProperty(NAME, "a");
        assertEquals("a", content.getProperty(NAME));
        assertNull(content.getProperty(sameName), "keys with equal names are still different keys");

        content.setProperty(NAME, null);
        assertNull(content.getProperty(NAME));
        content.setProperty(sameName, null); // removing what is not there is fine
        assertEquals("AttributeKey: name", NAME.toString());
    }

    @Test
    void propertiesAreThreadSafe() throws Exception {
        OutgoingContent content = noContent();
        int threads = 8;
        int keysPerThread = 500;
        List<List<AttributeKey<Integer>>> keys = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<AttributeKey<Integer>> mine = new ArrayList<>();
            for (int i = 0; i < keysPerThread; i++) {
                mine.add(new AttributeKey<>("k" + t + "-" + i));
            }
            keys.add(mine);
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<AttributeKey<Integer>> mine = keys.get(t);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < mine.size(); i++) {
                        content.setProperty(mine.get(i), i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (List<AttributeKey<Integer>> mine : keys) {
            for (int i = 0; i < mine.size(); i++) {
                assertEquals(i, content.getProperty(mine.get(i)), mine.get(i).name());
            }
        }
    }

    @Test
    void cachingAndVersionsAreProperties() {
        OutgoingContent content = noContent();
        CachingOptions caching = new CachingOptions(new CacheControl.NoCache());
        List<Version> versions = new ArrayList<>(List.of(new EntityTagVersion("a")));

        content.setCaching(caching);
        content.setVersions(versions);
        versions.clear();

        assertSame(caching, content.getProperty(OutgoingContent.CACHING));
        assertSame(caching, content.getCaching());
        assertEquals(List.of(new EntityTagVersion("a")), content.getVersions(), "a copy of the list is kept");
        assertEquals(List.of(new EntityTagVersion("a")), content.getProperty(OutgoingContent.VERSIONS));

        content.setCaching(null);
        content.setVersions(List.of());
        assertNull(content.getCaching());
        assertEquals(List.of(), content.getVersions());
    }

    @Test
    void defaultVersionsAreReadFromLastModifiedAndETag() {
        OutgoingContent content = new FixedNoContent(Headers.of(
                "ETag", "W/\"abc\"",
                "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"));

        assertEquals(List.of(
                        new LastModifiedVersion(Instant.parse("1994-11-06T08:49:37Z")),
                        new EntityTagVersion("abc", true)),
                content.defaultVersions());
    }

    @Test
    void defaultVersionsPreferTheVersionsProperty() {
        OutgoingContent content = new FixedNoContent(Headers.of("ETag", "\"from-header\""));
        content.setVersions(List.of(new EntityTagVersion("from-property")));

        assertEquals(List.of(new EntityTagVersion("from-property")), content.defaultVersions());
    }

    @Test
    void defaultVersionsSkipUnreadableValues() {
        OutgoingContent content = new FixedNoContent(Headers.of(
                "ETag", "\"unclosed",
                "Last-Modified", "yesterday"));

        assertEquals(List.of(), content.defaultVersions());
        assertEquals(List.of(new EntityTagVersion("ok")),
                new FixedNoContent(Headers.of("ETag", "\"ok\"", "Last-Modified", "never")).defaultVersions());
    }

    @Test
    void wrapHeadersKeepsNoContentAndDelegates() {
        FixedNoContent original = new FixedNoContent(Headers.of("A", "1"));

        OutgoingContent wrapped = original.wrapHeaders(headers -> headers.toBuilder().append("B", "2").build());

        assertInstanceOf(OutgoingContent.NoContent.class, wrapped);
        assertEquals(Headers.of("A", "1", "B", "2"), wrapped.headers());
        assertEquals(Headers.of("A", "1"), original.headers(), "the original keeps its headers");
        assertEquals(HttpStatusCode.NO_CONTENT, wrapped.status());
        assertEquals(ContentType.TEXT_HTML, wrapped.contentType());
        assertEquals(0L, wrapped.contentLength());
    }

    @Test
    void wrapHeadersKeepsByteArrayContentAndDelegates() {
        TextContent original = new TextContent("héllo", ContentType.TEXT_PLAIN, HttpStatusCode.CREATED);

        OutgoingContent wrapped = original.wrapHeaders(headers -> Headers.of("X", "y"));

        OutgoingContent.ByteArrayContent bytes = assertInstanceOf(OutgoingContent.ByteArrayContent.class, wrapped);
        assertSame(original.bytes(), bytes.bytes());
        assertEquals(6L, wrapped.contentLength());
        assertEquals(HttpStatusCode.CREATED, wrapped.status());
        assertEquals("text/plain; charset=UTF-8", wrapped.contentType().toString());
        assertEquals(Headers.of("X", "y"), wrapped.headers());
    }

    @Test
    void wrapHeadersKeepsWriteChannelContentAndDelegates() {
        List<ByteWriteChannel> seen = new ArrayList<>();
        CompletableFuture<Void> stage = new CompletableFuture<>();
        OutgoingContent.WriteChannelContent original = new OutgoingContent.WriteChannelContent() {
            @Override
            public CompletionStage<Void> writeTo(ByteWriteChannel channel) {
                seen.add(channel);
                return stage;
            }

            @Override
            public Long contentLength() {
                return 42L;
            }
        };
        ByteChannel channel = ByteChannel.create(16);

        OutgoingContent wrapped = original.wrapHeaders(headers -> Headers.of("X", "y"));

        OutgoingContent.WriteChannelContent writer = assertInstanceOf(OutgoingContent.WriteChannelContent.class, wrapped);
        assertSame(stage, writer.writeTo(channel));
        assertEquals(List.of(channel), seen);
        assertEquals(42L, wrapped.contentLength());
        assertEquals(Headers.of("X", "y"), wrapped.headers());
    }

    @Test
    void wrapHeadersKeepsReadChannelContentAndDelegates() {
        ByteChannel channel = ByteChannel.create(16);
        OutgoingContent.ReadChannelContent original = new OutgoingContent.ReadChannelContent() {
            @Override
            public ByteReadChannel readFrom() {
                return channel;
            }

            @Override
            public ContentType contentType() {
                return ContentType.APPLICATION_JSON;
            }
        };

        OutgoingContent wrapped = original.wrapHeaders(headers -> Headers.of("X", "y"));

        OutgoingContent.ReadChannelContent reader = assertInstanceOf(OutgoingContent.ReadChannelContent.class, wrapped);
        assertSame(channel, reader.readFrom());
        assertEquals(ContentType.APPLICATION_JSON, wrapped.contentType());
    }

    @Test
    void wrapHeadersKeepsProtocolUpgradeAndDelegatesTheUpgrade() {
        List<Object> seen = new ArrayList<>();
        Job job = Job.completed();
        OutgoingContent refused = new TextContent("no", ContentType.TEXT_PLAIN, HttpStatusCode.of(426));
        OutgoingContent.ProtocolUpgrade original = new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Headers headers() {
                return Headers.of("Upgrade", "websocket", "Connection", "Upgrade");
            }

            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext,
                               Executor userContext) {
                seen.addAll(List.of(input, output, engineContext, userContext));
                return job;
            }

            @Override
            public OutgoingContent refusal(io.upgradebridge.servlet.ApplicationCall call) {
                seen.add("asked for a refusal");
                return refused;
            }
        };
        ByteChannel input = ByteChannel.create(16);
        ByteChannel output = ByteChannel.create(16);
        Executor engine = Runnable::run;
        Executor user = Runnable::run;

        OutgoingContent wrapped = original.wrapHeaders(headers ->
                headers.toBuilder().set("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=").build());

        OutgoingContent.ProtocolUpgrade upgrade = assertInstanceOf(OutgoingContent.ProtocolUpgrade.class, wrapped);
        assertEquals(HttpStatusCode.SWITCHING_PROTOCOLS, upgrade.status());
        assertEquals(101, original.status().value());
        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), upgrade.headers());
        assertSame(job, upgrade.upgrade(input, output, engine, user));
        assertEquals(List.of(input, output, engine, user), seen);
        // the handshake check travels with the upgrade: the wrapper asks the original
        assertSame(refused, upgrade.refusal(null));
        assertEquals("asked for a refusal", seen.get(seen.size() - 1));
    }

    @Test
    void aProtocolUpgradeRefusesNothingByDefault() {
        OutgoingContent.ProtocolUpgrade plain = new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
                return Job.completed();
            }
        };
        assertNull(plain.refusal(null));
        assertNull(((OutgoingContent.ProtocolUpgrade) plain.wrapHeaders(h -> h)).refusal(null));
    }

    @Test
    void anExtendedConnectAnswerTravelsWithTheWrappedUpgrade() {
        OutgoingContent.ProtocolUpgrade tunnel = new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Headers headers() {
                return Headers.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Protocol", "chat");
            }

            @Override
            public String connectProtocol() {
                return "websocket";
            }

            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
                return Job.completed();
            }
        };
        OutgoingContent.ProtocolUpgrade wrapped = (OutgoingContent.ProtocolUpgrade) tunnel.wrapHeaders(
                headers -> headers.toBuilder().append("X-Node", "a").build());

        // HTTP/2 forbids the connection-specific headers; the 200 carries the rest, the wrapper's additions included
        assertEquals(Headers.of("Sec-WebSocket-Protocol", "chat"), tunnel.connectResponseHeaders());
        assertEquals("websocket", wrapped.connectProtocol());
        assertEquals(Headers.of("Sec-WebSocket-Protocol", "chat", "X-Node", "a"), wrapped.connectResponseHeaders());
        assertNull(((OutgoingContent.ProtocolUpgrade) new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
                return Job.completed();
            }
        }.wrapHeaders(h -> h)).connectProtocol(), "an upgrade needs HTTP/1.1 unless it says otherwise");
    }

    @Test
    void wrapHeadersCopiesPropertiesWithoutSharingThem() {
        OutgoingContent original = noContent();
        original.setProperty(NAME, "original");
        original.setCaching(new CachingOptions(new CacheControl.MaxAge(5)));

        OutgoingContent wrapped = original.wrapHeaders(headers -> headers);
        assertNotSame(original, wrapped);
        assertEquals("original", wrapped.getProperty(NAME));
        assertEquals(new CachingOptions(new CacheControl.MaxAge(5)), wrapped.getCaching());

        wrapped.setProperty(NAME, "wrapped");
        original.setCaching(null);
        assertEquals("original", original.getProperty(NAME));
        assertEquals(new CachingOptions(new CacheControl.MaxAge(5)), wrapped.getCaching());
    }

    @Test
    void wrappedHeadersFeedDefaultVersions() {
        OutgoingContent wrapped = noContent().wrapHeaders(headers -> Headers.of("ETag", "\"v7\""));

        assertEquals(List.of(new EntityTagVersion("v7")), wrapped.defaultVersions());
    }

    @Test
    void wrapHeadersRejectsANullResult() {
        NullPointerException problem = assertThrows(NullPointerException.class, () -> noContent().wrapHeaders(h -> null));
        assertEquals("wrapHeaders block returned null", problem.getMessage());
    }

    @Test
    void textContentAddsUtf8ToTextTypesOnly() {
        TextContent plain = new TextContent("ünïcode");
        assertEquals("text/plain; charset=UTF-8", plain.contentType().toString());
        assertArrayEquals("ünïcode".getBytes(StandardCharsets.UTF_8), plain.bytes());
        assertEquals(9L, plain.contentLength());
        assertNull(plain.status());

        TextContent json = new TextContent("{\"a\":\"é\"}", ContentType.APPLICATION_JSON);
        assertEquals("application/json", json.contentType().toString());
        assertArrayEquals("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8), json.bytes());
    }

    @Test
    void textContentEncodesWithTheGivenCharset() {
        TextContent latin = new TextContent("é", ContentType.parse("text/plain; charset=ISO-8859-1"), HttpStatusCode.ACCEPTED);

        assertArrayEquals(new byte[] {(byte) 0xE9}, latin.bytes());
        assertEquals("text/plain; charset=ISO-8859-1", latin.contentType().toString());
        assertEquals(HttpStatusCode.ACCEPTED, latin.status());
        assertEquals("TextContent[text/plain; charset=ISO-8859-1] \"é\"", latin.toString());
    }

    @Test
    void binaryContentDefaultsToOctetStream() {
        byte[] bytes = {1, 2, 3};
        BinaryContent content = new BinaryContent(bytes);

        assertSame(bytes, content.bytes());
        assertEquals(3L, content.contentLength());
        assertEquals(ContentType.APPLICATION_OCTET_STREAM, content.contentType());
        assertNull(new BinaryContent(bytes, null).contentType());
    }
}
