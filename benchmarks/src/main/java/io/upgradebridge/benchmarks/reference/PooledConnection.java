package io.upgradebridge.benchmarks.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** What both reference connections share: the socket, its key, the selector thread's buffers, closing. */
abstract class PooledConnection implements NioServer.Connection {

    /** Reads per readiness at most: other connections of the same thread get their turn. */
    static final int ROUNDS = 16;

    final SocketChannel channel;
    final SelectionKey key;
    final BufferPool pool;

    PooledConnection(SocketChannel channel, SelectionKey key, BufferPool pool) {
        this.channel = channel;
        this.key = key;
        this.pool = pool;
    }

    /** Sets the key's interest to exactly {@code ops} (OP_READ, or OP_WRITE alone while output is pending). */
    final void interest(int ops) {
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** Gives {@code buffer} back to the pool when there is one; null, to clear the caller's field. */
    final ByteBuffer release(ByteBuffer buffer) {
        if (buffer != null) {
            pool.give(buffer);
        }
        return null;
    }

    /** Closes the socket; the subclass then gives its buffers back. */
    final void closeSocket() {
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
