package io.upgradebridge.containertests;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;

/**
 * One raw WebSocket connection (over {@link WsWire}) and the checks a conformance case or a feature test makes on
 * what the server answers: whole echoed messages (reassembled, inflated when permessage-deflate was agreed), close
 * frames with their codes, the end of TCP. Every read waits at most {@link #WAIT}; every failed check throws an
 * {@link AssertionError} that says what was expected, what came, and the last frames received.
 */
final class WsPeer implements AutoCloseable {

    /** How long any single read waits. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** How many frames a wait for a close frame skips at most (echoes of what came before the violation). */
    private static final int MAX_SKIPPED = 16;

    /** One whole data message from the server. */
    record Message(int opcode, byte[] payload, int frames, boolean compressed) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return (opcode == WsWire.TEXT ? "TEXT" : "BINARY") + " of " + payload.length + " bytes in " + frames
                + " frame(s)" + (compressed ? ", compressed" : "");
        }
    }

    final WsWire wire;
    private final Map<String, String> deflateParameters;
    private final DeflateClient deflate;
    private final Deque<String> received = new ArrayDeque<>();

    private WsPeer(WsWire wire, Map<String, String> deflateParameters, DeflateClient deflate) {
        this.wire = wire;
        this.deflateParameters = deflateParameters;
        this.deflate = deflate;
    }

    /**
     * Opens a connection with a correct handshake plus {@code headers} (checks the 101). When the answer agrees on
     * permessage-deflate, messages are compressed and inflated from then on; an agreement this client cannot keep
     * ({@code client_max_window_bits} under 15: the JDK's {@link Deflater} always uses a 32 KiB window) fails here.
     */
    static WsPeer open(EmbeddedContainer container, String path, String... headers) throws Exception {
        return open(container.port(), container.kind().toString(), path, headers);
    }

    /** {@link #open(EmbeddedContainer, String, String...)} to any server on 127.0.0.1:{@code port}, named {@code server}. */
    static WsPeer open(int port, String server, String path, String... headers) throws Exception {
        WsWire wire = WsWire.open(port, server, path, headers).readTimeout(WAIT);
        try {
            String extensions = wire.head.header("Sec-WebSocket-Extensions").orElse(null);
            Map<String, String> parameters = DeflateClient.responseParameters(extensions).orElse(null);
            DeflateClient deflate = null;
            if (parameters != null) {
                String clientBits = parameters.get("client_max_window_bits");
                if (clientBits != null && !clientBits.isEmpty() && !clientBits.equals("15")) {
                    throw new AssertionError("the server answered client_max_window_bits=" + clientBits
                        + ", which this client cannot keep (JDK Deflater: 15 only): " + extensions);
                }
                boolean offeredNoTakeover = Arrays.stream(headers).anyMatch(h -> h.contains("client_no_context_takeover"));
                deflate = new DeflateClient(Deflater.DEFAULT_COMPRESSION,
                    offeredNoTakeover || parameters.containsKey("client_no_context_takeover"));
            }
            return new WsPeer(wire, parameters, deflate);
        } catch (Exception | Error e) {
            wire.close();
            throw e;
        }
    }

    /** The {@code Sec-WebSocket-Extensions} header of the 101, or {@code null}. */
    String extensionsHeader() {
        return wire.head.header("Sec-WebSocket-Extensions").orElse(null);
    }

    /** The agreed permessage-deflate parameters, or {@code null} when the server did not agree to compress. */
    Map<String, String> deflateParameters() {
        return deflateParameters;
    }

    /** Writes {@code frames} as they are and flushes. */
    WsPeer send(byte[]... frames) throws IOException {
        wire.send(frames);
        return this;
    }

    /** Sends one masked frame with FIN. */
    WsPeer sendMessage(int opcode, byte[] payload) throws IOException {
        return send(WsWire.masked(true, opcode, payload));
    }

    /** The frames of one compressed message in {@code fragments} parts (RSV1 on the first only); needs deflate. */
    byte[][] compressedFrames(int opcode, byte[] message, int fragments) {
        if (deflate == null) {
            throw new AssertionError("permessage-deflate was not agreed (Sec-WebSocket-Extensions: "
                + extensionsHeader() + ")");
        }
        byte[] compressed = deflate.compress(message);
        byte[][] frames = new byte[fragments][];
        for (int i = 0; i < fragments; i++) {
            byte[] part = Arrays.copyOfRange(compressed, compressed.length * i / fragments,
                compressed.length * (i + 1) / fragments);
            frames[i] = WsWire.frame(i == fragments - 1, i == 0 ? WsWire.RSV1 : 0, i == 0 ? opcode : WsWire.CONTINUATION,
                part, true);
        }
        return frames;
    }

    /** The next frame from the server (masked frames fail: a server must not mask). */
    WsWire.ServerFrame next() {
        try {
            WsWire.ServerFrame frame = wire.read();
            remember(frame.toString());
            return frame;
        } catch (SocketTimeoutException e) {
            throw failure("no frame from the server within " + WAIT);
        } catch (EOFException e) {
            throw failure("the server closed TCP (" + e.getMessage() + ")");
        } catch (InterruptedIOException e) {
            throw failure("interrupted while reading: " + e);
        } catch (IOException e) {
            throw failure("reading failed: " + e);
        }
    }

    /**
     * The next whole data message: frames put back together, inflated when compressed. Pings that come in between
     * are answered; any other control frame fails.
     */
    Message message() throws IOException {
        WsWire.ServerFrame first = nextAnsweringPings();
        if (first.opcode() != WsWire.TEXT && first.opcode() != WsWire.BINARY) {
            throw failure("expected a data message, got " + first);
        }
        boolean compressed = checkRsv(first, true);
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        payload.writeBytes(first.payload());
        int frames = 1;
        for (WsWire.ServerFrame frame = first; !frame.fin(); frames++) {
            frame = nextAnsweringPings();
            if (frame.opcode() != WsWire.CONTINUATION) {
                throw failure("expected a continuation of the message, got " + frame);
            }
            checkRsv(frame, false);
            payload.writeBytes(frame.payload());
            if (frames > 100_000) {
                throw failure("more than 100000 fragments");
            }
        }
        byte[] data = payload.toByteArray();
        if (compressed) {
            try {
                data = deflate.inflate(data);
            } catch (DataFormatException e) {
                throw failure("the server's compressed message does not inflate: " + e.getMessage() + " ("
                    + DeflateClient.hex(payload.toByteArray()) + ")");
            }
        }
        if (first.opcode() == WsWire.TEXT) {
            checkUtf8(data);
        }
        return new Message(first.opcode(), data, frames, compressed);
    }

    /** Reads the next message and checks that it is {@code payload} as {@code opcode}. */
    Message expectEcho(int opcode, byte[] payload) throws IOException {
        Message message = message();
        if (message.opcode() != opcode) {
            throw failure("expected " + (opcode == WsWire.TEXT ? "TEXT" : "BINARY") + " of " + payload.length
                + " bytes, got " + message);
        }
        int mismatch = Arrays.mismatch(payload, message.payload());
        if (mismatch >= 0) {
            throw failure("echo differs from what was sent: " + message + ", sent " + payload.length
                + " bytes; first difference at byte " + mismatch + (mismatch < Math.min(payload.length, message.payload().length)
                ? String.format(" (sent %02x, got %02x)", payload[mismatch], message.payload()[mismatch]) : ""));
        }
        return message;
    }

    Message expectEcho(String text) throws IOException {
        return expectEcho(WsWire.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The server fails or closes the connection: reads (skipping at most {@value #MAX_SKIPPED} data or pong frames)
     * up to its close frame, checks its code is one of {@code codes} (-1: no code at all), answers it with the same
     * code and waits for the server to close TCP.
     */
    WsWire.ServerFrame expectCloseFromServer(int... codes) throws IOException {
        WsWire.ServerFrame close = awaitClose(codes);
        try {
            send(WsWire.masked(true, WsWire.CLOSE, close.closeCode() < 0 ? new byte[0]
                : WsWire.closePayload(close.closeCode(), new byte[0])));
        } catch (IOException alreadyClosed) {
            // the server may close TCP right after its close frame: nothing left to answer
        }
        awaitTcpClose();
        return close;
    }

    /** After our close frame: the server's answering close has one of {@code codes}, then TCP ends. */
    WsWire.ServerFrame expectCloseAnswer(int... codes) throws IOException {
        WsWire.ServerFrame close = awaitClose(codes);
        awaitTcpClose();
        return close;
    }

    /** Sends close 1000 and expects the answer 1000 and the end of TCP. */
    void closeNormally() throws IOException {
        send(WsWire.close(1000, ""));
        expectCloseAnswer(1000);
    }

    /** Reads exactly {@code expected.length} bytes and compares them with {@code expected}, byte for byte. */
    void expectBytes(byte[] expected) {
        byte[] got;
        try {
            got = wire.http.input().readNBytes(expected.length);
        } catch (IOException e) {
            throw failure("reading " + expected.length + " bytes failed: " + e);
        }
        if (!Arrays.equals(expected, got)) {
            throw failure("expected the bytes " + DeflateClient.hex(expected) + ", got " + DeflateClient.hex(got));
        }
        remember(DeflateClient.hex(got));
    }

    /** Waits up to {@link #WAIT} for the server to close TCP; fails when another byte comes first. */
    void awaitTcpClose() {
        try {
            wire.awaitTcpClose(WAIT);
        } catch (AssertionError | IOException e) {
            throw failure(e.getMessage());
        }
    }

    private WsWire.ServerFrame awaitClose(int... codes) throws IOException {
        String expected = IntStream.of(codes).mapToObj(c -> c < 0 ? "no code" : Integer.toString(c))
            .collect(Collectors.joining(" or "));
        for (int skipped = 0; ; skipped++) {
            WsWire.ServerFrame frame;
            try {
                frame = nextAnsweringPings();
            } catch (AssertionError e) {
                throw failure("expected a close frame with " + expected + ": " + e.getMessage());
            }
            if (frame.opcode() == WsWire.CLOSE) {
                if (IntStream.of(codes).noneMatch(c -> c == frame.closeCode())) {
                    throw failure("expected close " + expected + ", got " + frame);
                }
                return frame;
            }
            if (skipped >= MAX_SKIPPED) {
                throw failure("expected a close frame with " + expected + ", got " + (skipped + 1) + " other frames");
            }
        }
    }

    private WsWire.ServerFrame nextAnsweringPings() throws IOException {
        for (int i = 0; ; i++) {
            WsWire.ServerFrame frame = next();
            if (frame.opcode() != WsWire.PING || i >= MAX_SKIPPED) {
                return frame;
            }
            send(WsWire.masked(true, WsWire.PONG, frame.payload()));
        }
    }

    /** @return whether the message is compressed (RSV1 on its first frame with deflate agreed) */
    private boolean checkRsv(WsWire.ServerFrame frame, boolean first) {
        if ((frame.rsv() & 0b011) != 0) {
            throw failure("the server set RSV2/RSV3 without an extension for them: " + frame);
        }
        boolean rsv1 = (frame.rsv() & WsWire.RSV1) != 0;
        if (rsv1 && (deflate == null || !first)) {
            throw failure("the server set RSV1 " + (deflate == null ? "without permessage-deflate" : "on a continuation")
                + ": " + frame);
        }
        return rsv1;
    }

    private void checkUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw failure("the server sent a text message that is not UTF-8");
        }
    }

    private void remember(String frame) {
        received.addLast(frame);
        if (received.size() > 6) {
            received.removeFirst();
        }
    }

    /** An assertion error naming {@code what} and the last frames received. */
    AssertionError failure(String what) {
        return new AssertionError(what + (received.isEmpty() ? "" : " [received: " + String.join(" | ", received) + "]"));
    }

    @Override
    public void close() throws IOException {
        try {
            wire.close();
        } finally {
            if (deflate != null) {
                deflate.close();
            }
        }
    }
}
