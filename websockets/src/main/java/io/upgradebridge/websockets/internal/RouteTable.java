package io.upgradebridge.websockets.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes of one application by path. Several routes may share a path when they speak different subprotocols;
 * {@link #select} picks the one the client asked for. Safe for concurrent use: routes are added while requests are
 * looked up.
 */
public final class RouteTable {

    /** Path to its routes, in the order they were added; each list is replaced, never changed. */
    private final Map<String, List<WebSocketRoute>> byPath = new ConcurrentHashMap<>();

    /**
     * @throws IllegalArgumentException when the table has a route with the same path and protocol
     */
    public void add(WebSocketRoute route) {
        byPath.compute(route.path(), (path, routes) -> {
            List<WebSocketRoute> next = new ArrayList<>(routes != null ? routes : List.of());
            for (WebSocketRoute existing : next) {
                if (java.util.Objects.equals(existing.protocol(), route.protocol())) {
                    throw new IllegalArgumentException("there is a WebSocket route for " + path
                        + (route.protocol() != null ? " with subprotocol " + route.protocol() : " without subprotocol")
                        + " already; each path and subprotocol may have one route");
                }
            }
            next.add(route);
            return List.copyOf(next);
        });
    }

    /** The routes of {@code path} (empty when the path has none). */
    public List<WebSocketRoute> routes(String path) {
        return byPath.getOrDefault(path, List.of());
    }

    /**
     * The route of {@code path} for a client that offered {@code offered} (in its order of preference): the route
     * whose protocol it offered first, else the path's route without protocol, else {@code null}.
     */
    public static WebSocketRoute select(List<WebSocketRoute> routes, List<String> offered) {
        for (String protocol : offered) {
            for (WebSocketRoute route : routes) {
                if (protocol.equals(route.protocol())) {
                    return route;
                }
            }
        }
        for (WebSocketRoute route : routes) {
            if (route.protocol() == null) {
                return route;
            }
        }
        return null;
    }

    /** The subprotocols a client offers: the comma-separated tokens of every {@code Sec-WebSocket-Protocol} value. */
    public static List<String> offeredProtocols(List<String> headerValues) {
        List<String> tokens = new ArrayList<>();
        for (String value : headerValues) {
            for (String part : value.split(",")) {
                String token = part.trim();
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    @Override
    public String toString() {
        return "RouteTable" + byPath.values();
    }
}
