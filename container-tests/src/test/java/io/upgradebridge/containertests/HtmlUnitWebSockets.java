package io.upgradebridge.containertests;

import org.htmlunit.Page;
import org.htmlunit.WebClient;
import org.htmlunit.WebWindow;
import org.htmlunit.websocket.JettyWebSocketAdapter;
import org.htmlunit.websocket.WebSocketAdapter;
import org.htmlunit.websocket.WebSocketAdapterFactory;
import org.htmlunit.websocket.WebSocketListener;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * HtmlUnit's JavaScript {@code WebSocket} with its events delivered as a browser delivers them: never while a script
 * of the page is running, so a handler that the script assigns after {@code new WebSocket(url)} sees every event.
 *
 * <p>HtmlUnit 5.5.0 connects inside the constructor ({@code org.htmlunit.javascript.host.WebSocket}, its private
 * constructor, {@code webSocketImpl_.connect(url_)}) and reports the outcome from the Jetty client's threads
 * ({@code org.htmlunit.websocket.JettyWebSocketAdapter#connect}, which calls {@code onWebSocketConnectError}, and its
 * {@code JettyWebSocketAdapterImpl} callbacks). The listener in that constructor reads the page's handler in
 * {@code WebSocket#callFunction} ({@code if (function == null) return;}) before it waits for the page's script lock.
 * When the answer comes while the script that made the socket has not yet run {@code ws.onopen = ...} or
 * {@code ws.onclose = ...} (a short window, which a loaded machine stretches), the event finds no handler and is
 * lost: {@code readyState} says CLOSED (or OPEN) while the page still shows "connecting". A browser queues the event
 * as a task that runs after the script.
 *
 * <p>Here each callback first takes the page's lock, as HtmlUnit's own script runs do ({@code synchronized (page_)} in
 * {@code org.htmlunit.javascript.JavaScriptEngine.HtmlUnitContextAction#run}: "2 scripts can't be executed in parallel
 * for one page"), so it runs after the script and reads the handlers it assigned. HtmlUnit's {@code connecting}
 * notice is dropped: it only sets {@code readyState} to CONNECTING, which a new socket already is, from a task that can
 * run after the open event and would set an open socket back to CONNECTING. Nothing is retried and no event is made
 * up: an event the server does not cause still never comes, and the tests' bounded waits report it.
 *
 * <p>{@link #events()} lists what each socket was told (open, messages, close codes, connect errors with the server's
 * status), for failure messages.
 */
final class HtmlUnitWebSockets implements WebSocketAdapterFactory {

    private final WebSocketAdapterFactory htmlUnits = new JettyWebSocketAdapter.JettyWebSocketAdapterFactory();
    private final List<String> events = new ArrayList<>();

    /** A new HtmlUnit browser (CSS off) whose pages' WebSockets are made here. */
    WebClient newBrowser() {
        WebClient browser = new WebClient();
        browser.getOptions().setCssEnabled(false);
        browser.setWebSocketAdapter(this);
        return browser;
    }

    /** What the sockets were told so far, in order. */
    List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public WebSocketAdapter buildWebSocketAdapter(WebClient client, WebSocketListener listener) {
        // called by new WebSocket(url), inside the script that holds its page's lock
        Page page = null;
        for (WebWindow window : client.getWebWindows()) {
            Page enclosed = window.getEnclosedPage();
            if (enclosed != null && Thread.holdsLock(enclosed)) {
                page = enclosed;
            }
        }
        if (page == null) {
            throw new IllegalStateException("new WebSocket() ran without holding its page's lock: HtmlUnit no longer "
                + "runs scripts under synchronized (page), revisit " + HtmlUnitWebSockets.class.getName());
        }
        Socket socket = new Socket(page, listener);
        socket.adapter = htmlUnits.buildWebSocketAdapter(client, socket);
        return socket;
    }

    private void log(String event) {
        synchronized (events) {
            events.add(event);
        }
    }

    /** One socket: HtmlUnit's adapter for the page's calls, its listener called under the page's lock. */
    private final class Socket implements WebSocketAdapter, WebSocketListener {
        private final Object page;
        private final WebSocketListener listener;
        private WebSocketAdapter adapter;
        private volatile String path = "?";

        Socket(Object page, WebSocketListener listener) {
            this.page = page;
            this.listener = listener;
        }

        @Override
        public void start() throws Exception {
            adapter.start();
        }

        @Override
        public void connect(URI url) throws Exception {
            path = url.getRawPath();
            adapter.connect(url);
        }

        @Override
        public void send(Object content) throws IOException {
            adapter.send(content);
        }

        @Override
        public void closeIncomingSession() throws Exception {
            adapter.closeIncomingSession();
        }

        @Override
        public void closeOutgoingSession() throws Exception {
            adapter.closeOutgoingSession();
        }

        @Override
        public void closeClient() throws Exception {
            adapter.closeClient();
        }

        @Override
        public void onWebSocketConnecting() {
            // dropped: see the class comment
        }

        @Override
        public void onWebSocketOpen() {
            log(path + " open");
            synchronized (page) {
                listener.onWebSocketOpen();
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            log(path + " close " + statusCode + " " + reason);
            synchronized (page) {
                listener.onWebSocketClose(statusCode, reason);
            }
        }

        @Override
        public void onWebSocketText(String message) {
            log(path + " text " + message);
            synchronized (page) {
                listener.onWebSocketText(message);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload) {
            log(path + " binary " + payload.remaining() + " bytes");
            synchronized (page) {
                listener.onWebSocketBinary(payload);
            }
        }

        @Override
        public void onWebSocketConnectError(Throwable cause) {
            log(path + " connect error " + cause);
            synchronized (page) {
                listener.onWebSocketConnectError(cause);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            log(path + " error " + cause);
            synchronized (page) {
                listener.onWebSocketError(cause);
            }
        }
    }
}
