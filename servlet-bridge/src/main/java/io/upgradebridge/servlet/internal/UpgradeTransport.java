package io.upgradebridge.servlet.internal;

/** The container side of one upgraded connection: what {@link UpgradedConnection} asks of it. */
public interface UpgradeTransport {

    /** Starts moving bytes between the socket and the connection's channels. Called once. */
    void startPumps();

    /** Closes the TCP connection after the output was fully sent. Idempotent, any thread. */
    void close();

    /** Closes the TCP connection at once, dropping what is not sent. Idempotent, any thread. */
    void abort(Throwable cause);

    /** Short description for logs ("Tomcat servlet upgrade", "Jetty connection", ...). */
    String describe();
}
