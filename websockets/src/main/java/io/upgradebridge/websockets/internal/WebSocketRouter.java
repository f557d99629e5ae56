package io.upgradebridge.websockets.internal;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.internal.TimerLoop;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.servlet.UpgradeRouter;
import io.upgradebridge.websocket.WebSocketUpgrade;
import io.upgradebridge.websocket.internal.Handshake;
import io.upgradebridge.websocket.internal.LayerUpgrade;
import io.upgradebridge.websockets.WebSocketHandler;
import io.upgradebridge.websockets.WebSocketSettings;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Answers the requests to an application's {@code webSocket(path, ...)} routes, in {@link
 * io.upgradebridge.servlet.ProtocolUpgradeFilter} before the application: the route for the offered subprotocol,
 * then the origin check, the handshake checks of {@link WebSocketUpgrade}, permessage-deflate, and the upgrade to a
 * default session. Other paths fall through ({@code null}).
 */
public final class WebSocketRouter implements UpgradeRouter {

    private final RouteTable routes;
    private final Supplier<WebSocketSettings> applicationSettings;
    private final TimerThread timer;

    public WebSocketRouter(RouteTable routes, Supplier<WebSocketSettings> applicationSettings, TimerThread timer) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.applicationSettings = Objects.requireNonNull(applicationSettings, "applicationSettings");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    @Override
    public OutgoingContent route(ApplicationCall call) {
        List<WebSocketRoute> candidates = routes.routes(pathWithinApplication(call.request()));
        if (candidates.isEmpty()) {
            return null;
        }
        List<String> offered = RouteTable.offeredProtocols(call.requestHeaders().getAll("Sec-WebSocket-Protocol"));
        WebSocketRoute route = RouteTable.select(candidates, offered);
        WebSocketSettings settings = route != null ? route.settings(applicationSettings.get()) : applicationSettings.get();

        OutgoingContent forbidden = OriginCheck.refusal(call, settings);
        if (forbidden != null) {
            return forbidden;
        }
        if (route == null) {
            // The same checks a route would make first, so a request that is no handshake hears what is wrong with it.
            OutgoingContent notAHandshake = Handshake.refusal(call, null);
            return notAHandshake != null ? notAHandshake : noSuchProtocol(candidates, offered);
        }
        return upgrade(call, route, settings);
    }

    private OutgoingContent upgrade(ApplicationCall call, WebSocketRoute route, WebSocketSettings settings) {
        String protocol = route.protocol();
        WebSocketUpgrade.Options plain = new WebSocketUpgrade.Options(settings.maxFrameSize(), List.of(), 0);
        OutgoingContent notAHandshake = Handshake.refusal(call, protocol);
        if (notAHandshake != null) {
            return notAHandshake;
        }
        DeflateAgreement agreement = settings.deflate().enabled()
            ? DeflateAgreement.negotiate(call.requestHeaders().getAll("Sec-WebSocket-Extensions"), settings.deflate()).orElse(null)
            : null;
        TimerLoop sessionTimer;
        try {
            sessionTimer = timer.get();
        } catch (RejectedExecutionException stopping) {
            return new TextContent(stopping.getMessage() + "\n", ContentType.TEXT_PLAIN, HttpStatusCode.SERVICE_UNAVAILABLE);
        }
        WebSocketUpgrade.Options options = agreement == null ? plain : new WebSocketUpgrade.Options(settings.maxFrameSize(),
            List.of(agreement.responseHeaderValue()), WebSocketUpgrade.RSV1);
        WebSocketHandler handler = route.handler();
        return new LayerUpgrade(call, protocol, options,
            raw -> DefaultSession.run(raw, protocol, settings, agreement, handler, sessionTimer));
    }

    private static OutgoingContent noSuchProtocol(List<WebSocketRoute> candidates, List<String> offered) {
        List<String> spoken = new ArrayList<>();
        for (WebSocketRoute route : candidates) {
            spoken.add(route.protocol());
        }
        return new TextContent("this WebSocket endpoint speaks subprotocol " + String.join(", ", spoken)
            + "; the client offered " + (offered.isEmpty() ? "none" : String.join(", ", offered)) + "\n",
            ContentType.TEXT_PLAIN, HttpStatusCode.BAD_REQUEST);
    }

    /**
     * The request's path within the web application (servlet path plus path info, decoded as the container
     * decodes them); the request URI without the context path when the container gives neither.
     */
    static String pathWithinApplication(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath != null ? servletPath : "") + (pathInfo != null ? pathInfo : "");
        if (!path.isEmpty()) {
            return path;
        }
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        return contextPath != null && uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
    }

    /** The filter that asked this router is gone, and its sessions with it: stop the timer thread. */
    @Override
    public void filterDestroyed() {
        timer.stop();
    }

    @Override
    public String toString() {
        return "WebSocketRouter{" + routes + ", " + timer + '}';
    }
}
