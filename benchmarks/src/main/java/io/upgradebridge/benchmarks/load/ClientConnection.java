package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One non-blocking WebSocket client connection driven by an {@link EventLoop}: connect, upgrade, then frames
 * both ways. Small frames are copied into one output buffer and leave in one write; large ones are queued as
 * read-only views of their pre-masked bytes and never copied. What the server sends is only scanned for
 * message ends ({@link ServerFrameScanner}).
 * <p>
 * Without an upgrade request (null) the connection is <em>raw</em>, for the plain TCP echo: open as soon as it is
 * connected, it sends the same masked client frames as bytes, and reads back the same bytes (masked frames, which
 * the scanner counts like server frames); it ends by closing the socket, as there is no close handshake.
 */
final class ClientConnection implements ServerFrameScanner.Events {

    /** What a scenario hears from its connections. Called on the event loop's thread. */
    interface Listener {
        void onOpen(ClientConnection connection);

        void onMessage(ClientConnection connection, long payloadBytes);

        /** Only for a connection that keeps payloads: the message's payload, before {@link #onMessage}. */
        default void onMessagePayload(ClientConnection connection, byte[] payload, int length) {
        }

        default void onCloseFrame(ClientConnection connection) {
        }

        /** The connection is gone; {@code failure} is null after a clean end (EOF after a close handshake). */
        void onClosed(ClientConnection connection, String failure);
    }

    enum State { CONNECTING, UPGRADING, OPEN, CLOSING, CLOSED }

    private static final int MAX_RESPONSE_HEAD = 4096;

    final int id;
    /** Free for the scenario: its own per-connection data. */
    Object attachment;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final Listener listener;
    private final ByteBuffer in;
    private final ByteBuffer small;
    private final ArrayDeque<ByteBuffer> large = new ArrayDeque<>();
    private final ServerFrameScanner scanner;
    private final byte[] upgradeRequest;
    private State state = State.CONNECTING;
    private long closingSince;

    ClientConnection(int id, Selector selector, InetSocketAddress server, byte[] upgradeRequest, int bufferSize,
            Listener listener) throws IOException {
        this(id, selector, server, upgradeRequest, bufferSize, listener, false);
    }

    /**
     * @param keepPayloads whether the listener gets the payloads of the server's messages (and pings are answered
     *                     with pongs): for scenarios that read what the messages say
     */
    ClientConnection(int id, Selector selector, InetSocketAddress server, byte[] upgradeRequest, int bufferSize,
            Listener listener, boolean keepPayloads) throws IOException {
        this.id = id;
        this.scanner = new ServerFrameScanner(keepPayloads);
        this.listener = listener;
        this.upgradeRequest = upgradeRequest;
        in = ByteBuffer.allocateDirect(bufferSize);
        small = ByteBuffer.allocateDirect(Math.max(16 * 1024, upgradeRequest == null ? 0 : upgradeRequest.length));
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        key = channel.register(selector, SelectionKey.OP_CONNECT, this);
        if (channel.connect(server)) {
            connected();
        }
    }

    State state() {
        return state;
    }

    long closingSince() {
        return closingSince;
    }

    /** Queues a small frame (copied); false when the output buffer is full (the server is not reading). */
    boolean sendSmall(byte[] frame) {
        if (small.remaining() < frame.length) {
            return false;
        }
        small.put(frame);
        return true;
    }

    /** Queues a view of a large pre-masked frame: not copied. */
    void sendLarge(ByteBuffer frame) {
        large.add(frame.asReadOnlyBuffer());
    }

    /** Sends a close frame and waits for the server's close and EOF. */
    void startClose(byte[] closeFrame) {
        if (upgradeRequest == null) {
            close(null); // raw: a byte stream has no close handshake
        } else if (state == State.OPEN) {
            sendSmall(closeFrame);
            state = State.CLOSING;
            closingSince = System.nanoTime();
            flush();
        } else if (state != State.CLOSED && state != State.CLOSING) {
            close(null);
        }
    }

    void handle(SelectionKey ready) {
        try {
            if (ready.isConnectable()) {
                if (channel.finishConnect()) {
                    connected();
                }
                return;
            }
            if (ready.isWritable()) {
                flush();
            }
            if (ready.isReadable()) {
                read();
            }
        } catch (IOException | RuntimeException e) {
            close(state == State.CLOSING ? null : e.toString());
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        if (upgradeRequest == null) {
            state = State.OPEN;
            listener.onOpen(this);
        } else {
            state = State.UPGRADING;
            small.put(upgradeRequest);
        }
        flush();
    }

    private void read() throws IOException {
        int n = channel.read(in);
        if (n < 0) {
            close(state == State.CLOSING ? null : "EOF in state " + state);
            return;
        }
        in.flip();
        if (state == State.UPGRADING) {
            if (!readResponseHead()) {
                in.compact();
                return;
            }
        }
        scanner.scan(in, this);
        in.clear();
        flush();
    }

    /** True once the 101 response's head is consumed from {@link #in}. */
    private boolean readResponseHead() {
        int end = -1;
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                end = i + 4;
                break;
            }
        }
        if (end < 0) {
            if (in.remaining() > MAX_RESPONSE_HEAD) {
                close("response head over " + MAX_RESPONSE_HEAD + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - in.position()];
        in.get(head);
        String response = new String(head, StandardCharsets.ISO_8859_1);
        if (!response.startsWith("HTTP/1.1 101") || !response.contains(ClientFrames.ACCEPT)) {
            close("upgrade refused: " + response.lines().findFirst().orElse("?"));
            return false;
        }
        state = State.OPEN;
        listener.onOpen(this);
        return state == State.OPEN || state == State.CLOSING;
    }

    /** Writes what is queued; asks for OP_WRITE while something is left. */
    void flush() {
        if (state == State.CLOSED || state == State.CONNECTING) {
            return;
        }
        try {
            boolean done = true;
            if (small.position() > 0) {
                small.flip();
                channel.write(small);
                done = !small.hasRemaining();
                small.compact();
            }
            while (done && !large.isEmpty()) {
                ByteBuffer next = large.peek();
                channel.write(next);
                if (next.hasRemaining()) {
                    done = false;
                } else {
                    large.poll();
                }
            }
            int ops = done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        } catch (IOException | RuntimeException e) {
            close(state == State.CLOSING ? null : e.toString());
        }
    }

    @Override
    public void onMessage(long payloadBytes) {
        listener.onMessage(this, payloadBytes);
    }

    @Override
    public void onMessagePayload(byte[] payload, int length) {
        listener.onMessagePayload(this, payload, length);
    }

    @Override
    public void onPing(byte[] payload, int length) {
        if (state == State.OPEN) {
            sendSmall(ClientFrames.masked(ClientFrames.PONG, java.util.Arrays.copyOf(payload, length)));
        }
    }

    @Override
    public void onClose() {
        listener.onCloseFrame(this);
        if (state == State.OPEN) {
            // the server closes first: answer as RFC 6455 asks, then wait for its EOF
            startClose(ClientFrames.close());
        }
    }

    /** Closes the socket at once; reports the end to the listener once. */
    void close(String failure) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        listener.onClosed(this, failure);
    }
}
