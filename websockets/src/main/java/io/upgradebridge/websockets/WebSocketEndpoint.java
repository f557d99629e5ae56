package io.upgradebridge.websockets;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a {@link WebSocketHandler} class as a {@code webSocket(path, protocol, ...)} route, found when the
 * web application starts.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WebSocketEndpoint {

    /** The path within the web application, e.g. {@code /ws/echo}. */
    String value();

    /** The subprotocol, or empty for none. */
    String protocol() default "";
}
