package io.upgradebridge.benchmarks.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Bytes in, the same bytes out, through one pooled buffer and no copy: read, write what was read, and while the
 * socket does not take all of it, stop reading (backpressure) and wait for OP_WRITE.
 */
final class TcpEchoConnection extends PooledConnection {

    /** Fill mode; null while nothing is pending. */
    private ByteBuffer buffer;

    TcpEchoConnection(SocketChannel channel, SelectionKey key, BufferPool pool) {
        super(channel, key, pool);
    }

    @Override
    public void ready(SelectionKey ready) throws IOException {
        if (buffer == null) {
            buffer = pool.take();
        }
        for (int round = 0; round < ROUNDS; round++) {
            if (buffer.position() == 0) {
                int n = channel.read(buffer);
                if (n < 0) {
                    close();
                    return;
                }
                if (n == 0) {
                    break;
                }
            }
            buffer.flip();
            channel.write(buffer);
            boolean all = !buffer.hasRemaining();
            buffer.compact();
            if (!all) {
                interest(SelectionKey.OP_WRITE); // the socket is full: read nothing more until it drains
                return;
            }
        }
        buffer = release(buffer);
        interest(SelectionKey.OP_READ);
    }

    @Override
    public void close() {
        closeSocket();
        buffer = release(buffer);
    }
}
