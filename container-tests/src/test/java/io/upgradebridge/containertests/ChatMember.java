package io.upgradebridge.containertests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A member of the sample's chat ({@code /chat} or {@code /ws/chat}, subprotocol {@code chat}) through the JDK's
 * WebSocket client: sends text one message at a time, keeps every text message it receives in order, and records
 * how the session ended.
 */
final class ChatMember implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(15);

    final String name;
    private final WebSocket socket;
    private final BlockingQueue<String> received;
    private final CompletableFuture<String> ended;
    private final List<String> seen = new ArrayList<>();

    private ChatMember(String name, WebSocket socket, BlockingQueue<String> received, CompletableFuture<String> ended) {
        this.name = name;
        this.socket = socket;
        this.received = received;
        this.ended = ended;
    }

    /**
     * Connects to {@code uri} and waits until the member has joined: its own first message came back, so every message
     * sent after this returns reaches it.
     */
    static ChatMember join(HttpClient client, URI uri, String name) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<String> ended = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().connectTimeout(WAIT).subprotocols("chat")
            .buildAsync(uri, new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        received.add(text.toString());
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                    ended.complete("close " + statusCode);
                    return null;
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    ended.complete("error " + error);
                }
            }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ChatMember member = new ChatMember(name, socket, received, ended);
        String hello = "join " + name;
        member.send(hello);
        member.await(hello::equals);
        return member;
    }

    /** Sends one text message (waits until the client has sent it). */
    void send(String text) throws Exception {
        socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits (bounded) for the next received message that matches; returns it. Messages before it are kept in {@link #seen()}. */
    String await(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String message = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new AssertionError(name + ": no matching message within " + WAIT + "; received so far: " + tail());
            }
            seen.add(message);
            if (wanted.test(message)) {
                return message;
            }
        }
    }

    /** Waits (bounded) until {@code count} messages matching {@code wanted} arrived; returns them in order. */
    List<String> awaitAll(Predicate<String> wanted, int count) throws InterruptedException {
        List<String> matching = new ArrayList<>();
        while (matching.size() < count) {
            matching.add(await(wanted));
        }
        return matching;
    }

    /** Receives for {@code time} and returns what came (for checks that something did not arrive). */
    List<String> drain(Duration time) throws InterruptedException {
        long deadline = System.nanoTime() + time.toNanos();
        List<String> messages = new ArrayList<>();
        while (true) {
            String message = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                seen.addAll(messages);
                return messages;
            }
            messages.add(message);
        }
    }

    /** Every message received so far that an await or drain took. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** Waits (bounded) for the end of the session: {@code close CODE} or {@code error ...}. */
    String awaitEnd(Duration timeout) throws Exception {
        return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String tail() {
        List<String> all = new ArrayList<>(seen);
        all.addAll(received);
        return all.size() > 20 ? "... " + all.subList(all.size() - 20, all.size()) : all.toString();
    }

    /** Sends a close (1000) if the session is still open, and aborts it after a bounded wait. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            }
            ended.get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // gone already
        } finally {
            socket.abort();
        }
    }

    @Override
    public String toString() {
        return "ChatMember " + name;
    }
}
