/**
 * Ktor's {@code OutgoingContent} / {@code ProtocolUpgrade} model on servlet containers: the content types
 * ({@code io.upgradebridge.content}), the non-blocking byte channels and {@code Job} ({@code io.upgradebridge.io}),
 * and {@code ApplicationCall} with the {@code ProtocolUpgradeFilter} that performs every upgrade
 * ({@code io.upgradebridge.servlet}).
 *
 * <p>Only those packages are the API. The {@code .internal} packages are the implementation: the channels' transport
 * ports and loop primitive are shared with the bridge's own WebSocket modules only. Web applications use the jar on
 * the class path, where this descriptor is ignored and everything works the same.
 */
@SuppressWarnings("module") // qualified exports name modules built after this one
module io.upgradebridge.servlet {
    requires transitive jakarta.servlet;
    // JNDI: the server's managed executor (java:comp/DefaultManagedExecutorService) where there is one
    requires java.naming;
    // Jetty's connection API, for the Jetty adapter (servlet.internal.jetty): loaded by name, only on Jetty.
    requires static org.eclipse.jetty.server;
    requires static org.eclipse.jetty.io;
    requires static org.eclipse.jetty.util;
    // Tomcat's internal upgrade API (servlet.internal.tomcat) is not required here: Tomcat's module also holds the
    // Servlet API's packages, which this module reads from jakarta.servlet. The adapter is compiled against Tomcat on
    // the class path and, on the module path, reads Tomcat's module once it runs on Tomcat (TransportChoice).

    exports io.upgradebridge.content;
    exports io.upgradebridge.io;
    exports io.upgradebridge.servlet;

    exports io.upgradebridge.io.internal to io.upgradebridge.websocket, io.upgradebridge.websockets;
}
