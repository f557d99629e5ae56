package io.upgradebridge.websockets;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.UnaryOperator;

/**
 * Declares a {@link WebSocketHandler} class as a {@code webSocket(path, protocol, ...)} route, found when the
 * web application starts:
 * <pre>{@code
 * @WebSocketEndpoint(value = "/chat", protocol = "chat")
 * public class ChatEndpoint implements WebSocketHandler { ... }
 * }</pre>
 * The class must be public (top-level or static nested), concrete, implement {@link WebSocketHandler} and have a
 * public constructor without parameters; the application creates one instance, shared by all its sessions. A class
 * that does not fit fails the deployment with a message saying what to fix.
 *
 * <p>The websockets jar finds these classes with a {@code ServletContainerInitializer}, so the container must
 * run initializers of {@code WEB-INF/lib} jars (every Servlet container does; on an embedded Jetty, enable
 * annotations). It installs {@link WebSockets} with the default settings unless the application installs it
 * itself; {@link WebSockets#install(jakarta.servlet.ServletContext, WebSocketSettings)} from a listener chooses the
 * application's settings in either order.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WebSocketEndpoint {

    /** The path within the web application, e.g. {@code /ws/echo}. */
    String value();

    /** The subprotocol, or empty for none. */
    String protocol() default "";

    /**
     * Changes the application's settings for this route, as the {@code override} of
     * {@link WebSockets#webSocket(String, String, UnaryOperator, WebSocketHandler)}: a public class with a public
     * constructor without parameters. The default keeps the application's settings.
     */
    Class<? extends UnaryOperator<WebSocketSettings>> settings() default ApplicationSettings.class;

    /** The application's settings unchanged: the default of {@link #settings()}. */
    final class ApplicationSettings implements UnaryOperator<WebSocketSettings> {
        /** Made by the WebSockets feature for routes that do not name settings of their own. */
        public ApplicationSettings() {
        }

        @Override
        public WebSocketSettings apply(WebSocketSettings settings) {
            return settings;
        }
    }
}
