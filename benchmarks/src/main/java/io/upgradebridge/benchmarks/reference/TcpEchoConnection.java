package io.upgradebridge.benchmarks.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Bytes in, the same bytes out, through one pooled buffer and no copy: read, write what was read, and while the
 * socket does not take all of it, stop reading (backpressure) and wait for OP_WRITE.
 */
final class TcpEchoConnection implements NioServer.Connection {

    /** Reads and writes per readiness at most: other connections of the same thread get their turn. */
    private static final int ROUNDS = 16;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final BufferPool pool;
    /** Fill mode; null while nothing is pending. */
    private ByteBuffer buffer;

    TcpEchoConnection(SocketChannel channel, SelectionKey key, BufferPool pool) {
        this.channel = channel;
        this.key = key;
        this.pool = pool;
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
        pool.give(buffer);
        buffer = null;
        interest(SelectionKey.OP_READ);
    }

    private void interest(int ops) {
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    @Override
    public void close() {
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (buffer != null) {
            pool.give(buffer);
            buffer = null;
        }
    }
}
