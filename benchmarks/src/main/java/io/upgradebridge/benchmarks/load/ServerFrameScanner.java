package io.upgradebridge.benchmarks.load;

import java.nio.ByteBuffer;

/**
 * Reads the server's (unmasked) frames incrementally without copying payloads: it only needs to know where a
 * message ends. Reports a data message when its final frame (fin on TEXT, BINARY or CONTINUATION) is complete,
 * with the payload bytes of the whole message, and a CLOSE frame when it is complete.
 */
final class ServerFrameScanner {

    /** What the scanner reports. */
    interface Events {
        void onMessage(long payloadBytes);

        void onClose();
    }

    private final byte[] header = new byte[10];
    private int headerHave;
    private int headerNeed = 2;
    private boolean inPayload;
    private long payloadLeft;
    private int opcode;
    private boolean fin;
    private long messageBytes;

    /** Consumes every byte of {@code in} (position to limit). */
    void scan(ByteBuffer in, Events events) {
        while (in.hasRemaining()) {
            if (!inPayload) {
                while (headerHave < headerNeed && in.hasRemaining()) {
                    header[headerHave++] = in.get();
                    if (headerHave == 2) {
                        int length7 = header[1] & 0x7F;
                        headerNeed = length7 == 126 ? 4 : length7 == 127 ? 10 : 2;
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
            in.position(in.position() + skip);
            payloadLeft -= skip;
            if (payloadLeft == 0) {
                endFrame(events);
            }
        }
    }

    private void startPayload() {
        fin = (header[0] & 0x80) != 0;
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
                events.onMessage(bytes);
            }
        } else if (opcode == 0x8) {
            events.onClose();
        }
    }
}
