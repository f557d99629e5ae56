package io.upgradebridge.containertests.process;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * An application server that {@link ProcessAgent} runs in its own JVM, driven through the server's embedding API
 * (by reflection: this module compiles without the server's jars). One web application, deployed at {@code "/"}.
 */
interface ServerAdapter {

    /**
     * Boots the server with an HTTP listener on {@code 127.0.0.1:port}; nothing deployed yet. With {@code tls} the
     * listener on {@code port} is the server's HTTPS one, with the server's own certificate and HTTP/2 by ALPN where
     * the server offers it (HTTP goes to another free port). With {@code accessLog}, the server writes every request
     * line it answers to a file of that folder as it answers it (see {@link AccessLogTail}).
     */
    void start(int port, Path workDir, OptionalLong idleTimeoutMillis, boolean tls, Path accessLog) throws Exception;

    /** Deploys {@code war} at context root {@code "/"}. */
    void deploy(Path war) throws Exception;

    /** Undeploys what {@link #deploy} deployed; the server keeps running. */
    void undeploy() throws Exception;

    /** Stops the server. */
    void stop() throws Exception;

    /** @return the server's JDK requirement in words, for errors, e.g. "Java 21 or newer" */
    default String name() {
        return getClass().getSimpleName();
    }
}
