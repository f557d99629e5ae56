package io.upgradebridge.sample.cluster;

import java.util.function.BiConsumer;

/**
 * Carries a node's chat messages to the other nodes of the application and theirs to it. A chat ({@code chat},
 * {@code ws-chat}) has rooms; the rooms deliver their own members' messages locally first and then {@link #publish}
 * them; the broker hands every message another node published to the chat's {@link #subscribe delivery}.
 * {@link #LOCAL} is the in-process chat: nothing leaves the node.
 */
public interface ChatBroker extends AutoCloseable {

    /** No other nodes: the chat of one node. */
    ChatBroker LOCAL = new ChatBroker() {
        @Override
        public void publish(String chat, String room, String text) {
        }

        @Override
        public void subscribe(String chat, BiConsumer<String, String> delivery) {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "in-process chat";
        }
    };

    /**
     * Sends {@code text}, which a member of this node sent to {@code room} of {@code chat}, to the other nodes, after
     * the messages this node published before it (so each sender's messages arrive in order). Never blocks; a message
     * that cannot be sent now is dropped (the room's local members have it already).
     *
     * @param room a room name without {@code ':'}
     */
    void publish(String chat, String room, String text);

    /**
     * {@code delivery} gets {@code (room, text)}, in order, for the messages other nodes publish to {@code chat};
     * replaces an earlier one.
     */
    void subscribe(String chat, BiConsumer<String, String> delivery);

    /** Stops talking to the other nodes and ends the broker's threads. */
    @Override
    void close();
}
