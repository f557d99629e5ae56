package io.upgradebridge.websockets.internal;

import static io.upgradebridge.websockets.internal.DeflateTestSupport.bytes;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.noise;
import static io.upgradebridge.websockets.internal.DeflateTestSupport.words;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.upgradebridge.websocket.WebSocketProtocolException;
import io.upgradebridge.websockets.PerMessageDeflate;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MessageDeflater to MessageInflater, as negotiated, over many messages and frame splits. */
class DeflateRoundTripTest {

    private static DeflateAgreement agreement(String offer) {
        return DeflateAgreement.negotiate(List.of(offer), PerMessageDeflate.ENABLED).orElseThrow();
    }

    private static byte[] message(Random random, int index) {
        return switch (index % 6) {
            case 0 -> new byte[0];
            case 1 -> noise(random, random.nextInt(3000));
            case 2 -> words(random, 70_000 + random.nextInt(10_000)); // longer than the 32 KiB window
            default -> words(random, random.nextInt(4000));
        };
    }

    /** Splits {@code data} into 1 to 5 pieces at random places, some possibly empty. */
    private static List<ByteBuffer> pieces(Random random, byte[] data) {
        int count = 1 + random.nextInt(5);
        int[] cuts = new int[count + 1];
        cuts[count] = data.length;
        for (int i = 1; i < count; i++) {
            cuts[i] = random.nextInt(data.length + 1);
        }
        Arrays.sort(cuts, 1, count);
        List<ByteBuffer> pieces = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pieces.add(ByteBuffer.wrap(data, cuts[i], cuts[i + 1] - cuts[i]).slice());
        }
        return pieces;
    }

    /*
     * A real session pairs its deflater with the client's inflater and the client's deflater with its own
     * inflater; here one side's compressor feeds the decompressor with the same context takeover.
     */

    @ParameterizedTest(name = "no context takeover: {0}")
    @ValueSource(booleans = {false, true})
    void manyWholeMessages(boolean noContextTakeover) throws WebSocketProtocolException {
        Random random = new Random(noContextTakeover ? 1 : 2);
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, noContextTakeover);
             MessageInflater inflater = new MessageInflater(noContextTakeover)) {
            for (int index = 0; index < 60; index++) {
                byte[] data = message(random, index);
                ByteBuffer payload = deflater.deflate(ByteBuffer.wrap(data), true);
                assertTrue(payload.hasRemaining(), "every message has at least one byte: " + index);
                assertArrayEquals(data, bytes(inflater.inflate(payload, true, data.length)), "message " + index);
            }
        }
    }

    @Test
    void theAgreementsBothDirectionsRoundTripWhenBothSidesDropTheirContext() throws WebSocketProtocolException {
        DeflateAgreement agreement = agreement("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        Random random = new Random(3);
        try (MessageDeflater deflater = agreement.newDeflater(); MessageInflater inflater = agreement.newInflater()) {
            for (int index = 0; index < 30; index++) {
                byte[] data = message(random, index);
                ByteBuffer payload = deflater.deflate(ByteBuffer.wrap(data), true);
                assertArrayEquals(data, bytes(inflater.inflate(payload, true, data.length)), "message " + index);
            }
        }
    }

    @ParameterizedTest(name = "no context takeover: {0}")
    @ValueSource(booleans = {false, true})
    void messagesSentInSeveralFramesAndReadInOthers(boolean noContextTakeover) throws WebSocketProtocolException {
        Random random = new Random(noContextTakeover ? 4 : 5);
        try (MessageDeflater deflater = new MessageDeflater(Deflater.DEFAULT_COMPRESSION, noContextTakeover);
             MessageInflater inflater = new MessageInflater(noContextTakeover)) {
            for (int index = 0; index < 60; index++) {
                byte[] data = message(random, index);
                // Sent in several frames...
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                List<ByteBuffer> sent = pieces(random, data);
                for (int i = 0; i < sent.size(); i++) {
                    wire.writeBytes(bytes(deflater.deflate(sent.get(i), i == sent.size() - 1)));
                }
                // ...and received in frames cut elsewhere, each inflated as it comes.
                List<ByteBuffer> received = pieces(random, wire.toByteArray());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = 0; i < received.size(); i++) {
                    long left = data.length - out.size();
                    out.writeBytes(bytes(inflater.inflate(received.get(i), i == received.size() - 1, left)));
                }
                assertArrayEquals(data, out.toByteArray(), "message " + index);
            }
        }
    }

    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {-1, 0, 1, 9})
    void everyLevelRoundTrips(int level) throws WebSocketProtocolException {
        DeflateAgreement agreement = DeflateAgreement.negotiate(List.of("permessage-deflate"),
                PerMessageDeflate.ENABLED.withCompressionLevel(level)).orElseThrow();
        Random random = new Random(level);
        try (MessageDeflater deflater = agreement.newDeflater(); MessageInflater inflater = agreement.newInflater()) {
            for (int index = 0; index < 12; index++) {
                byte[] data = message(random, index);
                ByteBuffer payload = deflater.deflate(ByteBuffer.wrap(data), true);
                assertArrayEquals(data, bytes(inflater.inflate(payload, true, data.length)), "message " + index);
            }
        }
    }
}
