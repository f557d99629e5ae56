package io.upgradebridge.sample;

import io.upgradebridge.sample.cluster.ChatCluster;
import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.Message;
import io.upgradebridge.websockets.WebSocketHandler;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /ws/chat}: the chat of {@link ChatServlet} (subprotocol {@code chat}; every text message goes to every
 * member, the sender included; binary messages are ignored) on the default session, which deals with pings,
 * fragments and the close handshake. One instance per route, so per deployment; a session joins when its handler
 * starts and leaves when it ends, however it ends.
 *
 * <p>With {@link SampleSettings#CHAT_REDIS} set, the chat spans every node of the application
 * ({@link ChatCluster}, room {@value #ROOM}); without it, the chat is this node's alone.
 */
public class ChatRoom implements WebSocketHandler {

    /** The subprotocol of the chat. */
    public static final String PROTOCOL = "chat";
    /** The room of this chat in the cluster (the raw-session chat is another room). */
    public static final String ROOM = "ws-chat";

    private final Set<DefaultWebSocketSession> members = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<?> handle(DefaultWebSocketSession session) {
        ChatCluster.broker().subscribe(ROOM, this::deliver); // the same delivery every time: cheap, and it survives a new broker
        members.add(session);
        return session.incoming().forEach(message -> {
            if (message.type() == Message.Type.TEXT) {
                broadcast(message.text());
            }
            return CompletableFuture.completedFuture(true);
        }).whenComplete((done, failure) -> members.remove(session));
    }

    /** A member's message: to every member here, then to the other nodes (if any). */
    private void broadcast(String text) {
        deliver(text);
        ChatCluster.broker().publish(ROOM, text);
    }

    /** Sends {@code text} to every member; each send is bounded by that member's output buffer. */
    private void deliver(String text) {
        Message message = Message.text(text);
        for (DefaultWebSocketSession member : members) {
            member.send(message); // a member that is gone fails its own send; it leaves the set when it ends
        }
    }
}
