package io.upgradebridge.sample;

import io.upgradebridge.sample.cluster.ChatCluster;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.WebSocketHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /ws/chat}: the chat of {@link ChatServlet} (subprotocol {@code chat}; every text message goes to every
 * member of its room, the sender included: {@code /ws/chat?room=lobby}, else {@code main}; binary messages are
 * ignored) on the default session, which deals with pings, fragments and the close handshake. One instance per
 * route, so per deployment; a session joins when its handler starts and leaves when it ends, however it ends. A room
 * name that breaks {@link ChatRooms#ROOM_RULE} closes the session with 1008 (the handshake is over when the handler
 * runs).
 *
 * <p>With {@link SampleSettings#CHAT_REDIS} set, the chat spans every node of the application
 * ({@link ChatCluster}, chat {@value #CHAT}); without it, the chat is this node's alone.
 */
public class ChatRoom implements WebSocketHandler {

    /** The subprotocol of the chat. */
    public static final String PROTOCOL = "chat";
    /** The name of this chat among the nodes (the raw-session chat is another one, with rooms of its own). */
    public static final String CHAT = "ws-chat";

    /** Each send is bounded by the member's output buffer; a member that is gone fails its own send. */
    private final ChatRooms<DefaultWebSocketSession> rooms = new ChatRooms<>(CHAT,
        (member, text) -> member.send(Message.text(text)));

    @Override
    public CompletionStage<?> handle(DefaultWebSocketSession session) {
        String uri = session.call().uri();
        int query = uri.indexOf('?');
        String room = ChatRooms.roomOf(query < 0 ? null : uri.substring(query + 1));
        if (room == null) {
            return session.close(new CloseReason(CloseReason.Codes.VIOLATED_POLICY, ChatRooms.ROOM_RULE));
        }
        rooms.join(room, session);
        return session.incoming().forEach(message -> {
            if (message.type() == Message.Type.TEXT) {
                rooms.broadcast(room, message.text());
            }
            return CompletableFuture.completedFuture(true);
        }).whenComplete((done, failure) -> rooms.leave(room, session));
    }
}
