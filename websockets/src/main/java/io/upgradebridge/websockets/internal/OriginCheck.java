package io.upgradebridge.websockets.internal;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The defence against cross-site WebSocket hijacking: a browser sends the page's origin with every handshake, and
 * when the application lists the origins it trusts, a handshake from any other origin is refused with 403.
 */
public final class OriginCheck {

    private OriginCheck() {
    }

    /**
     * @param allowed the allowed origins, lower case ({@code WebSocketSettings.allowedOrigins()}); empty allows any
     * @return {@code null} when the handshake may go on, else the 403 answer with a one-line reason
     */
    public static OutgoingContent refusal(Headers request, Set<String> allowed) {
        if (allowed.isEmpty()) {
            return null;
        }
        List<String> origins = request.getAll("Origin");
        for (String origin : origins) { // no Origin: not a browser, which this check is not about
            if (!allowed.contains(origin.trim().toLowerCase(Locale.ROOT))) {
                return new TextContent("WebSocket handshakes from origin " + origin.trim() + " are not allowed here\n",
                    ContentType.TEXT_PLAIN, HttpStatusCode.FORBIDDEN);
            }
        }
        return null;
    }
}
