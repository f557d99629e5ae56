package io.upgradebridge.io.internal;

import io.upgradebridge.io.ByteReadChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** {@link InputStream} over a {@link ByteReadChannel}: each read waits until bytes arrive. */
final class BlockingInputStream extends InputStream {

    private final ByteReadChannel channel;

    BlockingInputStream(ByteReadChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        ByteBuffer dst = ByteBuffer.wrap(b, off, len);
        int n = channel.tryRead(dst);
        if (n != 0) {
            return n;
        }
        return Await.result(channel.read(dst));
    }

    @Override
    public int available() {
        return channel.availableForRead();
    }

    /** Cancels the channel: the reader is done with it. */
    @Override
    public void close() {
        channel.cancel(null);
    }
}
