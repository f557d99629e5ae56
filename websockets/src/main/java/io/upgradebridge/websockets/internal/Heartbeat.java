package io.upgradebridge.websockets.internal;

import io.upgradebridge.websocket.CloseReason;
import io.upgradebridge.websocket.Frame;
import io.upgradebridge.websocket.internal.RawWebSocketSession;
import io.upgradebridge.websockets.WebSocketSettings;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The timers of one default session: pings the peer every {@link WebSocketSettings#pingPeriod()} and drops it when
 * the pong does not come within {@link WebSocketSettings#timeout()} (1006), and closes a peer that sent nothing for
 * {@link WebSocketSettings#idleTimeout()} (1001). Its tasks only queue frames or end the session; they never wait.
 */
final class Heartbeat {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.websockets");

    /** Our pings carry this prefix and a counter, so that their pongs can be told from unsolicited ones. */
    static final String PING_PREFIX = "upgrade-bridge-ping-";

    private final RawWebSocketSession raw;
    private final WebSocketSettings settings;
    private final SessionTimers timers;
    private final CloseHandshake close;
    private final Supplier<String> describe;
    /** The payload of our ping still waiting for its pong, or {@code null}. */
    private final AtomicReference<String> awaitedPong = new AtomicReference<>();
    private final AtomicLong pings = new AtomicLong();
    private volatile long lastFrameNanos;

    Heartbeat(RawWebSocketSession raw, WebSocketSettings settings, SessionTimers timers, CloseHandshake close,
              Supplier<String> describe) {
        this.raw = raw;
        this.settings = settings;
        this.timers = timers;
        this.close = close;
        this.describe = describe;
    }

    /** Starts the pings and the idle check the settings ask for. */
    void start() {
        lastFrameNanos = System.nanoTime();
        if (!settings.pingPeriod().isZero()) {
            timers.schedule(settings.pingPeriod(), this::pingTick);
        }
        if (!settings.idleTimeout().isZero()) {
            timers.schedule(settings.idleTimeout(), this::idleCheck);
        }
    }

    /** A frame came from the peer: it is not idle. */
    void frameArrived() {
        lastFrameNanos = System.nanoTime();
    }

    /** A pong came: the one for our ping, or an unsolicited one (a heartbeat: nothing to answer). */
    void pongArrived(Frame pong) {
        String awaited = awaitedPong.get();
        if (awaited != null && pong.data().equals(ByteBuffer.wrap(awaited.getBytes(StandardCharsets.US_ASCII)))) {
            awaitedPong.compareAndSet(awaited, null); // race: the pong deadline looks at the same moment; a pong in time wins
        }
    }

    private void pingTick() {
        if (!close.isOpen()) {
            return;
        }
        if (awaitedPong.get() == null) {
            String payload = PING_PREFIX + pings.incrementAndGet();
            awaitedPong.set(payload);
            raw.send(Frame.ping(ByteBuffer.wrap(payload.getBytes(StandardCharsets.US_ASCII))));
            timers.schedule(settings.timeout(), () -> pongDeadline(payload));
        }
        timers.schedule(settings.pingPeriod(), this::pingTick);
    }

    private void pongDeadline(String payload) {
        if (payload.equals(awaitedPong.get()) && !close.isClosed()) {
            String why = "no pong within " + DefaultSession.format(settings.timeout());
            LOG.log(Level.DEBUG, () -> "dropping the WebSocket session of " + describe.get() + ": " + why);
            close.drop(new CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, why));
        }
    }

    private void idleCheck() {
        if (!close.isOpen()) {
            return;
        }
        long quietNanos = System.nanoTime() - lastFrameNanos;
        long idleNanos = settings.idleTimeout().toNanos();
        if (quietNanos >= idleNanos) {
            close.start(new CloseReason(CloseReason.Codes.GOING_AWAY, "idle timeout"));
        } else {
            timers.schedule(Duration.ofNanos(idleNanos - quietNanos), this::idleCheck);
        }
    }
}
