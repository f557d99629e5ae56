package io.upgradebridge.benchmarks.jmh;

import io.upgradebridge.websocket.Frame;
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
 * The server's {@link FrameWriter} (unmasked) on one BINARY frame of {@code size} payload bytes: copied with its
 * header into an output buffer ({@code write}), or as header plus a view of the payload for a gathering write
 * ({@code encodeForGatheringWrite}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameWriterBenchmark {

    @Param({"16", "1024", "65536"})
    public int size;

    private final FrameWriter writer = new FrameWriter();
    private Frame frame;
    private ByteBuffer out;

    @Setup
    public void setUp() {
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        frame = Frame.binary(payload, true);
        out = ByteBuffer.allocate(FrameWriter.MAX_HEADER_SIZE + size);
    }

    @Benchmark
    public ByteBuffer writeCopy() {
        out.clear();
        writer.write(frame, out);
        return out;
    }

    @Benchmark
    public ByteBuffer[] encodeForGatheringWrite() {
        return writer.encodeForGatheringWrite(frame);
    }
}
