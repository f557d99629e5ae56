package io.upgradebridge.websocket.internal;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.NonBlockingUpgrade;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websocket.WebSocketUpgrade;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A WebSocket upgrade whose RAW session runs a {@link RawWebSocketSession.Layer} (the WebSockets feature's default
 * session) instead of an application handler: the handshake (answer, checks, extended CONNECT) is a
 * {@link WebSocketUpgrade}'s, only the session it starts differs.
 */
public final class LayerUpgrade extends OutgoingContent.ProtocolUpgrade implements NonBlockingUpgrade {

    /** The handshake this upgrade answers with; its handler is never run. */
    private final WebSocketUpgrade handshake;
    private final RawWebSocketSession.Layer layer;

    public LayerUpgrade(ApplicationCall call, String protocol, WebSocketUpgrade.Options options, RawWebSocketSession.Layer layer) {
        this.handshake = new WebSocketUpgrade(call, protocol, options, session -> CompletableFuture.failedFuture(
            new IllegalStateException("a layered session runs its layer, not a handler")));
        this.layer = Objects.requireNonNull(layer, "layer");
    }

    @Override
    public Headers headers() {
        return handshake.headers();
    }

    @Override
    public String connectProtocol() {
        return handshake.connectProtocol();
    }

    @Override
    public OutgoingContent refusal(ApplicationCall call) {
        return handshake.refusal(call);
    }

    @Override
    public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
        return new RawWebSocketSession(handshake.call(), input, output, engineContext, userContext, handshake.options())
            .startLayer(layer);
    }

    @Override
    public String toString() {
        return "LayerUpgrade{" + handshake + '}';
    }
}
