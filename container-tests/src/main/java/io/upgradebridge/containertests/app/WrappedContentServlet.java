package io.upgradebridge.containertests.app;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteChannel;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code /wrapped/<variant>}: answers with a content of every {@link OutgoingContent} variant passed through
 * {@link OutgoingContent#wrapHeaders}, which adds {@value #HEADER}: {@code no-content}, {@code bytes},
 * {@code write-channel}, {@code read-channel}, {@code echo-lines} (a {@code ProtocolUpgrade} that refuses a request
 * without {@code Upgrade: echo-lines} with 426) and {@code websocket} (a {@link WebSocketUpgrade}: its handshake
 * check must still answer 400, 405 or 426). Every method is served here, so that a POST reaches the upgrade's check.
 */
public class WrappedContentServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The header every wrapped content adds. */
    public static final String HEADER = "X-Wrapped";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        String variant = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
        OutgoingContent original = switch (variant) {
            case "no-content" -> new OutgoingContent.NoContent() {
                @Override
                public HttpStatusCode status() {
                    return HttpStatusCode.of(204);
                }
            };
            case "bytes" -> new OutgoingContent.ByteArrayContent() {
                @Override
                public byte[] bytes() {
                    return "bytes body\n".getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public ContentType contentType() {
                    return ContentType.TEXT_PLAIN;
                }
            };
            case "write-channel" -> new OutgoingContent.WriteChannelContent() {
                @Override
                public CompletionStage<Void> writeTo(ByteWriteChannel channel) {
                    return channel.write(ByteBuffer.wrap("written body\n".getBytes(StandardCharsets.UTF_8)));
                }

                @Override
                public ContentType contentType() {
                    return ContentType.TEXT_PLAIN;
                }
            };
            case "read-channel" -> new OutgoingContent.ReadChannelContent() {
                @Override
                public ByteReadChannel readFrom() {
                    ByteChannel channel = ByteChannel.create(64);
                    channel.write(ByteBuffer.wrap("read body\n".getBytes(StandardCharsets.UTF_8)))
                        .thenRun(channel::close);
                    return channel;
                }

                @Override
                public ContentType contentType() {
                    return ContentType.TEXT_PLAIN;
                }
            };
            case "echo-lines" -> new EchoLinesUpgrade();
            case "websocket" -> new WebSocketUpgrade(call, RawEchoHandler::run);
            default -> null;
        };
        if (original == null) {
            response.sendError(404);
            return;
        }
        call.respond(original.wrapHeaders(headers -> headers.toBuilder().set(HEADER, variant).build()));
    }

    /** Echoes bytes; refuses a request that does not ask for {@code Upgrade: echo-lines} with 426. */
    private static final class EchoLinesUpgrade extends OutgoingContent.ProtocolUpgrade {
        @Override
        public Headers headers() {
            return Headers.of("Upgrade", "echo-lines", "Connection", "Upgrade");
        }

        @Override
        public OutgoingContent refusal(ApplicationCall call) {
            String upgrade = call.requestHeaders().get("Upgrade");
            return upgrade != null && upgrade.equalsIgnoreCase("echo-lines") ? null
                : new io.upgradebridge.content.TextContent("send Upgrade: echo-lines\n", ContentType.TEXT_PLAIN,
                    HttpStatusCode.of(426));
        }

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engine, Executor user) {
            return Job.of(input.copyTo(output));
        }
    }
}
