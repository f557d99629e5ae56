package io.upgradebridge.sample;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * The {@code echo-lines} protocol: a client asks for it with {@code Upgrade: echo-lines}, gets
 * {@code 101 Switching Protocols}, and from then on every line it sends comes back to it.
 *
 * <p>The reference example of a protocol upgrade that is not WebSocket. The servlet only answers the
 * request with an {@link OutgoingContent.ProtocolUpgrade}; the {@code ProtocolUpgradeFilter} (see
 * {@code WEB-INF/web.xml}) sends the 101 after the servlet returns and then calls
 * {@link OutgoingContent.ProtocolUpgrade#upgrade upgrade} with the connection's two byte channels.
 *
 * <pre>
 * $ curl --no-progress-meter -N -i --http1.1 -X GET -H 'Connection: Upgrade' -H 'Upgrade: echo-lines' \
 *        -H 'Transfer-Encoding:' -H 'Expect:' -T . http://localhost:8080/lines
 *   (type lines: each comes back; Ctrl-C ends)
 * $ printf 'GET /lines HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo-lines\r\n\r\nhello\n' | nc -q1 127.0.0.1 8080
 * </pre>
 */
@WebServlet(urlPatterns = "/lines", asyncSupported = true)
public class LinesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PROTOCOL = "echo-lines";
    static final String HOW_TO_CONNECT = "/lines speaks echo-lines: send a GET with the headers "
        + "'Connection: Upgrade' and 'Upgrade: echo-lines', then lines; each line comes back\n";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        if (!asksFor(PROTOCOL, request.getHeader("Upgrade"))) {
            // 426 Upgrade Required must name the protocol to upgrade to in an Upgrade header (RFC 9110, 15.5.22)
            call.respond(new TextContent(HOW_TO_CONNECT, ContentType.TEXT_PLAIN, HttpStatusCode.UPGRADE_REQUIRED)
                .wrapHeaders(headers -> headers.toBuilder().set("Upgrade", PROTOCOL).build()));
            return;
        }
        call.respond(new EchoLines());
    }

    /** The upgrade: its headers go out with the 101, then {@link #upgrade} owns the connection. */
    private static final class EchoLines extends OutgoingContent.ProtocolUpgrade {

        @Override
        public Headers headers() {
            return Headers.of("Upgrade", PROTOCOL, "Connection", "Upgrade");
        }

        /**
         * Runs once the 101 is sent. {@code input} holds what the client sends (bytes that came in the same
         * packet as the request head included), {@code output} goes back to it. Nothing here blocks:
         * {@code copyTo} moves bytes as they arrive and waits, without a thread, while there are none or
         * while the client does not read (the channels are bounded, so memory stays flat). Echoing every
         * byte echoes every line.
         *
         * <p>The returned {@link Job} is the connection's lifetime: when the client ends its input the copy
         * completes, and the bridge sends what is left and closes the connection. If the application is
         * undeployed first, the bridge cancels the job and closes the connection.
         */
        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
            return Job.of(input.copyTo(output));
        }
    }

    /** Whether the comma-separated {@code Upgrade} header value names {@code protocol}. */
    private static boolean asksFor(String protocol, String upgradeHeader) {
        if (upgradeHeader == null) {
            return false;
        }
        for (String offered : upgradeHeader.split(",")) {
            if (offered.trim().equalsIgnoreCase(protocol)) {
                return true;
            }
        }
        return false;
    }
}
