package io.upgradebridge.websockets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One whole WebSocket message: a text or binary frame, or a fragmented one put back together (and
 * decompressed when permessage-deflate is in use). Text messages are valid UTF-8: the session checked them.
 */
public final class Message {

    /** What a message carries. */
    public enum Type { TEXT, BINARY }

    private final Type type;
    private final ByteBuffer data;

    private Message(Type type, ByteBuffer data) {
        this.type = Objects.requireNonNull(type, "type");
        this.data = data.asReadOnlyBuffer();
    }

    /** A text message. */
    public static Message text(String text) {
        return new Message(Type.TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A binary message of {@code data}'s remaining bytes (not copied: do not change them afterwards). */
    public static Message binary(ByteBuffer data) {
        return new Message(Type.BINARY, data.slice());
    }

    /** A binary message (not copied: do not change the array afterwards). */
    public static Message binary(byte[] data) {
        return new Message(Type.BINARY, ByteBuffer.wrap(data));
    }

    /**
     * A message of either type over {@code data}'s remaining bytes; for {@link Type#TEXT} they must be UTF-8
     * (not checked here).
     */
    public static Message of(Type type, ByteBuffer data) {
        return new Message(type, data.slice());
    }

    public Type type() {
        return type;
    }

    /** The payload, read-only; each call returns a fresh view positioned at the start. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    /** Payload length in bytes. */
    public int length() {
        return data.remaining();
    }

    /** The payload decoded as UTF-8 (for text messages; binary ones are decoded too, with replacement). */
    public String text() {
        return StandardCharsets.UTF_8.decode(data()).toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Message m && m.type == type && m.data.equals(data);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + data.hashCode();
    }

    @Override
    public String toString() {
        return type == Type.TEXT && length() <= 64 ? "Message{TEXT '" + text() + "'}" : "Message{" + type + ", " + length() + " bytes}";
    }
}
