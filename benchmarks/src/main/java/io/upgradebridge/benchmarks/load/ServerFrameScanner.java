package io.upgradebridge.benchmarks.load;

import java.nio.ByteBuffer;

/**
 * Reads the server's (unmasked) frames incrementally without copying payloads: it only needs to know where a
 * message ends. Reports a data message when its final frame (fin on TEXT, BINARY or CONTINUATION) is complete,
 * with the payload bytes of the whole message, and a CLOSE frame when it is complete. A scenario that reads what
 * the messages say (the chat fan-out) asks for the payloads: then data messages up to {@value #MAX_KEPT} bytes and
 * pings are also handed over, copied into one reused array.
 * <p>
 * Masked frames are read too (4 more header bytes, the mask key; kept payloads are unmasked): the plain TCP echo
 * sends the client's own masked frames back.
 */
final class ServerFrameScanner {

    /** What the scanner reports. */
    interface Events {
        void onMessage(long payloadBytes);

        void onClose();

        /** With payloads kept: the whole message's payload, {@code length} bytes of {@code payload}, before {@link #onMessage}. */
        default void onMessagePayload(byte[] payload, int length) {
        }

        /** With payloads kept: a ping's payload. */
        default void onPing(byte[] payload, int length) {
        }
    }

    /** Payloads kept up to this size; a bigger message is reported with its first bytes only. */
    static final int MAX_KEPT = 4096;

    private final byte[] header = new byte[14];
    private int headerHave;
    private int headerNeed = 2;
    private boolean inPayload;
    private long payloadLeft;
    private int opcode;
    private boolean fin;
    private boolean masked;
    /** Payload bytes of the current frame already scanned (for the mask's position). */
    private long frameOffset;
    private long messageBytes;
    private final byte[] kept;
    private int keptLength;
    private int pingStart;

    ServerFrameScanner() {
        this(false);
    }

    /** @param keepPayloads whether to hand over the payloads of data messages and pings */
    ServerFrameScanner(boolean keepPayloads) {
        kept = keepPayloads ? new byte[MAX_KEPT] : null;
    }

    /** Consumes every byte of {@code in} (position to limit). */
    void scan(ByteBuffer in, Events events) {
        while (in.hasRemaining()) {
            if (!inPayload) {
                while (headerHave < headerNeed && in.hasRemaining()) {
                    header[headerHave++] = in.get();
                    if (headerHave == 2) {
                        int length7 = header[1] & 0x7F;
                        int maskKey = (header[1] & 0x80) != 0 ? 4 : 0;
                        headerNeed = (length7 == 126 ? 4 : length7 == 127 ? 10 : 2) + maskKey;
                    }
                }
                if (headerHave < headerNeed) {
                    return;
                }
                startPayload();
                if (payloadLeft == 0) {
                    endFrame(events);
                }
                continue;
            }
            int skip = (int) Math.min(in.remaining(), payloadLeft);
            if (kept != null) {
                int copy = Math.min(skip, kept.length - keptLength);
                in.get(in.position(), kept, keptLength, copy);
                if (masked) {
                    for (int i = 0; i < copy; i++) {
                        kept[keptLength + i] ^= header[headerNeed - 4 + (int) ((frameOffset + i) & 3)];
                    }
                }
                keptLength += copy;
            }
            in.position(in.position() + skip);
            payloadLeft -= skip;
            frameOffset += skip;
            if (payloadLeft == 0) {
                endFrame(events);
            }
        }
    }

    private void startPayload() {
        fin = (header[0] & 0x80) != 0;
        masked = (header[1] & 0x80) != 0;
        frameOffset = 0;
        opcode = header[0] & 0x0F;
        int length7 = header[1] & 0x7F;
        long length;
        if (length7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        } else if (length7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
        } else {
            length = length7;
        }
        payloadLeft = length;
        if (opcode < 0x8) {
            messageBytes += length;
        } else if (kept != null) {
            pingStart = keptLength; // a control frame may come between the fragments of a message
        }
        inPayload = true;
    }

    private void endFrame(ServerFrameScanner.Events events) {
        inPayload = false;
        headerHave = 0;
        headerNeed = 2;
        if (opcode < 0x8) {
            if (fin) {
                long bytes = messageBytes;
                messageBytes = 0;
                if (kept != null) {
                    events.onMessagePayload(kept, keptLength);
                    keptLength = 0;
                }
                events.onMessage(bytes);
            }
        } else {
            if (kept != null) {
                if (opcode == 0x9) {
                    events.onPing(java.util.Arrays.copyOfRange(kept, pingStart, keptLength), keptLength - pingStart);
                }
                keptLength = pingStart; // a control frame's payload is not part of the message around it
            }
            if (opcode == 0x8) {
                events.onClose();
            }
        }
    }
}
