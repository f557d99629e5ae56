package io.upgradebridge.benchmarks.server;

import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The bridge's echo, the same logic as war-sample's {@code EchoServlet}: an asynchronous raw handler on
 * {@code incoming().forEach} that echoes data frames one by one (same type and fin bit), answers pings with
 * pongs and answers the peer's close frame with its code. Registered behind {@code ProtocolUpgradeFilter}.
 */
public final class BridgeEchoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        call.respond(new WebSocketUpgrade(call, null, session -> session.incoming().forEach(frame -> answer(session, frame))));
    }

    private static CompletionStage<Boolean> answer(WebSocketSession session, Frame frame) {
        switch (frame.type()) {
            case PING:
                return session.send(Frame.pong(frame.data())).thenApply(sent -> true);
            case PONG:
                return CompletableFuture.completedFuture(true);
            case CLOSE:
                CloseReason reason = frame.closeReason();
                if (reason == null) {
                    reason = new CloseReason(CloseReason.Codes.NORMAL, "");
                }
                return session.close(reason).thenApply(sent -> false);
            default:
                return session.send(new Frame(frame.type(), frame.fin(), false, false, false, frame.data()))
                        .thenApply(sent -> true);
        }
    }
}
