package io.upgradebridge.content;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable set of HTTP headers: the Java form of Ktor's {@code io.ktor.http.Headers}, the type of
 * {@code OutgoingContent.headers}.
 *
 * <p>Names are compared without regard to case ({@code content-type} and {@code Content-Type} are the
 * same header) and keep the spelling they were first added with. A name may have several values. Names
 * keep the order they were first added in, and values keep the order they were added in.
 *
 * <p>Every name is checked to be an HTTP token and every value to be free of CR, LF and NUL when it is
 * added through the {@link Builder}, so a {@code Headers} can always be written to a response as is.
 */
public final class Headers {

    /** No headers at all; Ktor's {@code Headers.Empty}. */
    public static final Headers EMPTY = new Headers(new String[0], new Object[0]);

    // Kept compact (a session keeps the copied request headers for its whole life): two arrays, the name of
    // header i as first spelled and its value (a String when it has one, an immutable List<String> otherwise).
    // Lookups compare names ignoring case, one by one: HTTP messages have a few dozen headers at most.
    private final String[] names;
    private final Object[] values;

    private Headers(String[] names, Object[] values) {
        this.names = names;
        this.values = values;
    }

    private int indexOf(String name) {
        Objects.requireNonNull(name, "header name");
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private List<String> valuesAt(int i) {
        Object v = values[i];
        return v instanceof String ? List.of((String) v) : (List<String>) v;
    }

    private String firstValueAt(int i) {
        Object v = values[i];
        return v instanceof String ? (String) v : valuesAt(i).get(0);
    }

    /**
     * Headers from name/value pairs: {@code Headers.of("Cache-Control", "no-cache", "Vary", "Accept")}.
     * A name given twice gets both values.
     *
     * @throws IllegalArgumentException when the number of arguments is odd, or a name or value is invalid
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Headers.of takes name/value pairs, but got an odd number ("
                    + namesAndValues.length + ") of arguments; add the missing value");
        }
        Builder builder = new Builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.append(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts with these headers, to derive changed headers from them. */
    public Builder toBuilder() {
        return new Builder().appendAll(this);
    }

    /** The first value of header {@code name}, or {@code null} when there is none. */
    public String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : firstValueAt(i);
    }

    /** Every value of header {@code name} in the order they were added; an empty list when there is none. */
    public List<String> getAll(String name) {
        int i = indexOf(name);
        return i < 0 ? List.of() : valuesAt(i);
    }

    /** The header names, each in the spelling it was first added with, in the order they were first added. */
    public Set<String> names() {
        Set<String> result = new LinkedHashSet<>();
        Collections.addAll(result, names);
        return Collections.unmodifiableSet(result);
    }

    /** Whether there is at least one value for header {@code name}. */
    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** Whether header {@code name} has exactly the value {@code value} (values are compared with case). */
    public boolean contains(String name, String value) {
        return getAll(name).contains(value);
    }

    /** Whether there are no headers. */
    public boolean isEmpty() {
        return names.length == 0;
    }

    /** Number of distinct header names. */
    public int size() {
        return names.length;
    }

    /** Calls {@code action} once per header name, with every value of that header, in order. */
    public void forEach(BiConsumer<String, List<String>> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], valuesAt(i));
        }
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Headers)) {
            return false;
        }
        Headers that = (Headers) other;
        if (names.length != that.names.length) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            int j = that.indexOf(names[i]);
            if (j < 0 || !that.valuesAt(j).equals(valuesAt(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < names.length; i++) {
            hash += key(names[i]).hashCode() ^ valuesAt(i).hashCode();
        }
        return hash;
    }

    /** Shows the headers as {@code Headers[Name=[v1, v2], Other=[v]]}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Headers[");
        boolean first = true;
        for (int i = 0; i < names.length; i++) {
            if (!first) {
                text.append(", ");
            }
            first = false;
            text.append(names[i]).append('=').append(valuesAt(i));
        }
        return text.append(']').toString();
    }

    private static String key(String name) {
        Objects.requireNonNull(name, "header name");
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * Collects headers for a {@link Headers}: the Java form of Ktor's {@code HeadersBuilder}. Not
     * thread-safe; {@link #build()} takes a snapshot, so the builder can go on being used afterwards.
     */
    public static final class Builder {

        // The same layout as Headers (a request copy or a response builds one per call): the name of header i as
        // first spelled, and its value (a String when it has one, a mutable ArrayList<String> otherwise). Found by
        // comparing names one by one, as Headers does: no lower-cased key, map entry or list per header.
        private String[] names = new String[8];
        private Object[] values = new Object[8];
        private int size;

        /** A new, empty builder; the same as {@link Headers#builder()}. */
        public Builder() {
        }

        /**
         * Where header {@code name} is, or -1. Stored names are tokens (ASCII), for which ignoring case is comparing
         * in lower case ({@code Locale.ROOT}); a name with other characters is compared that way itself.
         */
        private int indexOf(String name) {
            Objects.requireNonNull(name, "header name");
            if (isAscii(name)) {
                for (int i = 0; i < size; i++) {
                    if (names[i].equalsIgnoreCase(name)) {
                        return i;
                    }
                }
                return -1;
            }
            String key = key(name);
            for (int i = 0; i < size; i++) {
                if (key(names[i]).equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean isAscii(String name) {
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }

        private void add(String name, String value) {
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
        }

        /**
         * Adds {@code value} after the values header {@code name} already has.
         *
         * @throws IllegalArgumentException when {@code name} is not an HTTP token or {@code value} holds
         *     CR, LF or NUL
         */
        @SuppressWarnings("unchecked")
        public Builder append(String name, String value) {
            checkName(name);
            checkValue(name, value);
            int i = indexOf(name);
            if (i < 0) {
                add(name, value);
            } else if (values[i] instanceof String) {
                List<String> both = new ArrayList<>(2);
                both.add((String) values[i]);
                both.add(value);
                values[i] = both;
            } else {
                ((List<String>) values[i]).add(value);
            }
            return this;
        }

        /**
         * Makes {@code value} the only value of header {@code name}. A header that was already there keeps
         * its place in the order and takes the new spelling of the name.
         *
         * @throws IllegalArgumentException when {@code name} is not an HTTP token or {@code value} holds
         *     CR, LF or NUL
         */
        public Builder set(String name, String value) {
            checkName(name);
            checkValue(name, value);
            int i = indexOf(name);
            if (i < 0) {
                add(name, value);
            } else {
                names[i] = name;
                values[i] = value;
            }
            return this;
        }

        /** Removes every value of header {@code name}; nothing happens when there is none. */
        public Builder remove(String name) {
            int i = indexOf(name);
            if (i >= 0) {
                System.arraycopy(names, i + 1, names, i, size - i - 1);
                System.arraycopy(values, i + 1, values, i, size - i - 1);
                size--;
                names[size] = null;
                values[size] = null;
            }
            return this;
        }

        /** Adds every value of every header in {@code headers}, after the values already here. */
        public Builder appendAll(Headers headers) {
            for (int i = 0; i < headers.names.length; i++) {
                Object v = headers.values[i];
                if (v instanceof String) {
                    append(headers.names[i], (String) v);
                } else {
                    for (String value : headers.valuesAt(i)) {
                        append(headers.names[i], value);
                    }
                }
            }
            return this;
        }

        /** The first value of header {@code name} collected so far, or {@code null}. */
        @SuppressWarnings("unchecked")
        public String get(String name) {
            int i = indexOf(name);
            if (i < 0) {
                return null;
            }
            Object v = values[i];
            return v instanceof String ? (String) v : ((List<String>) v).get(0);
        }

        /** Whether header {@code name} has a value so far. */
        public boolean contains(String name) {
            return indexOf(name) >= 0;
        }

        /** The headers collected so far, as an immutable {@link Headers}. */
        @SuppressWarnings("unchecked")
        public Headers build() {
            if (size == 0) {
                return EMPTY;
            }
            Object[] snapshot = Arrays.copyOf(values, size);
            for (int i = 0; i < size; i++) {
                if (!(snapshot[i] instanceof String)) {
                    snapshot[i] = List.copyOf((List<String>) snapshot[i]); // the builder goes on adding to its own list
                }
            }
            return new Headers(Arrays.copyOf(names, size), snapshot);
        }

        private static void checkName(String name) {
            HttpSyntax.requireToken(name, "Header name");
        }

        private static void checkValue(String name, String value) {
            HttpSyntax.requireFieldValue(value, "Value of header ", name);
        }
    }
}
