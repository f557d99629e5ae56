package io.upgradebridge.websockets;

import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) as this server offers it. The extension is used only when the client offers
 * it and these settings allow it; an offer the server cannot honour is declined (the handshake succeeds
 * without compression).
 *
 * @param enabled whether the extension may be negotiated at all
 * @param compressionLevel {@link Deflater} level, 0 to 9 or {@link Deflater#DEFAULT_COMPRESSION}
 * @param serverNoContextTakeover always ask for {@code server_no_context_takeover}: the server resets its
 *     compressor after every message, which costs ratio but keeps no 32 KiB window per idle session
 * @param clientNoContextTakeover ask the client for {@code client_no_context_takeover}, so the server can
 *     drop its decompressor's window between messages
 * @param minSizeToCompress messages shorter than this many bytes are sent uncompressed (RSV1 clear)
 */
public record PerMessageDeflate(boolean enabled, int compressionLevel, boolean serverNoContextTakeover,
                                boolean clientNoContextTakeover, int minSizeToCompress) {

    /** Never negotiated. */
    public static final PerMessageDeflate DISABLED = new PerMessageDeflate(false, Deflater.DEFAULT_COMPRESSION, false, false, 0);

    /** Negotiated when offered; default compression level; context takeover as the client offers; every message compressed. */
    public static final PerMessageDeflate ENABLED = new PerMessageDeflate(true, Deflater.DEFAULT_COMPRESSION, false, false, 0);

    public PerMessageDeflate {
        if (compressionLevel != Deflater.DEFAULT_COMPRESSION && (compressionLevel < 0 || compressionLevel > 9)) {
            throw new IllegalArgumentException("compressionLevel must be 0 to 9 or -1 (default): " + compressionLevel);
        }
        if (minSizeToCompress < 0) {
            throw new IllegalArgumentException("minSizeToCompress must not be negative: " + minSizeToCompress);
        }
    }

    public PerMessageDeflate withCompressionLevel(int level) {
        return new PerMessageDeflate(enabled, level, serverNoContextTakeover, clientNoContextTakeover, minSizeToCompress);
    }

    public PerMessageDeflate withServerNoContextTakeover(boolean value) {
        return new PerMessageDeflate(enabled, compressionLevel, value, clientNoContextTakeover, minSizeToCompress);
    }

    public PerMessageDeflate withClientNoContextTakeover(boolean value) {
        return new PerMessageDeflate(enabled, compressionLevel, serverNoContextTakeover, value, minSizeToCompress);
    }

    public PerMessageDeflate withMinSizeToCompress(int bytes) {
        return new PerMessageDeflate(enabled, compressionLevel, serverNoContextTakeover, clientNoContextTakeover, bytes);
    }
}
