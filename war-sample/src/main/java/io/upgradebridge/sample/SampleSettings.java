package io.upgradebridge.sample;

import io.upgradebridge.websockets.WebSocketSettings;
import jakarta.servlet.ServletContext;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sample's deployment settings, each read from a context parameter of that name (a {@code <context-param>}, or
 * set by the server: Tomcat's {@code <Parameter>} in the context's XML, Jetty's override descriptor) or else from the
 * system property of that name. All are optional; a value that does not parse fails the deployment with a message
 * naming the setting.
 * <ul>
 *   <li>{@value #CHAT_REDIS}: the Redis server through which the chats of several nodes are one
 *       ({@code redis://host:port}, {@code redis://:password@host:port} or {@code host:port}); absent: each node's
 *       chat is its own, in-process;</li>
 *   <li>{@value #PING_PERIOD}: how often the {@code /ws/*} routes ping a quiet peer ({@code PT20S} or seconds,
 *       {@code 0} for never); keep it below the read timeout of any proxy in front (nginx's
 *       {@code proxy_read_timeout}, 60 s by default); default 30 s;</li>
 *   <li>{@value #SAME_ORIGIN}: {@code true} refuses {@code /ws/*} handshakes from pages of other origins
 *       ({@code WebSocketSettings.withSameOrigin}); default {@code false};</li>
 *   <li>{@value #TRUSTED_PROXIES}: comma-separated IP addresses or CIDR blocks of the reverse proxies whose
 *       {@code Forwarded} / {@code X-Forwarded-*} headers tell the request's origin
 *       ({@code WebSocketSettings.withTrustedProxies}); default none.</li>
 * </ul>
 */
public final class SampleSettings {

    public static final String CHAT_REDIS = "io.upgradebridge.sample.chat.redis";
    public static final String PING_PERIOD = "io.upgradebridge.sample.pingPeriod";
    public static final String SAME_ORIGIN = "io.upgradebridge.sample.sameOrigin";
    public static final String TRUSTED_PROXIES = "io.upgradebridge.sample.trustedProxies";

    private final ServletContext context;

    private SampleSettings(ServletContext context) {
        this.context = context;
    }

    public static SampleSettings of(ServletContext context) {
        return new SampleSettings(context);
    }

    /** @return the Redis address of the chat cluster, or {@code null} for the in-process chat */
    public String chatRedis() {
        return value(CHAT_REDIS);
    }

    /** The settings of the {@code /ws/*} routes: the defaults with the ping period and origin check chosen here. */
    public WebSocketSettings webSocketSettings() {
        WebSocketSettings settings = WebSocketSettings.defaults();
        String ping = value(PING_PERIOD);
        if (ping != null) {
            settings = settings.withPingPeriod(duration(PING_PERIOD, ping));
        }
        String sameOrigin = value(SAME_ORIGIN);
        if (sameOrigin != null) {
            if (!sameOrigin.equalsIgnoreCase("true") && !sameOrigin.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(SAME_ORIGIN + " must be true or false, not '" + sameOrigin + "'");
            }
            settings = settings.withSameOrigin(Boolean.parseBoolean(sameOrigin));
        }
        String proxies = value(TRUSTED_PROXIES);
        if (proxies != null) {
            Set<String> list = Arrays.stream(proxies.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .collect(Collectors.toSet());
            try {
                settings = settings.withTrustedProxies(list);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(TRUSTED_PROXIES + ": " + e.getMessage(), e);
            }
        }
        return settings;
    }

    private String value(String name) {
        String value = context.getInitParameter(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Duration duration(String name, String value) {
        try {
            Duration d = value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: '" + value + "'");
            }
            return d;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " is a duration such as PT20S or a number of seconds, not '"
                + value + "'", e);
        }
    }
}
