package io.upgradebridge.sample.annotations;

import io.upgradebridge.sample.ChatRoom;
import io.upgradebridge.websockets.WebSocketEndpoint;

/** {@code /ws/chat} of the annotations WAR: {@link ChatRoom}, subprotocol {@code chat}, found by its annotation. */
@WebSocketEndpoint(value = "/ws/chat", protocol = ChatRoom.PROTOCOL)
public class ChatEndpoint extends ChatRoom {
}
