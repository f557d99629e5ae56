package io.upgradebridge.sample;

import io.upgradebridge.sample.cluster.ChatBroker;
import io.upgradebridge.sample.cluster.ChatCluster;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.WebSocketSession;
import io.upgradebridge.websocket.WebSocketUpgrade;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /chat}: WebSocket subprotocol {@code chat}. Every text message a member sends goes to every connected
 * member, the sender included. A client that does not offer {@code chat} in {@code Sec-WebSocket-Protocol} is
 * refused by {@link WebSocketUpgrade}'s handshake check (400 with a one-line reason) before anything is upgraded.
 *
 * <p>A raw session, like {@link EchoServlet}: pings and the close handshake are answered here too. Fragmented
 * text messages are put together before they are broadcast; binary messages are ignored. Sessions of one web
 * application are kept in a concurrent set; a session leaves it when it ends, however it ends. A session joins when
 * its handler starts, which is just after the 101: a message broadcast in between does not reach it.
 *
 * <p>With {@link io.upgradebridge.sample.SampleSettings#CHAT_REDIS} set, the chat spans every node of the
 * application ({@link ChatCluster}): a message goes to this node's members at once and to the other nodes' through
 * Redis (room {@value #ROOM}); without it, the chat is this node's alone.
 */
@WebServlet(urlPatterns = "/chat", asyncSupported = true)
public class ChatServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PROTOCOL = "chat";
    /** The room of this chat in the cluster (the default-session chat is another room). */
    static final String ROOM = "chat";

    /** The connected members (per servlet instance, so per deployment). */
    private final Set<WebSocketSession> members = ConcurrentHashMap.newKeySet();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApplicationCall call = ApplicationCall.of(request);
        call.respond(new WebSocketUpgrade(call, PROTOCOL, this::join));
    }

    private CompletionStage<Void> join(WebSocketSession session) {
        ChatCluster.broker().subscribe(ROOM, this::deliver); // the same delivery every time: cheap, and it survives a new broker
        members.add(session);
        return new Member(session).loop().whenComplete((v, e) -> members.remove(session));
    }

    /** A member's message: to every member here, then to the other nodes (if any). */
    private void broadcast(String text) {
        deliver(text);
        ChatCluster.broker().publish(ROOM, text);
    }

    /** Sends {@code text} to every member; a member that is gone is skipped (it leaves the set when it ends). */
    private void deliver(String text) {
        for (WebSocketSession member : members) {
            member.send(Frame.text(text)); // each send is bounded by that member's output buffer
        }
    }

    /** One member's receive loop (asynchronous: no thread waits for it). */
    private final class Member {

        private final WebSocketSession session;
        /** The parts of a fragmented text message received so far, or null outside one. */
        private ByteArrayOutputStream partialText;
        private boolean inBinaryMessage;

        Member(WebSocketSession session) {
            this.session = session;
        }

        /** Receives frames until the session is over, without a waiting thread (see {@code IncomingFrames.forEach}). */
        CompletionStage<Void> loop() {
            return session.incoming().forEach(frame -> CompletableFuture.completedFuture(handle(frame)));
        }

        /** Returns whether to receive the next frame. */
        private boolean handle(Frame frame) {
            switch (frame.type()) {
                case PING:
                    session.send(Frame.pong(frame.data()));
                    return true;
                case PONG:
                    return true;
                case CLOSE:
                    CloseReason reason = frame.closeReason();
                    session.close(reason != null ? reason : new CloseReason(CloseReason.Codes.NORMAL, ""));
                    return false; // the session flushes the close frame before it ends
                case TEXT:
                    if (frame.fin()) {
                        broadcast(frame.textData());
                    } else {
                        partialText = new ByteArrayOutputStream();
                        append(frame.data());
                    }
                    return true;
                case BINARY:
                    inBinaryMessage = !frame.fin();
                    return true;
                case CONTINUATION:
                    if (inBinaryMessage) {
                        inBinaryMessage = !frame.fin();
                    } else if (partialText != null) {
                        append(frame.data());
                        if (frame.fin()) {
                            String text = partialText.toString(StandardCharsets.UTF_8);
                            partialText = null;
                            broadcast(text);
                        }
                    }
                    return true;
                default:
                    return true;
            }
        }

        private void append(ByteBuffer data) {
            ByteBuffer copy = data.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            partialText.write(bytes, 0, bytes.length);
        }
    }
}
