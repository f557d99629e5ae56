package io.upgradebridge.servlet.internal;

/** The container side of one upgraded connection: what {@link UpgradedConnection} asks of it. */
public interface UpgradeTransport {

    /** Starts moving bytes between the socket and the connection's channels. Called once. */
    void startPumps();

    /** Closes the connection after the output was fully sent (and the input ended, or lingered). Idempotent, any thread. */
    void close();

    /**
     * Half-closes the connection for a lingering close: a FIN after the bytes already sent (the output was drained),
     * while the peer's bytes still arrive. Any thread, once.
     *
     * @return whether it could; a transport that cannot (TLS, a container without a way) leaves the output open
     */
    default boolean shutdownOutput() {
        return false;
    }

    /**
     * Bounds a lingering close in time: from now on, a connection on which no byte arrives for {@code millis} is
     * closed by the container (reported as a failure or a close, as any other). Any thread, once.
     *
     * @return whether the transport can; one that cannot is closed at once instead of lingering
     */
    default boolean closeWhenSilent(long millis) {
        return false;
    }

    /**
     * Whether closing while the peer still sends would cut it off badly even when the application stops (an HTTP/2
     * stream: a reset, and a stream left behind in the container's HTTP/2 session). Such a connection always lingers
     * before it closes: its input is read and dropped until the peer ends its side, bounded as every lingering close.
     */
    default boolean mustDrainBeforeClose() {
        return false;
    }

    /** Closes the TCP connection at once, dropping what is not sent. Idempotent, any thread. */
    void abort(Throwable cause);

    /** Short description for logs ("Tomcat servlet upgrade", "Jetty connection", ...). */
    String describe();
}
