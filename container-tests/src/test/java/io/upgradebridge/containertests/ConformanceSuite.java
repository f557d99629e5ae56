package io.upgradebridge.containertests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.upgradebridge.containertests.WsWire.BINARY;
import static io.upgradebridge.containertests.WsWire.CLOSE;
import static io.upgradebridge.containertests.WsWire.CONTINUATION;
import static io.upgradebridge.containertests.WsWire.PING;
import static io.upgradebridge.containertests.WsWire.PONG;
import static io.upgradebridge.containertests.WsWire.RSV1;
import static io.upgradebridge.containertests.WsWire.TEXT;

/**
 * Our own WebSocket conformance suite, in the manner of the Autobahn TestSuite: numbered cases that walk RFC 6455
 * sections 5 to 8 and RFC 7692 against an echo endpoint (every message sent back as it came, with permessage-deflate
 * enabled, or declined by an endpoint that does not compress: then section 7692 checks the refusal), each over fresh
 * raw connections ({@link WsPeer}). A case passes when the server answers as the RFCs
 * require; where they allow several answers (a message echoed as one frame or re-fragmented, compressed or not,
 * one pong for several pings), every allowed answer passes. {@link #run} runs all cases and reports each failure
 * with its reason.
 */
final class ConformanceSuite {

    /** Opens connections for a case; the runner closes every one of them after the case. */
    interface Connector {
        WsPeer open(String... handshakeHeaders) throws Exception;
    }

    /** What a case does and checks; a failed check throws (an {@link AssertionError} with the reason). */
    @FunctionalInterface
    interface Action {
        void run(Connector connector) throws Exception;
    }

    /** One case, e.g. {@code 5.5.3 ping with a 125-byte payload}. */
    record Case(String id, String title, Action action) {
        String name() {
            return id + " " + title;
        }
    }

    /** How one case went: {@code failure} is null when it passed. */
    record Outcome(Case testCase, String failure, long millis) {
        boolean passed() {
            return failure == null;
        }
    }

    /** All outcomes of one run. */
    record Report(String target, List<Outcome> outcomes) {

        List<Outcome> failures() {
            return outcomes.stream().filter(o -> !o.passed()).toList();
        }

        /** {@code cases: N passed: P failed: F}, then one line per case, failures with their reason. */
        String table() {
            StringBuilder text = new StringBuilder("Conformance of ").append(target).append('\n');
            int width = outcomes.stream().mapToInt(o -> o.testCase().name().length()).max().orElse(10);
            for (Outcome o : outcomes) {
                text.append(String.format("  %-" + width + "s  %-4s %5d ms%s%n", o.testCase().name(),
                    o.passed() ? "OK" : "FAIL", o.millis(), o.passed() ? "" : "\n      reason: " + o.failure()));
            }
            text.append(summary());
            return text.toString();
        }

        String summary() {
            int failed = failures().size();
            return "cases: " + outcomes.size() + " passed: " + (outcomes.size() - failed) + " failed: " + failed;
        }
    }

    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
    private static final int[] INVALID_CLOSE_CODES = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
    private static final int[] VALID_CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
    private static final byte[] RFC_MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private final List<Case> cases = new ArrayList<>();
    private String section;
    private int number;

    private ConformanceSuite() {
    }

    /** Runs every case against {@code path} of {@code container}, one after the other, deflate expected. */
    static Report run(EmbeddedContainer container, String path) {
        return run(container, path, true);
    }

    /** Runs every case against {@code path} of {@code container}; {@code deflate}: whether it compresses. */
    static Report run(EmbeddedContainer container, String path, boolean deflate) {
        return run(container.port(), container.kind().toString(), path, deflate);
    }

    /** Runs every case against {@code path} of any server on 127.0.0.1:{@code port}, named {@code server}. */
    static Report run(int port, String server, String path) {
        return run(port, server, path, true);
    }

    static Report run(int port, String server, String path, boolean deflate) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Case c : cases(deflate)) {
            outcomes.add(runCase(c, port, server, path));
        }
        return new Report(server + " " + path, outcomes);
    }

    /** Runs one case on fresh connections, which it closes afterwards whatever happened. */
    static Outcome runCase(Case c, int port, String server, String path) {
        List<WsPeer> opened = new ArrayList<>();
        long start = System.nanoTime();
        String failure = null;
        try {
            c.action().run(headers -> {
                WsPeer peer = WsPeer.open(port, server, path, headers);
                opened.add(peer);
                return peer;
            });
        } catch (Throwable t) {
            failure = describe(t);
        } finally {
            for (WsPeer peer : opened) {
                try {
                    peer.close();
                } catch (IOException ignored) {
                    // closing our end of a connection the server may already have closed
                }
            }
        }
        return new Outcome(c, failure, (System.nanoTime() - start) / 1_000_000);
    }

    private static String describe(Throwable t) {
        if (t instanceof AssertionError && t.getMessage() != null) {
            return t.getMessage();
        }
        return t + (t.getCause() != null ? " (cause: " + t.getCause() + ")" : "");
    }

    /** Every case, numbered by section, for an endpoint that agrees to permessage-deflate. */
    static List<Case> cases() {
        return cases(true);
    }

    /** Every case; {@code deflate}: whether the endpoint agrees to permessage-deflate, or declines every offer. */
    static List<Case> cases(boolean deflate) {
        ConformanceSuite suite = new ConformanceSuite();
        suite.baseFraming();
        suite.fragmentation();
        suite.controlFrames();
        suite.dataFrames();
        suite.rfcExamples();
        suite.utf8();
        suite.closing();
        if (deflate) {
            suite.permessageDeflate();
        } else {
            suite.deflateDeclined();
        }
        return List.copyOf(suite.cases);
    }

    private void section(String id) {
        section = id;
        number = 0;
    }

    private void add(String title, Action action) {
        cases.add(new Case(section + "." + (++number), title, action));
    }

    /** Sends {@code frames} in one write; the server fails the connection with one of {@code codes}. */
    private void fails(String title, int[] codes, byte[]... frames) {
        add(title, to -> to.open().send(frames).expectCloseFromServer(codes));
    }

    private void fails(String title, int code, byte[]... frames) {
        fails(title, new int[] {code}, frames);
    }

    /** Sends one message as one frame; the echo is the same message. */
    private void echoes(String title, int opcode, byte[] payload) {
        add(title, to -> {
            WsPeer peer = to.open();
            peer.sendMessage(opcode, payload).expectEcho(opcode, payload);
            peer.closeNormally();
        });
    }

    // ---- 5.2 base framing ----

    private void baseFraming() {
        section("5.2");
        byte[] hello = utf8("Hello");
        fails("RSV1 set without an extension -> 1002", 1002, WsWire.frame(true, 0b100, TEXT, hello, true));
        fails("RSV2 set -> 1002", 1002, WsWire.frame(true, 0b010, TEXT, hello, true));
        fails("RSV3 set -> 1002", 1002, WsWire.frame(true, 0b001, TEXT, hello, true));
        fails("RSV1 to RSV3 set on a ping -> 1002", 1002, WsWire.frame(true, 0b111, PING, hello, true));
        add("text echoed, then a frame with RSV2 -> 1002", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("before", true), WsWire.frame(true, 0b010, TEXT, hello, true),
                WsWire.masked(true, PING, utf8("after")));
            peer.expectEcho("before");
            peer.expectCloseFromServer(1002);
        });
        for (int opcode : new int[] {3, 4, 5, 6, 7}) {
            fails("reserved data opcode " + opcode + " -> 1002", 1002, WsWire.masked(true, opcode, hello));
        }
        for (int opcode : new int[] {11, 12, 13, 14, 15}) {
            fails("reserved control opcode " + opcode + " -> 1002", 1002, WsWire.masked(true, opcode, hello));
        }
        add("text echoed, then reserved opcode 5 -> 1002", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("before", true), WsWire.masked(true, 5, hello));
            peer.expectEcho("before");
            peer.expectCloseFromServer(1002);
        });
        fails("unmasked text frame -> 1002", 1002, WsWire.frame(true, 0, TEXT, hello, false));
        fails("unmasked ping -> 1002", 1002, WsWire.frame(true, 0, PING, hello, false));
        fails("unmasked empty binary frame -> 1002", 1002, WsWire.frame(true, 0, BINARY, new byte[0], false));
        // RFC 6455 5.2: the most significant bit of a 64-bit length MUST be 0 (a length check may see it first: 1009)
        fails("64-bit length with its most significant bit set -> 1002 (or 1009)", new int[] {1002, 1009},
            WsWire.bytes(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4));
    }

    // ---- 5.4 fragmentation ----

    private void fragmentation() {
        section("5.4");
        add("text in 3 fragments echoed whole", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("Hel", false), cont(false, "lo, "), cont(true, "world"));
            peer.expectEcho("Hello, world");
            peer.closeNormally();
        });
        add("binary in 3 fragments echoed whole", to -> {
            byte[] data = random(3000, 54);
            WsPeer peer = to.open();
            peer.send(WsWire.masked(false, BINARY, Arrays.copyOfRange(data, 0, 1000)),
                WsWire.masked(false, CONTINUATION, Arrays.copyOfRange(data, 1000, 2000)),
                WsWire.masked(true, CONTINUATION, Arrays.copyOfRange(data, 2000, 3000)));
            peer.expectEcho(BINARY, data);
            peer.closeNormally();
        });
        add("text in 20 one-byte fragments echoed whole", to -> {
            String text = "abcdefghijklmnopqrst";
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < text.length(); i++) {
                frames.add(WsWire.masked(i == text.length() - 1, i == 0 ? TEXT : CONTINUATION, utf8(text.substring(i, i + 1))));
            }
            WsPeer peer = to.open();
            peer.send(frames.toArray(byte[][]::new));
            peer.expectEcho(text);
            peer.closeNormally();
        });
        add("text with empty first, middle and last fragments echoed whole", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("", false), cont(false, "ab"), cont(false, ""), cont(false, "cd"), cont(true, ""));
            peer.expectEcho("abcd");
            peer.closeNormally();
        });
        add("empty fragmented binary message echoed empty", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.masked(false, BINARY, new byte[0]), WsWire.masked(true, CONTINUATION, new byte[0]));
            peer.expectEcho(BINARY, new byte[0]);
            peer.closeNormally();
        });
        add("ping between fragments (one write): pong and whole message", to -> pingBetweenFragments(to.open(), false));
        add("ping between fragments (a write per frame): pong and whole message", to -> pingBetweenFragments(to.open(), true));
        add("pong between fragments ignored, message echoed whole", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("frag", false), WsWire.masked(true, PONG, utf8("unsolicited")), cont(true, "ment"));
            peer.expectEcho("fragment");
            peer.closeNormally();
        });
        add("close between fragments: close answered, the unfinished message dropped", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("never ", false), WsWire.close(1000, ""), cont(true, "finished"));
            peer.expectCloseAnswer(1000);
        });
        add("binary of 1200000 bytes in 3 fragments echoed whole", to -> {
            byte[] data = random(1_200_000, 55);
            WsPeer peer = to.open();
            peer.send(WsWire.masked(false, BINARY, Arrays.copyOfRange(data, 0, 400_000)),
                WsWire.masked(false, CONTINUATION, Arrays.copyOfRange(data, 400_000, 800_000)),
                WsWire.masked(true, CONTINUATION, Arrays.copyOfRange(data, 800_000, 1_200_000)));
            peer.expectEcho(BINARY, data);
            peer.closeNormally();
        });
        fails("continuation without a start (fin) -> 1002", 1002, cont(true, "orphan"));
        fails("continuation without a start (not fin) -> 1002", 1002, cont(false, "orphan"));
        add("continuation after a finished message: echo, then 1002", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("done", true), cont(true, "late"));
            peer.expectEcho("done");
            peer.expectCloseFromServer(1002);
        });
        fails("text frame while a text message is fragmented -> 1002", 1002, WsWire.text("a", false), WsWire.text("b", true));
        fails("binary frame while a text message is fragmented -> 1002", 1002, WsWire.text("a", false),
            WsWire.masked(true, BINARY, utf8("b")));
        fails("text start frame while a text message is fragmented -> 1002", 1002, WsWire.text("a", false),
            WsWire.text("b", false), cont(true, "c"));
        fails("fragmented ping -> 1002", 1002, WsWire.masked(false, PING, utf8("pi")), WsWire.masked(true, CONTINUATION, utf8("ng")));
        fails("fragmented pong -> 1002", 1002, WsWire.masked(false, PONG, utf8("po")), WsWire.masked(true, CONTINUATION, utf8("ng")));
        fails("fragmented close -> 1002", 1002, WsWire.masked(false, CLOSE, WsWire.closePayload(1000, new byte[0])),
            WsWire.masked(true, CONTINUATION, utf8("x")));
        fails("fragmented ping between data fragments -> 1002", 1002, WsWire.text("a", false),
            WsWire.masked(false, PING, utf8("p")), cont(true, "b"));
    }

    private static void pingBetweenFragments(WsPeer peer, boolean writePerFrame) throws IOException {
        byte[][] frames = {WsWire.text("one-", false), WsWire.masked(true, PING, utf8("in between")),
            cont(false, "two-"), cont(true, "three")};
        if (writePerFrame) {
            for (byte[] frame : frames) {
                peer.send(frame);
            }
        } else {
            peer.send(frames);
        }
        // the pong may come before the echo or, for a server that echoes fragment by fragment, between its frames
        WsWire.ServerFrame pong = null;
        java.io.ByteArrayOutputStream echoed = new java.io.ByteArrayOutputStream();
        boolean fin = false;
        for (int i = 0; i < 16 && (pong == null || !fin); i++) {
            WsWire.ServerFrame frame = peer.next();
            if (frame.opcode() == PONG) {
                if (pong != null) {
                    throw peer.failure("a second pong for one ping");
                }
                pong = frame;
            } else if (frame.opcode() == TEXT || frame.opcode() == CONTINUATION) {
                if (frame.rsv() != 0) {
                    throw peer.failure("RSV bits on an uncompressed session: " + frame);
                }
                echoed.writeBytes(frame.payload());
                fin = frame.fin();
            } else {
                throw peer.failure("expected the pong and the echo, got " + frame);
            }
        }
        if (pong == null || !"in between".equals(pong.text())) {
            throw peer.failure("expected a pong 'in between', got " + pong);
        }
        if (!"one-two-three".equals(echoed.toString(StandardCharsets.UTF_8))) {
            throw peer.failure("expected the echo 'one-two-three', got '" + echoed.toString(StandardCharsets.UTF_8) + "'");
        }
        peer.closeNormally();
    }

    // ---- 5.5 control frames ----

    private void controlFrames() {
        section("5.5");
        pongs("ping without payload answered by an empty pong", new byte[0]);
        pongs("ping 'Hello' answered with the same payload", utf8("Hello"));
        pongs("ping with a 125-byte payload answered with the same payload", random(125, 125));
        pongs("ping with every byte value 0x00-0x7c answered", sequence(125));
        fails("ping with a 126-byte payload -> 1002", 1002, WsWire.masked(true, PING, new byte[126]));
        fails("ping with a 65536-byte payload (64-bit length) -> 1002", 1002, WsWire.masked(true, PING, new byte[65536]));
        add("10 pings in a row: pongs in order, the last for the last ping", to -> {
            WsPeer peer = to.open();
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                frames.add(WsWire.masked(true, PING, utf8("ping " + i)));
            }
            frames.add(WsWire.text("end", true));
            peer.send(frames.toArray(byte[][]::new));
            int last = -1;
            for (int i = 0; i < 12; i++) {
                WsWire.ServerFrame frame = peer.next();
                if (frame.opcode() == TEXT && frame.text().equals("end")) {
                    break;
                }
                if (frame.opcode() != PONG || !frame.text().startsWith("ping ")) {
                    throw peer.failure("expected pongs, got " + frame);
                }
                int n = Integer.parseInt(frame.text().substring(5));
                if (n <= last) {
                    throw peer.failure("pong " + n + " after pong " + last);
                }
                last = n;
            }
            if (last != 9) {
                throw peer.failure("no pong for the last ping (RFC 6455 5.5.3 allows skipping only earlier ones)");
            }
            peer.closeNormally();
        });
        add("unsolicited empty pong ignored", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.masked(true, PONG, new byte[0]), WsWire.text("after the pong", true));
            peer.expectEcho("after the pong");
            peer.closeNormally();
        });
        add("unsolicited pong with a 125-byte payload ignored", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.masked(true, PONG, random(125, 3)), WsWire.text("after the pong", true));
            peer.expectEcho("after the pong");
            peer.closeNormally();
        });
        add("close 1000 with a reason: code echoed, then TCP closed", to -> {
            to.open().send(WsWire.close(1000, "bye")).expectCloseAnswer(1000);
        });
        add("close 1000 with a reason: reason echoed", to -> {
            WsWire.ServerFrame answer = to.open().send(WsWire.close(1000, "bye")).expectCloseAnswer(1000);
            if (!answer.closeReason().equals("bye")) {
                throw new AssertionError("the answer's reason is '" + answer.closeReason() + "', not 'bye'");
            }
        });
        add("close without payload answered (no code or 1000)", to -> {
            to.open().send(WsWire.masked(true, CLOSE, new byte[0])).expectCloseAnswer(-1, 1000);
        });
        add("close with code and 123-byte reason (125-byte payload) answered", to -> {
            to.open().send(WsWire.close(1000, "r".repeat(123))).expectCloseAnswer(1000);
        });
        fails("close with a 1-byte payload -> 1002", 1002, WsWire.masked(true, CLOSE, new byte[] {0x03}));
        fails("close with a 126-byte payload -> 1002", 1002, WsWire.close(1000, "r".repeat(124)));
        for (int code : INVALID_CLOSE_CODES) {
            fails("close with invalid code " + code + " -> 1002", 1002,
                WsWire.masked(true, CLOSE, WsWire.closePayload(code, new byte[0])));
        }
        for (int code : VALID_CLOSE_CODES) {
            add("close with code " + code + " answered with " + code, to -> {
                to.open().send(WsWire.close(code, "")).expectCloseAnswer(code);
            });
        }
        // RFC 6455 names no code for this; the raw session's parser answers 1007 (8.1: "not UTF-8"), 1002 is as right
        fails("close reason that is not UTF-8 -> 1002 (or 1007)", new int[] {1002, 1007},
            WsWire.masked(true, CLOSE, WsWire.closePayload(1000, WsWire.bytes(0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83,
                0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64))));
    }

    private void pongs(String title, byte[] payload) {
        add(title, to -> {
            WsPeer peer = to.open();
            peer.sendMessage(PING, payload);
            WsWire.ServerFrame pong = peer.next();
            if (pong.opcode() != PONG || !pong.fin() || pong.rsv() != 0 || !Arrays.equals(payload, pong.payload())) {
                throw peer.failure("expected a pong with the ping's " + payload.length + " bytes, got " + pong);
            }
            peer.closeNormally();
        });
    }

    // ---- 5.6 data frames ----

    private void dataFrames() {
        section("5.6");
        int[] sizes = {0, 125, 126, 65535, 65536, 1_000_000};
        String[] encodings = {"7-bit length", "7-bit length", "16-bit length", "16-bit length", "64-bit length", "64-bit length"};
        for (int i = 0; i < sizes.length; i++) {
            int size = sizes[i];
            echoes("text of " + size + " bytes (" + encodings[i] + ") echoed", TEXT, asciiText(size));
        }
        for (int i = 0; i < sizes.length; i++) {
            int size = sizes[i];
            echoes("binary of " + size + " bytes (" + encodings[i] + ") echoed", BINARY, random(size, size));
        }
        add("20 messages in one write echoed in order", to -> {
            WsPeer peer = to.open();
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                frames.add(i % 2 == 0 ? WsWire.text("message " + i, true) : WsWire.masked(true, BINARY, utf8("message " + i)));
            }
            peer.send(frames.toArray(byte[][]::new));
            for (int i = 0; i < 20; i++) {
                peer.expectEcho(i % 2 == 0 ? TEXT : BINARY, utf8("message " + i));
            }
            peer.closeNormally();
        });
        add("a frame split over 3 writes (header, half, rest) echoed", to -> {
            byte[] frame = WsWire.text("split across writes", true);
            WsPeer peer = to.open();
            peer.send(Arrays.copyOfRange(frame, 0, 2));
            peer.send(Arrays.copyOfRange(frame, 2, 12));
            peer.send(Arrays.copyOfRange(frame, 12, frame.length));
            peer.expectEcho("split across writes");
            peer.closeNormally();
        });
    }

    // ---- 5.7 the examples of RFC 6455 ----

    private void rfcExamples() {
        section("5.7");
        add("masked 'Hello' (81 85 37 fa 21 3d ...) echoed as 81 05 48 65 6c 6c 6f", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58));
            peer.expectBytes(WsWire.bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
            peer.closeNormally();
        });
        add("fragmented 'Hel' + 'lo' (masked) echoed as 'Hello'", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.frame(false, 0, TEXT, utf8("Hel"), RFC_MASK), WsWire.frame(true, 0, CONTINUATION, utf8("lo"), RFC_MASK));
            peer.expectEcho("Hello");
            peer.closeNormally();
        });
        add("masked ping 'Hello' answered as 8a 05 48 65 6c 6c 6f", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.frame(true, 0, PING, utf8("Hello"), RFC_MASK));
            peer.expectBytes(WsWire.bytes(0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
            peer.closeNormally();
        });
        add("256-byte binary echoed with header 82 7e 01 00", to -> {
            byte[] data = random(256, 256);
            WsPeer peer = to.open();
            peer.send(WsWire.frame(true, 0, BINARY, data, RFC_MASK));
            peer.expectBytes(concat(WsWire.bytes(0x82, 0x7e, 0x01, 0x00), data));
            peer.closeNormally();
        });
        add("65536-byte binary echoed with header 82 7f 00 00 00 00 00 01 00 00", to -> {
            byte[] data = random(65536, 65536);
            WsPeer peer = to.open();
            peer.send(WsWire.frame(true, 0, BINARY, data, RFC_MASK));
            peer.expectBytes(concat(WsWire.bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0), data));
            peer.closeNormally();
        });
    }

    // ---- 8.1 UTF-8 (RFC 6455 sections 5.6 and 8.1) ----

    private void utf8() {
        section("8.1");
        echoes("2-byte sequences 'κόσμε' echoed", TEXT, utf8("κόσμε"));
        echoes("3-byte sequences '€ 中文' echoed", TEXT, utf8("€ 中文"));
        echoes("4-byte sequences (U+1F600, U+10FFFF) echoed", TEXT, utf8("\uD83D\uDE00 \uDBFF\uDFFF"));
        echoes("U+FEFF and U+FFFD echoed", TEXT, utf8("\uFEFF\uFFFD"));
        add("3-byte code point split across fragments accepted", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.masked(false, TEXT, WsWire.bytes('a', 0xe2, 0x82)), WsWire.masked(true, CONTINUATION, WsWire.bytes(0xac, 'b')));
            peer.expectEcho("a€b");
            peer.closeNormally();
        });
        add("4-byte code point in 4 one-byte fragments accepted", to -> {
            WsPeer peer = to.open();
            byte[] smiley = utf8("\uD83D\uDE00");
            peer.send(WsWire.masked(false, TEXT, new byte[] {smiley[0]}), WsWire.masked(false, CONTINUATION, new byte[] {smiley[1]}),
                WsWire.masked(false, CONTINUATION, new byte[] {smiley[2]}), WsWire.masked(true, CONTINUATION, new byte[] {smiley[3]}));
            peer.expectEcho("\uD83D\uDE00");
            peer.closeNormally();
        });
        invalidText("lone continuation byte 0x80 -> 1007", WsWire.bytes('a', 0x80, 'b'));
        invalidText("overlong '/' (c0 af) -> 1007", WsWire.bytes(0xc0, 0xaf));
        invalidText("overlong 3-byte NUL (e0 80 80) -> 1007", WsWire.bytes(0xe0, 0x80, 0x80));
        invalidText("UTF-16 surrogate U+D800 (ed a0 80) -> 1007", WsWire.bytes(0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xed, 0xa0, 0x80, 0x65));
        invalidText("above U+10FFFF (f4 90 80 80) -> 1007", WsWire.bytes(0xf4, 0x90, 0x80, 0x80));
        invalidText("byte 0xff -> 1007", WsWire.bytes('o', 'k', 0xff));
        invalidText("message ends inside a code point (e2 82) -> 1007", WsWire.bytes('a', 0xe2, 0x82));
        add("fragmented message ends inside a code point -> 1007", to -> {
            to.open().send(WsWire.masked(false, TEXT, utf8("ok")), WsWire.masked(true, CONTINUATION, WsWire.bytes(0xf0, 0x9f, 0x98)))
                .expectCloseFromServer(1007);
        });
        add("invalid byte in the FIRST fragment fails at once, before the message ends -> 1007", to -> {
            // the rest of the message never comes: only a check as the bytes arrive can answer
            to.open().send(WsWire.masked(false, TEXT, WsWire.bytes('o', 'k', 0xff, 'x'))).expectCloseFromServer(1007);
        });
        add("invalid byte in a middle fragment fails at once -> 1007", to -> {
            to.open().send(WsWire.masked(false, TEXT, utf8("fine ")), WsWire.masked(false, CONTINUATION, WsWire.bytes(0xc0, 0xaf)))
                .expectCloseFromServer(1007);
        });
        add("valid text echoed, then invalid text -> 1007", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("valid", true), WsWire.masked(true, TEXT, WsWire.bytes(0xed, 0xbf, 0xbf)));
            peer.expectEcho("valid");
            peer.expectCloseFromServer(1007);
        });
        echoes("binary with invalid UTF-8 echoed (binary is not checked)", BINARY, WsWire.bytes(0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80));
    }

    private void invalidText(String title, byte[] payload) {
        fails("text: " + title, 1007, WsWire.masked(true, TEXT, payload));
    }

    // ---- 7 closing ----

    private void closing() {
        section("7");
        add("after close no more frames are processed: no echo, no pong", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.close(1000, "done"), WsWire.text("after the close", true), WsWire.masked(true, PING, utf8("after")));
            WsWire.ServerFrame answer = peer.next();
            if (answer.opcode() != CLOSE || answer.closeCode() != 1000) {
                throw peer.failure("expected the close answer 1000 first and only, got " + answer);
            }
            peer.awaitTcpClose();
        });
        add("server closes TCP after the close handshake", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.close(1000, ""));
            peer.expectCloseAnswer(1000); // includes waiting for the end of TCP
        });
        add("text then close in one write: echo, then close", to -> {
            WsPeer peer = to.open();
            peer.send(WsWire.text("last words", true), WsWire.close(1001, "going"));
            peer.expectEcho("last words");
            peer.expectCloseAnswer(1001);
        });
        add("close reason with multi-byte UTF-8 answered", to -> {
            to.open().send(WsWire.close(4001, "€".repeat(41))).expectCloseAnswer(4001);
        });
        add("a peer that vanishes mid-message does not disturb the next session", to -> {
            WsPeer gone = to.open();
            gone.send(WsWire.text("half a", false), Arrays.copyOf(WsWire.text("partial frame", true), 5));
            gone.close();
            WsPeer next = to.open();
            next.sendMessage(TEXT, utf8("still here")).expectEcho("still here");
            next.closeNormally();
        });
    }

    // ---- RFC 7692 permessage-deflate ----

    private void permessageDeflate() {
        section("7692");
        add("offer 'permessage-deflate; client_max_window_bits' accepted with a valid response", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.closeNormally();
        });
        add("offer without parameters accepted, no client_max_window_bits in the answer", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate");
            checkAgreement(peer);
            if (peer.deflateParameters().containsKey("client_max_window_bits")) {
                throw new AssertionError("client_max_window_bits answered though not offered: " + peer.extensionsHeader());
            }
            peer.closeNormally();
        });
        add("offer server_max_window_bits=10 declined (no header), handshake still 101, echo works", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10");
            if (peer.extensionsHeader() != null) {
                throw new AssertionError("expected no Sec-WebSocket-Extensions, got " + peer.extensionsHeader());
            }
            peer.sendMessage(TEXT, utf8("uncompressed")).expectEcho("uncompressed");
            peer.closeNormally();
        });
        add("offers 'server_max_window_bits=10, plain': the second accepted", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, permessage-deflate");
            checkAgreement(peer);
            if (peer.deflateParameters().containsKey("server_max_window_bits")) {
                throw new AssertionError("the answer takes the declined offer's parameter: " + peer.extensionsHeader());
            }
            peer.closeNormally();
        });
        add("offer with an unknown parameter declined, handshake still 101", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate; no_such_parameter");
            if (peer.extensionsHeader() != null) {
                throw new AssertionError("expected no Sec-WebSocket-Extensions, got " + peer.extensionsHeader());
            }
            peer.closeNormally();
        });
        add("offer of an unknown extension only: no header, handshake 101", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: x-no-such-extension");
            if (peer.extensionsHeader() != null) {
                throw new AssertionError("expected no Sec-WebSocket-Extensions, got " + peer.extensionsHeader());
            }
            peer.closeNormally();
        });
        compressedEcho("compressed 'Hello' echoed", TEXT, utf8("Hello"), 1);
        compressedEcho("compressed text of 10000 bytes echoed", TEXT, asciiText(10_000), 1);
        compressedEcho("compressed binary of 10000 random bytes echoed", BINARY, random(10_000, 7692), 1);
        compressedEcho("compressed text in 3 fragments (RSV1 on the first only) echoed", TEXT, asciiText(5000), 3);
        compressedEcho("compressed text of 1000000 bytes echoed", TEXT, asciiText(1_000_000), 1);
        compressedEcho("empty compressed message (payload 00) echoed", TEXT, new byte[0], 1);
        add("uncompressed message on a deflate session echoed", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.sendMessage(TEXT, utf8("not compressed")).expectEcho("not compressed");
            peer.closeNormally();
        });
        add("context takeover: 5 compressed messages referring to the earlier ones echoed", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            for (int i = 0; i < 5; i++) {
                byte[] message = utf8("the same words again and again, message " + i);
                peer.send(peer.compressedFrames(TEXT, message, 1)).expectEcho(TEXT, message);
            }
            peer.closeNormally();
        });
        add("client_no_context_takeover offered: accepted, 5 messages echoed", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover");
            checkAgreement(peer);
            for (int i = 0; i < 5; i++) {
                byte[] message = utf8("the same words again and again, message " + i);
                peer.send(peer.compressedFrames(TEXT, message, 1)).expectEcho(TEXT, message);
            }
            peer.closeNormally();
        });
        add("server_no_context_takeover offered: answered, every echo inflates on its own", to -> {
            WsPeer peer = to.open("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover");
            checkAgreement(peer);
            if (!peer.deflateParameters().containsKey("server_no_context_takeover")) {
                throw new AssertionError("server_no_context_takeover not in the answer: " + peer.extensionsHeader());
            }
            byte[] message = utf8("repeat after me, repeat after me, repeat after me");
            for (int i = 0; i < 3; i++) {
                peer.send(peer.compressedFrames(TEXT, message, 1));
                WsWire.ServerFrame echo = peer.next();
                byte[] inflated = echo.payload();
                if ((echo.rsv() & RSV1) != 0) {
                    try (DeflateClient fresh = new DeflateClient(java.util.zip.Deflater.DEFAULT_COMPRESSION, true)) {
                        inflated = fresh.inflate(echo.payload());
                    } catch (java.util.zip.DataFormatException e) {
                        throw peer.failure("echo " + i + " does not inflate without the earlier messages: " + e.getMessage());
                    }
                }
                if (!echo.fin() || !Arrays.equals(message, inflated)) {
                    throw peer.failure("echo " + i + " is not the message (as one frame): " + echo);
                }
            }
            peer.closeNormally();
        });
        add("ping between compressed fragments: pong and whole message", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            byte[] message = asciiText(3000);
            byte[][] frames = peer.compressedFrames(TEXT, message, 2);
            peer.send(frames[0], WsWire.masked(true, PING, utf8("p")), frames[1]);
            WsWire.ServerFrame pong = peer.next();
            if (pong.opcode() != PONG || !pong.text().equals("p")) {
                throw peer.failure("expected the pong first (the message is not complete before it), got " + pong);
            }
            peer.expectEcho(TEXT, message);
            peer.closeNormally();
        });
        add("RSV1 on a continuation -> 1002", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            byte[][] frames = peer.compressedFrames(TEXT, asciiText(2000), 2);
            frames[1][0] |= 0x40;
            peer.send(frames).expectCloseFromServer(1002);
        });
        add("RSV1 on a ping -> 1002", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(WsWire.frame(true, RSV1, PING, utf8("p"), true)).expectCloseFromServer(1002);
        });
        add("RSV1 on a close -> 1002", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(WsWire.frame(true, RSV1, CLOSE, WsWire.closePayload(1000, new byte[0]), true)).expectCloseFromServer(1002);
        });
        add("RSV2 with permessage-deflate agreed -> 1002", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(WsWire.frame(true, 0b010, TEXT, utf8("x"), true)).expectCloseFromServer(1002);
        });
        add("compressed data that does not inflate -> 1007", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(WsWire.frame(true, RSV1, TEXT, WsWire.bytes(0xff, 0xff, 0xff, 0xff, 0x00), true)).expectCloseFromServer(1007);
        });
        add("compressed text that inflates to invalid UTF-8 -> 1007", to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(peer.compressedFrames(TEXT, WsWire.bytes('o', 'k', 0xc0, 0xaf), 1)).expectCloseFromServer(1007);
        });
    }

    /** RFC 7692 for an endpoint that does not compress: every offer declined, the session uncompressed. */
    private void deflateDeclined() {
        section("7692");
        for (String offer : new String[] {"permessage-deflate; client_max_window_bits", "permessage-deflate",
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover"}) {
            add("offer '" + offer + "' declined (no header), handshake 101, echo uncompressed", to -> {
                WsPeer peer = to.open("Sec-WebSocket-Extensions: " + offer);
                if (peer.extensionsHeader() != null) {
                    throw new AssertionError("expected no Sec-WebSocket-Extensions, got " + peer.extensionsHeader());
                }
                peer.sendMessage(TEXT, utf8("uncompressed")).expectEcho("uncompressed");
                peer.closeNormally();
            });
        }
        add("a compressed frame (RSV1) after the offer was declined -> 1002", to -> {
            WsPeer peer = to.open(OFFER);
            peer.send(WsWire.frame(true, RSV1, TEXT, WsWire.bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00), true))
                .expectCloseFromServer(1002);
        });
    }

    private void compressedEcho(String title, int opcode, byte[] message, int fragments) {
        add(title, to -> {
            WsPeer peer = to.open(OFFER);
            checkAgreement(peer);
            peer.send(peer.compressedFrames(opcode, message, fragments)).expectEcho(opcode, message);
            peer.closeNormally();
        });
    }

    /** The 101 agreed on permessage-deflate with parameters RFC 7692 section 7.1 allows in an answer. */
    private static void checkAgreement(WsPeer peer) {
        if (peer.deflateParameters() == null) {
            throw new AssertionError("permessage-deflate not agreed: Sec-WebSocket-Extensions is " + peer.extensionsHeader());
        }
        for (var parameter : peer.deflateParameters().entrySet()) {
            switch (parameter.getKey()) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (!parameter.getValue().isEmpty()) {
                        throw new AssertionError(parameter.getKey() + " takes no value: " + peer.extensionsHeader());
                    }
                }
                case "server_max_window_bits", "client_max_window_bits" -> {
                    if (!parameter.getValue().matches("8|9|1[0-5]")) {
                        throw new AssertionError(parameter.getKey() + " must be 8 to 15: " + peer.extensionsHeader());
                    }
                }
                default -> throw new AssertionError("unknown parameter " + parameter.getKey() + ": " + peer.extensionsHeader());
            }
        }
        if (peer.extensionsHeader().split(",").length != 1) {
            throw new AssertionError("more than one extension answered: " + peer.extensionsHeader());
        }
    }

    // ---- bytes ----

    private static byte[] cont(boolean fin, String text) {
        return WsWire.masked(fin, CONTINUATION, utf8(text));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} printable ASCII bytes, a repeating sentence (compresses well). */
    static byte[] asciiText(int size) {
        byte[] sentence = utf8("The quick brown fox jumps over the lazy dog. ");
        byte[] text = new byte[size];
        for (int i = 0; i < size; i++) {
            text[i] = sentence[i % sentence.length];
        }
        return text;
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sequence(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
