package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteReadChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@link DrainPort} of a read channel that is not one of the bridge's own (an upgrade handed a channel of the
 * application's making): bytes are copied into a buffer of the port's own with {@link ByteReadChannel#tryRead}, and
 * {@link ByteReadChannel#awaitContent()} makes the signal. One consumer thread at a time, as for every port.
 */
final class ChannelDrainPort implements DrainPort {

    private static final int BUFFER_SIZE = 16 * 1024;

    private final ByteReadChannel channel;
    /** Made on first use; the readable bytes are between its position and limit. */
    private ByteBuffer buffer;
    /** {@link PortState#ENDED} or {@link PortState#FAILED} once the channel said so, else {@code null}. */
    private PortState end;
    private Throwable cause;
    private Runnable signal;
    /** Whether an {@code awaitContent()} is under way (its completion clears it, then signals). */
    private volatile boolean awaiting;

    ChannelDrainPort(ByteReadChannel channel) {
        this.channel = channel;
    }

    @Override
    public ByteBuffer readableSlice() {
        if (buffer == null) {
            buffer = ByteBuffer.allocate(BUFFER_SIZE).flip();
        }
        if (!buffer.hasRemaining() && end == null) {
            fill();
            if (!buffer.hasRemaining() && end == null && !awaiting) {
                awaiting = true;
                channel.awaitContent().whenComplete((more, failure) -> {
                    awaiting = false;
                    Runnable s = signal;
                    if (s != null) {
                        s.run();
                    }
                });
            }
        }
        return buffer.slice();
    }

    private void fill() {
        buffer.compact();
        try {
            if (channel.tryRead(buffer) < 0) {
                end = PortState.ENDED;
            }
        } catch (IOException | RuntimeException e) {
            end = PortState.FAILED;
            cause = Failures.unwrap(e);
        } finally {
            buffer.flip();
        }
    }

    @Override
    public void consume(int n) {
        buffer.position(buffer.position() + n);
    }

    @Override
    public PortState state() {
        if (buffer != null && buffer.hasRemaining()) {
            return PortState.READABLE;
        }
        return end != null ? end : PortState.EMPTY;
    }

    @Override
    public Throwable closedCause() {
        return cause != null ? cause : channel.closedCause();
    }

    @Override
    public void onBytes(Runnable signal) {
        this.signal = signal;
    }

    @Override
    public void releaseIfEmpty() {
        // the port's buffer is small and its own: kept
    }

    @Override
    public String toString() {
        return "ChannelDrainPort{" + state() + ", " + channel + '}';
    }
}
