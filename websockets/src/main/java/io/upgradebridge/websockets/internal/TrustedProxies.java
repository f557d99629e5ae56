package io.upgradebridge.websockets.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The addresses of the reverse proxies whose {@code Forwarded} / {@code X-Forwarded-*} headers the application
 * believes: IP literals ({@code 10.0.0.7}, {@code ::1}) or CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}). Host
 * names are refused (no name is ever looked up). Immutable.
 */
public final class TrustedProxies {

    /** Trusts nobody: forwarded headers are ignored. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * @param entries IP literals or CIDR blocks
     * @throws IllegalArgumentException for an entry that is neither, naming it
     */
    public static TrustedProxies of(Set<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            blocks.add(Block.parse(entry));
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(blocks));
    }

    /** Checks {@code entry} the way {@link #of} does, and returns it trimmed and lower case. */
    public static String validate(String entry) {
        Block.parse(entry);
        return entry.trim().toLowerCase(Locale.ROOT);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /**
     * @param address an IP literal as a container reports a peer ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1},
     *                {@code [::1]}), or anything else (then never trusted)
     * @return whether it lies in one of the trusted blocks
     */
    public boolean trusts(String address) {
        if (blocks.isEmpty() || address == null) {
            return false;
        }
        byte[] bytes = literal(address.trim());
        if (bytes == null) {
            return false;
        }
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes of an IPv4 or IPv6 literal (brackets allowed around IPv6), or {@code null} when {@code text} is not
     * one. Never looks a name up: only strings made of address characters reach {@link InetAddress#getByName}.
     */
    static byte[] literal(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (s.isEmpty()) {
            return null;
        }
        boolean ipv6 = s.indexOf(':') >= 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.'
                || (ipv6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return null;
            }
        }
        if (!ipv6 && s.chars().filter(c -> c == '.').count() != 3) {
            return null; // "10" or "10.1" would be read as numbers by InetAddress: not what anyone means
        }
        try {
            byte[] bytes = InetAddress.getByName(s).getAddress();
            if (bytes.length == 16 && isIpv4Mapped(bytes)) {
                byte[] v4 = new byte[4];
                System.arraycopy(bytes, 12, v4, 0, 4);
                return v4;
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    @Override
    public String toString() {
        return blocks.toString();
    }

    /** One address block: the first {@code bits} bits of {@code network}. */
    private record Block(byte[] network, int bits, String text) {

        static Block parse(String entry) {
            String trimmed = entry == null ? "" : entry.trim();
            int slash = trimmed.indexOf('/');
            String address = slash >= 0 ? trimmed.substring(0, slash) : trimmed;
            byte[] network = literal(address);
            if (network == null) {
                throw new IllegalArgumentException("a trusted proxy is an IP address or a CIDR block (10.0.0.0/8), "
                    + "not '" + entry + "'");
            }
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("the prefix length of '" + entry + "' must be 0 to "
                        + network.length * 8);
                }
            }
            return new Block(network, bits, trimmed);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
