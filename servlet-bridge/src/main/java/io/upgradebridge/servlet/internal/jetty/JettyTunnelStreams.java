package io.upgradebridge.servlet.internal.jetty;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes Jetty's HTTP/2 session let go of an extended CONNECT's stream once the bridge has closed the stream's endpoint.
 *
 * <p>Jetty 12.1.8's {@code HTTP2StreamEndPoint.close()} queues the stream's {@code END_STREAM} and marks the stream
 * closed ({@code HTTP2Stream.close()}) at once, but does not remove it from its {@code HTTP2Session}. Jetty removes a
 * stream only where it sees the second of the two {@code END_STREAM}s (its read in {@code HTTP2Stream.readData()}, or
 * the sent-callback of the {@code DATA} frame in {@code HTTP2Session}), or on a reset or a {@code DATA} frame for the
 * closed stream, and the first two find the stream already closed and do nothing. So when the peer's {@code END_STREAM}
 * was read before the bridge closed, and the bridge's own is written after {@code close()} returned (the session's
 * frame flusher was busy: typically {@code close()} runs inside the sent-callback of the WebSocket close frame), the
 * stream stays in the session for good. The session then never has zero streams: its graceful {@code GOAWAY} never
 * completes, and once the peer has left (its {@code GOAWAY}, then the end of its TCP connection) the session waits for
 * that stream with its connection open (no longer reading, so the connector's shutdown idle timeout does not end it
 * either) until the connector is stopped: {@code Server.stop()} runs into its whole stop timeout. (Jetty issue 15657 reports the same orphaned tunnel streams.)
 *
 * <p>Jetty hides its HTTP/2 classes from web applications by name, but the stream is the endpoint's transport object,
 * and the public {@code Stream.getSession()} and {@code HTTP2Session.removeStream(Stream)} are called on the objects
 * through the stream's own class loader. Removing is idempotent: a stream Jetty removed already stays removed.
 */
final class JettyTunnelStreams {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** {@code Stream.getSession()} and {@code HTTP2Session.removeStream(Stream)}, per stream class (one per Jetty). */
    private static final ClassValue<Method[]> METHODS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> streamType) {
            try {
                ClassLoader jetty = streamType.getClassLoader();
                Class<?> stream = Class.forName("org.eclipse.jetty.http2.api.Stream", false, jetty);
                Class<?> session = Class.forName("org.eclipse.jetty.http2.HTTP2Session", false, jetty);
                if (!stream.isAssignableFrom(streamType)) {
                    return null;
                }
                return new Method[] {stream.getMethod("getSession"), session.getMethod("removeStream", stream)};
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    };

    private JettyTunnelStreams() {
    }

    /**
     * Removes {@code transport} (an endpoint's transport: Jetty's HTTP/2 stream) from its HTTP/2 session, after the
     * stream's endpoint was closed. Never throws: a Jetty without these methods is logged once.
     *
     * @return whether this call removed it ({@code false}: Jetty had removed it already, or it is not an HTTP/2 stream)
     */
    static boolean release(Object transport) {
        if (transport == null) {
            return false;
        }
        Method[] methods = METHODS.get(transport.getClass());
        if (methods == null) {
            warnOnce(transport, null);
            return false;
        }
        try {
            Object session = methods[0].invoke(transport);
            if (!methods[1].getDeclaringClass().isInstance(session)) {
                warnOnce(transport, null);
                return false;
            }
            return (Boolean) methods[1].invoke(session, transport);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce(transport, e);
            return false;
        }
    }

    private static void warnOnce(Object transport, Throwable cause) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove a closed HTTP/2 stream (" + transport.getClass().getName()
                + ") from Jetty's HTTP/2 session: such a stream can keep a graceful stop waiting for its timeout", cause);
        }
    }
}
