package io.upgradebridge.containertests.app;

import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.ClosedReceiveException;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.FrameType;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * WebSocket endpoints for the container tests: {@code /ws/echo} (asynchronous raw echo),
 * {@code /ws/echo-blocking} (the same on a blocking handler), {@code /ws/echo-once} (one echo, then the
 * server closes with 1000), {@code /ws/chat} (subprotocol {@code chat},
 * echo), {@code /ws/wrong-protocol} (answers with a subprotocol nobody offers), {@code /ws/fail} (the
 * handler throws after the first frame: 1011).
 */
public class WebSocketTestServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        switch (path) {
            case "/echo":
                call.respond(JobEnds.watch("ws echo", new WebSocketUpgrade(call, RawEchoHandler::run)));
                break;
            case "/echo-blocking":
                call.respond(JobEnds.watch("ws echo-blocking", WebSocketUpgrade.blocking(call, null, WebSocketTestServlet::blockingEcho)));
                break;
            case "/echo-once":
                // echoes one text message, then the server closes (for pages: HtmlUnit's close() ignores the code and reason)
                call.respond(WebSocketUpgrade.blocking(call, null, session -> {
                    Frame frame = session.incoming().take();
                    session.send(Frame.text(frame.textData())).toCompletableFuture().join();
                    session.close(new CloseReason(CloseReason.Codes.NORMAL, "server done")).toCompletableFuture().join();
                }));
                break;
            case "/chat":
                call.respond(new WebSocketUpgrade(call, "chat", RawEchoHandler::run));
                break;
            case "/wrong-protocol":
                call.respond(new WebSocketUpgrade(call, "not-offered", RawEchoHandler::run));
                break;
            case "/fail":
                call.respond(WebSocketUpgrade.blocking(call, null, session -> {
                    session.incoming().take();
                    throw new IllegalStateException("the handler failed on purpose");
                }));
                break;
            default:
                response.sendError(404);
        }
    }

    private static void blockingEcho(io.upgradebridge.websocket.WebSocketSession session) throws Exception {
        while (true) {
            Frame frame;
            try {
                frame = session.incoming().take();
            } catch (ClosedReceiveException gone) {
                return;
            }
            if (frame.type() == FrameType.PING) {
                session.send(Frame.pong(frame.data()));
            } else if (frame.type() == FrameType.CLOSE) {
                CloseReason reason = frame.closeReason();
                session.close(reason != null ? reason : new CloseReason(CloseReason.Codes.NORMAL, "")).toCompletableFuture().join();
                return;
            } else if (frame.type() != FrameType.PONG) {
                session.send(new Frame(frame.type(), frame.fin(), false, false, false, frame.data())).toCompletableFuture().join();
            }
        }
    }
}
