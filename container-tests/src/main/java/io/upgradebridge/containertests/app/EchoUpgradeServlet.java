package io.upgradebridge.containertests.app;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * Serves the small {@code echo-lines} test protocol: a client sends {@code Upgrade: echo-lines}, gets a
 * 101 and then, depending on {@code ?mode=}, an echo of its bytes ({@code echo}), a line protocol with
 * commands ({@code lines}), an endless stream it does not have to read ({@code flood}), a server that
 * never reads ({@code sink}), or an upgrade that throws ({@code throw}). {@code ?id=} names the
 * connection in {@link ConnectionStats}.
 */
public class EchoUpgradeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        String upgrade = request.getHeader("Upgrade");
        // an HTTP/2 extended CONNECT for :protocol echo-lines asks for it too (and the bridge refuses it: not WebSocket)
        if ((upgrade == null || !upgrade.equalsIgnoreCase("echo-lines")) && !"echo-lines".equalsIgnoreCase(call.connectProtocol())) {
            call.respond(new TextContent("this endpoint speaks echo-lines: send Upgrade: echo-lines\n", io.upgradebridge.content.ContentType.TEXT_PLAIN,
                HttpStatusCode.of(426)));
            return;
        }
        String mode = request.getParameter("mode") == null ? "echo" : request.getParameter("mode");
        ConnectionStats stats = ConnectionStats.start(request.getParameter("id"));
        call.respond(new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Headers headers() {
                return Headers.of("Upgrade", "echo-lines", "Connection", "Upgrade");
            }

            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engine, Executor user) {
                stats.attach(input, output);
                Job job;
                switch (mode) {
                    case "echo":
                        job = Job.of(input.copyTo(output));
                        break;
                    case "blocking-echo":
                        job = Job.launch(user, () -> input.asInputStream().transferTo(output.asOutputStream()));
                        break;
                    case "lines":
                        job = new LineProtocol(input, output, stats).start(user);
                        break;
                    case "flood":
                        job = new Flood(output, stats).start();
                        break;
                    case "sink":
                        job = Job.of(new java.util.concurrent.CompletableFuture<Void>()); // never reads, never ends by itself
                        break;
                    case "whoami": {
                        // read after the take-over, when the container has recycled the request object
                        String facts = "uri=" + call.uri() + "\nx-test=" + call.requestHeaders().get("X-Test")
                            + "\nmethod=" + call.method() + "\n";
                        job = Job.of(output.write(java.nio.ByteBuffer.wrap(facts.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                            .thenCompose(v -> input.copyTo(output)));
                        break;
                    }
                    case "throw":
                        throw new IllegalStateException("upgrade threw on purpose");
                    default:
                        throw new IllegalArgumentException("unknown mode " + mode);
                }
                stats.job(job);
                return JobEnds.watch("echo-lines " + mode, job);
            }
        });
    }
}
