package io.upgradebridge.servlet.internal;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import jakarta.servlet.FilterConfig;

import java.util.Locale;

/**
 * The parameters of a {@link ProtocolUpgradeFilter}, each a filter init-param, else a context-param of the same name,
 * read and checked once at {@code init}.
 *
 * @param executor the configured executor's name ({@value ProtocolUpgradeFilter#EXECUTOR_PARAM}), or {@code null}
 * @param transport how connections are taken over ({@value ProtocolUpgradeFilter#TRANSPORT_PARAM})
 * @param bufferSize bytes buffered per direction and connection ({@value ProtocolUpgradeFilter#BUFFER_SIZE_PARAM})
 */
public record FilterSettings(String executor, TransportChoice.Mode transport, int bufferSize) {

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
        return new FilterSettings(param(config, ProtocolUpgradeFilter.EXECUTOR_PARAM),
            transport(param(config, ProtocolUpgradeFilter.TRANSPORT_PARAM)),
            bufferSize(param(config, ProtocolUpgradeFilter.BUFFER_SIZE_PARAM)));
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
            throw new IllegalArgumentException(ProtocolUpgradeFilter.TRANSPORT_PARAM + " must be auto, servlet, jetty or tomcat, was '"
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
        throw new IllegalArgumentException(ProtocolUpgradeFilter.BUFFER_SIZE_PARAM + " must be a number of bytes from "
            + MIN_BUFFER_SIZE + " to " + MAX_BUFFER_SIZE + ", was '" + value + "'");
    }
}
