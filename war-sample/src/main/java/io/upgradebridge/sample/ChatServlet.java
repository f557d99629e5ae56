package io.upgradebridge.sample;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.sample.cluster.ChatCluster;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /chat}: WebSocket subprotocol {@code chat}. Every text message a member sends goes to every member of its
 * room, the sender included: the room the query parameter {@code room} names ({@code /chat?room=lobby}), else
 * {@code main} ({@link ChatRooms}; a name that breaks the rule gets 400). A client that does not offer {@code chat} in
 * {@code Sec-WebSocket-Protocol} is refused by {@link WebSocketUpgrade}'s handshake check (400 with a one-line
 * reason) before anything is upgraded.
 *
 * <p>A raw session, like {@link EchoServlet}: pings and the close handshake are answered here too. Fragmented
 * text messages are put together before they are broadcast; binary messages are ignored. Sessions of one web
 * application are kept in concurrent sets by room; a session leaves when it ends, however it ends. A session joins when
 * its handler starts, which is just after the 101: a message broadcast in between does not reach it.
 *
 * <p>With {@link io.upgradebridge.sample.SampleSettings#CHAT_REDIS} set, the chat spans every node of the
 * application ({@link ChatCluster}): a message goes to this node's members at once and to the other nodes' through
 * Redis (chat {@value #CHAT}); without it, the chat is this node's alone.
 */
@WebServlet(urlPatterns = "/chat", asyncSupported = true)
public class ChatServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PROTOCOL = "chat";
    /** The name of this chat among the nodes (the default-session chat is another one, with rooms of its own). */
    static final String CHAT = "chat";

    /** The connected members by room (per servlet instance, so per deployment); each send is bounded by the member's output buffer. */
    private final ChatRooms<WebSocketSession> rooms = new ChatRooms<>(CHAT, (member, text) -> member.send(Frame.text(text)));

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        String room = ChatRooms.roomOf(request.getQueryString());
        if (room == null) {
            call.respond(new TextContent(ChatRooms.ROOM_RULE + "\n", ContentType.TEXT_PLAIN, HttpStatusCode.BAD_REQUEST));
            return;
        }
        call.respond(new WebSocketUpgrade(call, PROTOCOL, session -> join(room, session)));
    }

    private CompletionStage<Void> join(String room, WebSocketSession session) {
        rooms.join(room, session);
        return new Member(room, session).loop().whenComplete((v, e) -> rooms.leave(room, session));
    }

    /** One member's receive loop (asynchronous: no thread waits for it). */
    private final class Member {

        private final String room;
        private final WebSocketSession session;
        /** The parts of a fragmented text message received so far, or null outside one. */
        private ByteArrayOutputStream partialText;
        private boolean inBinaryMessage;

        Member(String room, WebSocketSession session) {
            this.room = room;
            this.session = session;
        }

        /** Receives frames until the session is over, without a waiting thread (see {@code IncomingFrames.forEach}). */
        CompletionStage<Void> loop() {
            return session.incoming().forEach(frame -> CompletableFuture.completedFuture(handle(frame)));
        }

        /** Returns whether to receive the next frame. */
        private boolean handle(Frame frame) {
            switch (frame.type()) {
                case PING:
                    session.send(Frame.pong(frame.data()));
                    return true;
                case PONG:
                    return true;
                case CLOSE:
                    CloseReason reason = frame.closeReason();
                    session.close(reason != null ? reason : new CloseReason(CloseReason.Codes.NORMAL, ""));
                    return false; // the session flushes the close frame before it ends
                case TEXT:
                    if (frame.fin()) {
                        rooms.broadcast(room, frame.textData());
                    } else {
                        partialText = new ByteArrayOutputStream();
                        append(frame.data());
                    }
                    return true;
                case BINARY:
                    inBinaryMessage = !frame.fin();
                    return true;
                case CONTINUATION:
                    if (inBinaryMessage) {
                        inBinaryMessage = !frame.fin();
                    } else if (partialText != null) {
                        append(frame.data());
                        if (frame.fin()) {
                            String text = partialText.toString(StandardCharsets.UTF_8);
                            partialText = null;
                            rooms.broadcast(room, text);
                        }
                    }
                    return true;
                default:
                    return true;
            }
        }

        private void append(ByteBuffer data) {
            ByteBuffer copy = data.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            partialText.write(bytes, 0, bytes.length);
        }
    }
}
