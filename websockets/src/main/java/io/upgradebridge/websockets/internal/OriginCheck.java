package io.upgradebridge.websockets.internal;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.websockets.WebSocketSettings;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The defence against cross-site WebSocket hijacking: a browser sends the page's origin with every handshake, and
 * when the application lists the origins it trusts, or asks for the request's own origin
 * ({@link WebSocketSettings#sameOrigin()}), a handshake from any other origin is refused with 403. The request's own
 * origin comes from {@code Host} and TLS, or from a trusted proxy's forwarded headers ({@link RequestOrigin}).
 */
public final class OriginCheck {

    private OriginCheck() {
    }

    /** @return {@code null} when the handshake of {@code call} may go on, else the 403 answer with a one-line reason */
    public static OutgoingContent refusal(ApplicationCall call, WebSocketSettings settings) {
        if (settings.allowedOrigins().isEmpty() && !settings.sameOrigin()) {
            return null;
        }
        return refusal(call.requestHeaders(), call.isSecure(), call.remoteAddress(), settings);
    }

    /**
     * @param request       the request headers
     * @param secure        whether the request came over TLS
     * @param remoteAddress the peer, {@code address:port}
     * @return {@code null} when the handshake may go on, else the 403 answer with a one-line reason
     */
    static OutgoingContent refusal(Headers request, boolean secure, String remoteAddress, WebSocketSettings settings) {
        Set<String> allowed = settings.allowedOrigins();
        if (allowed.isEmpty() && !settings.sameOrigin()) {
            return null;
        }
        List<String> origins = request.getAll("Origin");
        String own = null;
        boolean ownKnown = false;
        for (String origin : origins) { // no Origin: not a browser, which this check is not about
            String trimmed = origin.trim();
            if (allowed.contains(trimmed.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (settings.sameOrigin()) {
                if (!ownKnown) {
                    own = RequestOrigin.of(request, secure, remoteAddress,
                        settings.trustedProxies().isEmpty() ? TrustedProxies.NONE : TrustedProxies.of(settings.trustedProxies()));
                    ownKnown = true;
                }
                String normalized = RequestOrigin.normalize(trimmed);
                if (own != null && own.equals(normalized)) {
                    continue;
                }
            }
            return new TextContent("WebSocket handshakes from origin " + trimmed + " are not allowed here\n",
                ContentType.TEXT_PLAIN, HttpStatusCode.FORBIDDEN);
        }
        return null;
    }
}
