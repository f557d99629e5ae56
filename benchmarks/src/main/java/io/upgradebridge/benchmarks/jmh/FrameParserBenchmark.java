package io.upgradebridge.benchmarks.jmh;

import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.internal.FrameParser;
import io.upgradebridge.websocket.internal.FrameWriter;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The server's {@link FrameParser} on one masked client BINARY frame of {@code size} payload bytes, whole in a
 * heap buffer (as a socket read leaves it): header, checks and unmasking in place. Unmasking is XOR: the next call
 * unmasks the same bytes again and so masks them back, the same work each time, with no copy between calls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameParserBenchmark {

    @Param({"16", "1024", "65536"})
    public int size;

    private ByteBuffer wire;
    private FrameParser parser;

    @Setup
    public void setUp() {
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        // the project's client writer masks with a key from this Random (never 0, so unmasking really runs)
        ByteBuffer encoded = new FrameWriter(new Random(7)).encode(Frame.binary(payload, true));
        wire = ByteBuffer.allocate(encoded.remaining());
        wire.put(encoded).flip();
        parser = FrameParser.forServer(Long.MAX_VALUE);
    }

    @Benchmark
    public Frame parseMasked() throws Exception {
        wire.position(0);
        return parser.parse(wire);
    }
}
