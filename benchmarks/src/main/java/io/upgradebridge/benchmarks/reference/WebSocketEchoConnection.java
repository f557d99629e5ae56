package io.upgradebridge.benchmarks.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One WebSocket echo connection: the opening handshake, then every data frame back as a frame of the same
 * opcode, fin bit and length (a fragmented message comes back fragmented the same way), unmasked as it streams
 * through (a 1 MiB frame needs no 1 MiB buffer), pings answered with pongs, a close answered with a close with the
 * same status code and then the socket closed. A protocol error gets close code 1002. Text is not checked for UTF-8
 * (nor by the bridge's raw echo, whose handler sees frames).
 * <p>
 * Input and output are two pooled 64 KiB buffers held only while they have bytes. While the output has bytes the
 * socket did not take, the connection reads nothing (backpressure) and waits for OP_WRITE.
 */
final class WebSocketEchoConnection extends PooledConnection {

    private static final int MAX_HEAD = 8 * 1024;
    private static final int MAX_CONTROL_PAYLOAD = 125;
    private static final int CLOSE_PROTOCOL_ERROR = 1002;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private enum State { HANDSHAKE, HEADER, PAYLOAD, CLOSED }

    /** Both in fill mode; null while empty. */
    private ByteBuffer in;
    private ByteBuffer out;
    private State state = State.HANDSHAKE;
    /** Set with {@link State#CLOSED}: the socket closes once the output is written. */
    private boolean closeAfterFlush;
    private boolean inFragmentedMessage;
    private long payloadLeft;
    private final byte[] mask = new byte[4];
    private int maskPosition;

    WebSocketEchoConnection(SocketChannel channel, SelectionKey key, BufferPool pool) {
        super(channel, key, pool);
    }

    @Override
    public void ready(SelectionKey ready) throws IOException {
        if (!flush()) {
            return;
        }
        if (closeAfterFlush) {
            close();
            return;
        }
        for (int round = 0; ; round++) {
            if (in == null) {
                in = pool.take();
            }
            // after ROUNDS reads, only what is buffered is processed: no read event would come for it
            int n = round < ROUNDS ? channel.read(in) : 0;
            if (n < 0) {
                close(); // EOF without a close handshake, or after it
                return;
            }
            if (in.position() == 0) {
                break;
            }
            if (out == null) {
                out = pool.take();
            }
            in.flip();
            int before = in.remaining();
            process();
            boolean progress = n > 0 || in.remaining() != before;
            in.compact();
            if (!flush()) {
                return;
            }
            if (closeAfterFlush) {
                close();
                return;
            }
            if (!progress) {
                break;
            }
        }
        if (in != null && in.position() == 0) {
            in = release(in);
        }
        if (out != null && out.position() == 0) {
            out = release(out);
        }
        interest(SelectionKey.OP_READ);
    }

    /** Writes what the output holds; false (and waiting for OP_WRITE only) when the socket took less. */
    private boolean flush() throws IOException {
        if (out == null || out.position() == 0) {
            return true;
        }
        out.flip();
        channel.write(out);
        boolean all = !out.hasRemaining();
        out.compact();
        if (!all) {
            interest(SelectionKey.OP_WRITE);
        }
        return all;
    }

    /** Consumes what it can of {@link #in} (read mode) into {@link #out} (fill mode). */
    private void process() {
        boolean more = true;
        while (more) {
            more = switch (state) {
                case HANDSHAKE -> handshake();
                case HEADER -> header();
                case PAYLOAD -> payload();
                case CLOSED -> {
                    in.position(in.limit()); // nothing after our close frame matters
                    yield false;
                }
            };
        }
    }

    private boolean handshake() {
        int end = -1;
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            if (in.remaining() >= MAX_HEAD) {
                respond(WebSocketHandshake.error(431, "Request Header Fields Too Large",
                        "the request head is over " + MAX_HEAD + " bytes", ""));
            }
            return false;
        }
        byte[] head = new byte[end - in.position()];
        in.get(head);
        in.position(end + 4);
        respond(WebSocketHandshake.answer(new String(head, StandardCharsets.ISO_8859_1)));
        return state != State.CLOSED;
    }

    private void respond(WebSocketHandshake.Response response) {
        out.put(response.bytes()); // the output is empty before the handshake: always room
        if (response.upgraded()) {
            state = State.HEADER;
        } else {
            state = State.CLOSED;
            closeAfterFlush = true;
        }
    }

    /** Reads one frame header when whole; false when it must wait for input or output room. */
    private boolean header() {
        // room for the largest thing a header can make us write: a pong, a close, or a data frame's header
        if (in.remaining() < 2 || out.remaining() < 2 + MAX_CONTROL_PAYLOAD) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xFF;
        int b1 = in.get(p + 1) & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            return fail("reserved bits set without an extension");
        }
        if ((b1 & 0x80) == 0) {
            return fail("client frames must be masked");
        }
        int length7 = b1 & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int headerLength = 2 + extended + 4;
        if (in.remaining() < headerLength) {
            return false;
        }
        long length = length7;
        if (length7 == 126) {
            length = ((in.get(p + 2) & 0xFF) << 8) | (in.get(p + 3) & 0xFF);
        } else if (length7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (in.get(p + 2 + i) & 0xFF);
            }
            if (length < 0) {
                return fail("payload length over 2^63");
            }
        }
        if (opcode >= 0x8) {
            return control(fin, opcode, length, headerLength);
        }
        if (opcode == 0x0 ? !inFragmentedMessage : opcode > 0x2 || inFragmentedMessage) {
            return fail(opcode > 0x2 ? "unknown opcode " + opcode
                    : opcode == 0 ? "continuation without a message" : "new message inside a fragmented one");
        }
        inFragmentedMessage = !fin;
        in.get(p + 2 + extended, mask);
        in.position(p + headerLength);
        writeHeader(b0, length);
        payloadLeft = length;
        maskPosition = 0;
        if (length > 0) {
            state = State.PAYLOAD;
        }
        return true;
    }

    /** A ping, pong or close frame, whole in the input (125 bytes of payload at most). */
    private boolean control(boolean fin, int opcode, long length, int headerLength) {
        if (!fin || length > MAX_CONTROL_PAYLOAD) {
            return fail("control frames are final and carry 125 bytes at most");
        }
        if (opcode > 0xA) {
            return fail("unknown opcode " + opcode);
        }
        if (in.remaining() < headerLength + length || out.remaining() < 2 + length) {
            return false;
        }
        int p = in.position();
        in.get(p + headerLength - 4, mask);
        byte[] payload = new byte[(int) length];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (in.get(p + headerLength + i) ^ mask[i & 3]);
        }
        in.position(p + headerLength + payload.length);
        switch (opcode) {
            case 0x9 -> {
                writeHeader(0x8A, payload.length);
                out.put(payload);
            }
            case 0xA -> { } // an unsolicited pong needs no answer
            case 0x8 -> {
                if (payload.length == 1) {
                    return fail("a close payload of one byte");
                }
                // the same status code back, without the reason (none when the client sent none)
                writeHeader(0x88, Math.min(2, payload.length));
                out.put(payload, 0, Math.min(2, payload.length));
                state = State.CLOSED;
                closeAfterFlush = true;
                return false;
            }
            default -> {
                return fail("unknown opcode " + opcode);
            }
        }
        return true;
    }

    /** Streams payload bytes from input to output, unmasking them; false when either side is exhausted. */
    private boolean payload() {
        int n = (int) Math.min(Math.min(in.remaining(), out.remaining()), payloadLeft);
        if (n == 0) {
            return false;
        }
        int i = 0;
        if (n >= 8) {
            long mask8 = maskLong();
            for (; i + 8 <= n; i += 8) {
                out.putLong(in.getLong() ^ mask8); // 8 is a multiple of 4: the mask position stays
            }
        }
        for (; i < n; i++) {
            out.put((byte) (in.get() ^ mask[maskPosition & 3]));
            maskPosition++;
        }
        payloadLeft -= n;
        if (payloadLeft == 0) {
            state = State.HEADER;
        }
        return true;
    }

    /** The mask from {@link #maskPosition} on, 8 bytes, as a long in the buffers' (native) byte order. */
    private long maskLong() {
        long value = 0;
        for (int k = 0; k < 8; k++) {
            long b = mask[(maskPosition + k) & 3] & 0xFFL;
            value |= LITTLE_ENDIAN ? b << (8 * k) : b << (56 - 8 * k);
        }
        return value;
    }

    /** A server frame header: {@code b0} as given (fin, opcode), no mask, the shortest length encoding. */
    private void writeHeader(int b0, long length) {
        out.put((byte) b0);
        if (length <= 125) {
            out.put((byte) length);
        } else if (length <= 0xFFFF) {
            out.put((byte) 126).put((byte) (length >>> 8)).put((byte) length);
        } else {
            out.put((byte) 127);
            for (int i = 7; i >= 0; i--) {
                out.put((byte) (length >>> (8 * i)));
            }
        }
    }

    /** Protocol error: close frame 1002 with the reason, then the socket closes. */
    private boolean fail(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_CONTROL_PAYLOAD - 2);
        writeHeader(0x88, 2 + length);
        out.put((byte) (CLOSE_PROTOCOL_ERROR >>> 8)).put((byte) CLOSE_PROTOCOL_ERROR);
        out.put(text, 0, length);
        state = State.CLOSED;
        closeAfterFlush = true;
        return false;
    }

    @Override
    public void close() {
        state = State.CLOSED;
        closeSocket();
        in = release(in);
        out = release(out);
    }
}
