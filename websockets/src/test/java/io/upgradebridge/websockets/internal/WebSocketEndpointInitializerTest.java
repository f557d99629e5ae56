package io.upgradebridge.websockets.internal;

import io.upgradebridge.websockets.DefaultWebSocketSession;
import io.upgradebridge.websockets.WebSocketEndpoint;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;
import io.upgradebridge.websockets.WebSockets;
import io.upgradebridge.websockets.WebSocketsTestAccess;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WebSocketEndpointInitializer}: annotated handler classes become routes; bad ones fail the deployment. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WebSocketEndpointInitializerTest {

    private final WebSocketsTestAccess app = new WebSocketsTestAccess();
    private final ServletContext context = app.context();

    @WebSocketEndpoint("/annotated/echo")
    public static class Echo implements WebSocketHandler {
        @Override
        public CompletionStage<?> handle(DefaultWebSocketSession session) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @WebSocketEndpoint(value = "/annotated/chat", protocol = "chat", settings = GoodOriginOnly.class)
    public static class Chat extends Echo {
    }

    public static class GoodOriginOnly implements UnaryOperator<WebSocketSettings> {
        @Override
        public WebSocketSettings apply(WebSocketSettings s) {
            return s.withAllowedOrigins(Set.of("https://good.example"));
        }
    }

    @WebSocketEndpoint("/bad")
    public static class NotAHandler {
    }

    @WebSocketEndpoint("/bad")
    public abstract static class Abstract extends Echo {
    }

    @WebSocketEndpoint("/bad")
    public static class NoDefaultConstructor extends Echo {
        public NoDefaultConstructor(String name) {
        }
    }

    @WebSocketEndpoint("/bad")
    static class NotPublic extends Echo {
    }

    @WebSocketEndpoint("/bad")
    public static class FailingConstructor extends Echo {
        public FailingConstructor() {
            throw new IllegalStateException("no database");
        }
    }

    @WebSocketEndpoint("no-slash")
    public static class BadPath extends Echo {
    }

    @WebSocketEndpoint("/annotated/echo")
    public static class SamePathAsEcho extends Echo {
    }

    @Test
    void annotatedHandlersBecomeRoutesWithTheirProtocolAndSettings() throws Exception {
        new WebSocketEndpointInitializer().onStartup(new LinkedHashSet<>(List.of(Chat.class, Echo.class, String.class)), context);
        WebSockets installed = WebSockets.of(context);
        assertTrue(installed.toString().contains("webSocket(/annotated/echo)"), installed::toString);
        assertTrue(installed.toString().contains("webSocket(/annotated/chat, protocol chat)"), installed::toString);
        try {
            assertEquals(101, app.handshake("/annotated/echo"));
            assertEquals(400, app.handshake("/annotated/chat"), "the chat route needs its subprotocol");
            assertEquals(101, app.handshake("/annotated/chat", "Sec-WebSocket-Protocol", "chat"));
            assertEquals(403, app.handshake("/annotated/chat", "Sec-WebSocket-Protocol", "chat", "Origin", "https://evil.example"),
                "the annotation's settings class applies to its route only");
            assertEquals(101, app.handshake("/annotated/echo", "Origin", "https://evil.example"));
        } finally {
            app.stop();
        }
    }

    @Test
    void withoutAnnotatedClassesNothingIsInstalled() throws Exception {
        new WebSocketEndpointInitializer().onStartup(null, context);
        new WebSocketEndpointInitializer().onStartup(Set.of(), context);
        new WebSocketEndpointInitializer().onStartup(Set.of(String.class), context);
        assertThrows(IllegalStateException.class, () -> WebSockets.of(context));
        assertNull(context.getAttribute("io.upgradebridge.servlet.ProtocolUpgradeFilter.routers"));
    }

    @Test
    void aClassThatCannotBeARouteFailsTheDeploymentNamingItAndTheFix() {
        assertFailure(NotAHandler.class, "must implement io.upgradebridge.websockets.WebSocketHandler");
        assertFailure(Abstract.class, "is abstract; make it a concrete class");
        assertFailure(NoDefaultConstructor.class, "needs a public constructor without parameters");
        assertFailure(NotPublic.class, "must be a public");
        assertFailure(FailingConstructor.class, "its constructor failed: java.lang.IllegalStateException: no database");
        assertFailure(BadPath.class, "exact path");
    }

    @Test
    void twoClassesForOnePathFailNamingTheSecond() {
        ServletException e = assertThrows(ServletException.class, () -> new WebSocketEndpointInitializer()
            .onStartup(new LinkedHashSet<>(List.of(SamePathAsEcho.class, Echo.class)), context));
        assertTrue(e.getMessage().contains(SamePathAsEcho.class.getName()) && e.getMessage().contains("already"),
            e.getMessage());
    }

    @Test
    void theApplicationsOwnSettingsWinOverTheInitializersDefaultsInEitherOrder() throws Exception {
        new WebSocketEndpointInitializer().onStartup(Set.of(Echo.class), context);
        WebSocketSettings mine = WebSocketSettings.defaults().withMaxMessageSize(123);
        assertEquals(mine, WebSockets.install(context, mine).settings());
    }

    private void assertFailure(Class<?> type, String expected) {
        ServletException e = assertThrows(ServletException.class,
            () -> new WebSocketEndpointInitializer().onStartup(Set.of(type), new WebSocketsTestAccess().context()));
        assertTrue(e.getMessage().contains(type.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
