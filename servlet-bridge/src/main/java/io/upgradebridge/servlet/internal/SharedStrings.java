package io.upgradebridge.servlet.internal;

/**
 * A small table of recently copied request strings (header values, request URIs), so that thousands of live
 * sessions that were opened with the same {@code Host}, {@code Upgrade: websocket} or path keep one copy of each
 * instead of one per session. Bounded: {@value #SLOTS} slots, strings up to {@value #MAX_LENGTH} characters; a new
 * string takes its slot over.
 */
public final class SharedStrings {

    private static final int SLOTS = 256;
    private static final int MAX_LENGTH = 64;

    // race: threads read and replace slots without a lock; a String is safe to share that way (final fields), and a
    // lost replacement only means one more copy
    private static final String[] TABLE = new String[SLOTS];

    private SharedStrings() {
    }

    /** An equal string: the one in the table when it holds one, else {@code s} (which it then holds). */
    public static String shared(String s) {
        if (s == null || s.length() > MAX_LENGTH) {
            return s;
        }
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        String known = TABLE[slot];
        if (s.equals(known)) {
            return known;
        }
        TABLE[slot] = s;
        return s;
    }
}
