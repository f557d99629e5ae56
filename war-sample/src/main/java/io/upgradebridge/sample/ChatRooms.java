package io.upgradebridge.sample;

import io.upgradebridge.sample.cluster.ChatCluster;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The rooms of one chat on this node: who is in which room, and the way to the rooms' members on the other nodes
 * ({@link ChatCluster#broker()}). A client names its room with the query parameter {@code room}
 * ({@code /chat?room=lobby}); without one it is in {@value #DEFAULT_ROOM}. A message goes to every member of its
 * room, the sender included, and to no one else.
 *
 * @param <S> the session type of the chat
 */
final class ChatRooms<S> {

    /** The room of a client that names none. */
    static final String DEFAULT_ROOM = "main";
    /** What a room name may be: also a part of a Redis channel name. */
    static final String ROOM_RULE = "a room name is 1 to 64 letters, digits, '.', '_' or '-'";
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String chat;
    private final BiConsumer<S, String> send;
    private final ConcurrentHashMap<String, Set<S>> rooms = new ConcurrentHashMap<>();

    /**
     * @param chat the chat's name among the nodes ({@code chat}, {@code ws-chat}): each chat's rooms are its own
     * @param send sends a text message to one member without blocking; a member that is gone fails its own send
     */
    ChatRooms(String chat, BiConsumer<S, String> send) {
        this.chat = chat;
        this.send = send;
    }

    /**
     * @param query a request's query string, or {@code null}
     * @return the room it names ({@value #DEFAULT_ROOM} when none), or {@code null} when the name breaks
     *         {@link #ROOM_RULE}
     */
    static String roomOf(String query) {
        if (query == null) {
            return DEFAULT_ROOM;
        }
        String room = null;
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("room=")) {
                room = URLDecoder.decode(parameter.substring(5), StandardCharsets.UTF_8);
                break;
            }
        }
        if (room == null) {
            return DEFAULT_ROOM;
        }
        return ROOM_NAME.matcher(room).matches() ? room : null;
    }

    /** {@code member} joins {@code room}: it gets the room's messages from now on. */
    void join(String room, S member) {
        ChatCluster.broker().subscribe(chat, this::deliver); // the same delivery every time: cheap; survives a new broker
        rooms.compute(room, (name, members) -> {
            Set<S> set = members != null ? members : ConcurrentHashMap.newKeySet();
            set.add(member);
            return set;
        });
    }

    /** {@code member} leaves {@code room}; an empty room is forgotten. */
    void leave(String room, S member) {
        rooms.computeIfPresent(room, (name, members) -> {
            members.remove(member);
            return members.isEmpty() ? null : members;
        });
    }

    /** A member's message: to the room's members here at once, then to the other nodes' (if any). */
    void broadcast(String room, String text) {
        deliver(room, text);
        ChatCluster.broker().publish(chat, room, text);
    }

    /** Sends {@code text} to every member of {@code room} on this node. */
    void deliver(String room, String text) {
        Set<S> members = rooms.get(room);
        if (members != null) {
            for (S member : members) {
                send.accept(member, text);
            }
        }
    }
}
