package io.upgradebridge.content;

import java.util.Objects;

/**
 * A typed key for {@link OutgoingContent#getProperty} and {@link OutgoingContent#setProperty}: the Java
 * form of Ktor's {@code io.ktor.util.AttributeKey}.
 *
 * <p>Keys are equal only to themselves: two keys with the same name are still different keys, so keep
 * each key in a constant and share the constant.
 *
 * @param <T> the type of the value stored under this key
 */
public final class AttributeKey<T> {

    private final String name;

    /** A new key; {@code name} only shows in {@link #toString()} and need not be unique. */
    public AttributeKey(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The name given at creation. */
    public String name() {
        return name;
    }

    /** {@code AttributeKey: name}, as in Ktor. */
    @Override
    public String toString() {
        return "AttributeKey: " + name;
    }
}
