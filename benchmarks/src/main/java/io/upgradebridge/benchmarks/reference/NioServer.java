package io.upgradebridge.benchmarks.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A plain NIO server on 127.0.0.1: a few selector threads, each owning its connections and a {@link BufferPool};
 * the first also accepts and hands new connections round-robin to all of them. Everything a connection does runs
 * on its selector thread (no other thread, no locks).
 */
final class NioServer implements AutoCloseable {

    /** One connection's logic, called on its selector thread. */
    interface Connection {
        /** The key is ready (readable, writable or both). An exception closes the connection. */
        void ready(SelectionKey key) throws IOException;

        /** Closes the socket and gives the buffers back; called once, also when {@link #ready} threw. */
        void close();
    }

    /** Makes the logic of a newly accepted connection (already registered, interested in reading). */
    interface ConnectionFactory {
        Connection create(SocketChannel channel, SelectionKey key, BufferPool pool);
    }

    private final ServerSocketChannel server;
    private final List<Loop> loops = new ArrayList<>();
    private final ConnectionFactory factory;
    private int next;

    private NioServer(ServerSocketChannel server, int selectors, ConnectionFactory factory, String name)
            throws IOException {
        this.server = server;
        this.factory = factory;
        for (int i = 0; i < selectors; i++) {
            loops.add(new Loop(name + "-selector-" + i));
        }
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port) with {@code selectors} selector threads. */
    static NioServer start(int port, int selectors, String name, ConnectionFactory factory) throws IOException {
        if (selectors < 1) {
            throw new IllegalArgumentException("selectors must be at least 1, not " + selectors);
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        server.configureBlocking(false);
        NioServer nio = new NioServer(server, selectors, factory, name);
        server.register(nio.loops.get(0).selector, SelectionKey.OP_ACCEPT, null);
        for (Loop loop : nio.loops) {
            loop.thread.start();
        }
        return nio;
    }

    int port() {
        return server.socket().getLocalPort();
    }

    int selectors() {
        return loops.size();
    }

    @Override
    public void close() throws IOException {
        for (Loop loop : loops) {
            loop.running = false;
            loop.selector.wakeup();
        }
        for (Loop loop : loops) {
            try {
                loop.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.close();
    }

    /** Called on the first loop's thread: takes every pending connection. */
    private void acceptAll() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Loop loop = loops.get(next);
            next = (next + 1) % loops.size();
            loop.incoming.add(channel);
            if (loop != loops.get(0)) {
                loop.selector.wakeup();
            }
        }
    }

    private final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final BufferPool pool = new BufferPool();
        final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
        volatile boolean running = true;

        Loop(String name) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, name);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select();
                    registerIncoming();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            acceptAll();
                        } else {
                            Connection connection = (Connection) key.attachment();
                            try {
                                connection.ready(key);
                            } catch (IOException | RuntimeException e) {
                                connection.close();
                            }
                        }
                    }
                    registerIncoming(); // what this thread accepted for itself
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                for (SelectionKey key : selector.keys()) {
                    if (key.attachment() instanceof Connection connection) {
                        connection.close();
                    }
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // stopping anyway
                }
            }
        }

        private void registerIncoming() throws IOException {
            SocketChannel channel;
            while ((channel = incoming.poll()) != null) {
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                key.attach(factory.create(channel, key, pool));
            }
        }
    }
}
