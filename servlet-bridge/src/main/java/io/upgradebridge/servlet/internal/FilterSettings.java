package io.upgradebridge.servlet.internal;

import jakarta.servlet.FilterConfig;

import java.util.Locale;

/**
 * The parameters of a {@code ProtocolUpgradeFilter}, each a filter init-param, else a context-param of the same name,
 * read and checked once at {@code init}. The filter publishes their names as its own constants.
 *
 * @param executor the configured executor's name ({@value #EXECUTOR_PARAM}), or {@code null}
 * @param transport how connections are taken over ({@value #TRANSPORT_PARAM})
 * @param bufferSize bytes buffered per direction and connection ({@value #BUFFER_SIZE_PARAM})
 */
public record FilterSettings(String executor, TransportChoice.Mode transport, int bufferSize) {

    /** Names the executor for upgrades: a JNDI name or a servlet-context attribute. */
    public static final String EXECUTOR_PARAM = "io.upgradebridge.executor";
    /** {@code auto}, {@code servlet}, {@code jetty} or {@code tomcat}. */
    public static final String TRANSPORT_PARAM = "io.upgradebridge.transport";
    /** Bytes buffered per direction and connection. */
    public static final String BUFFER_SIZE_PARAM = "io.upgradebridge.bufferSize";

    /** Bytes buffered per direction and connection unless configured. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    private static final int MIN_BUFFER_SIZE = 1024;
    private static final int MAX_BUFFER_SIZE = 64 * 1024 * 1024;

    /**
     * Reads the parameters of {@code config}.
     *
     * @throws IllegalArgumentException naming the parameter and what it must be, when one is not valid
     */
    public static FilterSettings read(FilterConfig config) {
        return new FilterSettings(param(config, EXECUTOR_PARAM),
            transport(param(config, TRANSPORT_PARAM)),
            bufferSize(param(config, BUFFER_SIZE_PARAM)));
    }

    private static String param(FilterConfig config, String name) {
        String value = config.getInitParameter(name);
        return value != null ? value : config.getServletContext().getInitParameter(name);
    }

    private static TransportChoice.Mode transport(String value) {
        if (value == null || value.isBlank()) {
            return TransportChoice.Mode.AUTO;
        }
        try {
            return TransportChoice.Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TRANSPORT_PARAM + " must be auto, servlet, jetty or tomcat, was '"
                + value + "'", e);
        }
    }

    private static int bufferSize(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BUFFER_SIZE;
        }
        try {
            int size = Integer.parseInt(value.trim());
            if (size >= MIN_BUFFER_SIZE && size <= MAX_BUFFER_SIZE) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(BUFFER_SIZE_PARAM + " must be a number of bytes from "
            + MIN_BUFFER_SIZE + " to " + MAX_BUFFER_SIZE + ", was '" + value + "'");
    }
}
