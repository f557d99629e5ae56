package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteWriteChannel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** {@link OutputStream} over a {@link ByteWriteChannel}: each write waits until every byte is taken. */
final class BlockingOutputStream extends OutputStream {

    private final ByteWriteChannel channel;

    BlockingOutputStream(ByteWriteChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        channel.tryWrite(src);
        if (src.hasRemaining()) {
            Await.result(channel.write(src));
        }
    }

    @Override
    public void flush() throws IOException {
        Await.result(channel.flush());
    }

    /** Ends the stream normally (bytes already written are still delivered). */
    @Override
    public void close() {
        channel.close();
    }
}
