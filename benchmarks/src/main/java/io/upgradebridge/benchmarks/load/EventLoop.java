package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * One selector thread driving every connection of a scenario (WebSocket connections, or plain TCP ones against the
 * TCP echo). {@link #run} is bounded by a deadline; between
 * selects it calls the scenario's tick (timers, phase changes) at most every {@code tickMillis}.
 */
final class EventLoop implements AutoCloseable {

    private final Selector selector;
    private final InetSocketAddress server;
    private final byte[] upgradeRequest;
    private final ThreadWatch threads;
    private int nextId;

    EventLoop(int port, String path) throws IOException {
        this(port, ClientFrames.upgradeRequest(port, path), null);
    }

    /** The scenario's server; raw settings open plain TCP connections (no upgrade request). */
    EventLoop(Settings settings) throws IOException {
        this(settings.port(), settings.raw() ? null : ClientFrames.upgradeRequest(settings.port(), settings.path()),
                settings.threads());
    }

    private EventLoop(int port, byte[] upgradeRequest, ThreadWatch threads) throws IOException {
        selector = Selector.open();
        server = new InetSocketAddress("127.0.0.1", port);
        this.upgradeRequest = upgradeRequest;
        this.threads = threads;
    }

    /** A connection to the scenario's server (raw when the loop was made without an upgrade request). */
    ClientConnection open(int bufferSize, ClientConnection.Listener listener) throws IOException {
        return new ClientConnection(nextId++, selector, server, upgradeRequest, bufferSize, listener);
    }

    /** A connection with its own upgrade request (path, subprotocol) that hands the payloads of messages over. */
    ClientConnection open(int bufferSize, ClientConnection.Listener listener, byte[] request) throws IOException {
        return new ClientConnection(nextId++, selector, server, request, bufferSize, listener, true);
    }

    /**
     * Runs until {@code done} is true or {@code deadlineNanos} ({@link System#nanoTime()}) has passed; samples the
     * server's threads once a second meanwhile (when the settings gave a watch).
     */
    void run(long deadlineNanos, long tickMillis, Runnable tick, BooleanSupplier done) throws IOException {
        long nextTick = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (threads != null) {
                threads.maybeSample();
            }
            long now = System.nanoTime();
            if (now - deadlineNanos >= 0) {
                return;
            }
            if (now - nextTick >= 0) {
                tick.run();
                nextTick = now + tickMillis * 1_000_000;
                continue;
            }
            long waitMillis = Math.max(1, (Math.min(nextTick, deadlineNanos) - now) / 1_000_000);
            if (selector.select(waitMillis) == 0) {
                continue;
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key.isValid()) {
                    ((ClientConnection) key.attachment()).handle(key);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.attachment() instanceof ClientConnection connection) {
                connection.close(null);
            }
        }
        selector.close();
    }
}
