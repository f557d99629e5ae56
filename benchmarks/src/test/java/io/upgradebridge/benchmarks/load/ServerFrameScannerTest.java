package io.upgradebridge.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator's scanner counts server frames and, for the TCP echo, the client's own masked frames sent
 * back verbatim: the same messages and payload bytes either way, whatever the split of the bytes.
 */
class ServerFrameScannerTest {

    private static final class Recorder implements ServerFrameScanner.Events {
        final List<Long> messages = new ArrayList<>();
        final List<String> payloads = new ArrayList<>();
        int closes;

        @Override
        public void onMessage(long payloadBytes) {
            messages.add(payloadBytes);
        }

        @Override
        public void onMessagePayload(byte[] payload, int length) {
            payloads.add(new String(payload, 0, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onClose() {
            closes++;
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer all = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    /** Feeds {@code bytes} in pieces of {@code step} bytes. */
    private static Recorder scan(byte[] bytes, int step, boolean keep) {
        ServerFrameScanner scanner = new ServerFrameScanner(keep);
        Recorder recorder = new Recorder();
        for (int offset = 0; offset < bytes.length; offset += step) {
            scanner.scan(ByteBuffer.wrap(bytes, offset, Math.min(step, bytes.length - offset)), recorder);
        }
        return recorder;
    }

    @Test
    void countsTheClientsMaskedFramesLikeServerFrames() {
        byte[] masked = concat(ClientFrames.text(64), ClientFrames.binary(70_000), ClientFrames.text(64),
                ClientFrames.close());
        for (int step : new int[] {1, 3, 7, 4096, masked.length}) {
            Recorder recorder = scan(masked, step, false);
            assertEquals(List.of(64L, 70_000L, 64L), recorder.messages, "step " + step);
            assertEquals(1, recorder.closes, "step " + step);
        }
    }

    @Test
    void unmasksTheKeptPayloadOfAMaskedMessage() {
        byte[] hello = "hello, masked world".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = concat(ClientFrames.masked(ClientFrames.TEXT, hello),
                new byte[] {(byte) 0x81, 0x03, 'a', 'b', 'c'}); // and an unmasked server frame after it
        for (int step : new int[] {1, 5, bytes.length}) {
            Recorder recorder = scan(bytes, step, true);
            assertEquals(List.of("hello, masked world", "abc"), recorder.payloads, "step " + step);
        }
    }
}
