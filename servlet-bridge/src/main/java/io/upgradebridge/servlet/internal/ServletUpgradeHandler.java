package io.upgradebridge.servlet.internal;

import io.upgradebridge.servlet.internal.grizzly.GrizzlySockets;
import io.upgradebridge.servlet.internal.grizzly.GrizzlyStreamCalls;
import io.upgradebridge.servlet.internal.tomcat.TomcatSocketEvents;
import io.upgradebridge.servlet.internal.undertow.UndertowReadEvents;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link HttpUpgradeHandler} the bridge hands to {@code HttpServletRequest.upgrade()}: the standard
 * servlet path. The container creates it; the filter attaches the pending connection right after
 * {@code upgrade()} returns. {@link #init} may run inside {@code upgrade()} or after the filter chain
 * returned (both happen), so whichever of the two comes second starts the connection.
 */
public final class ServletUpgradeHandler implements HttpUpgradeHandler, UpgradeTransport {

    /** Hand-over between the filter and the container. Transitions only by CAS. */
    enum State {
        NEW,
        /** The filter attached the connection; {@code init} has not run. */
        ATTACHED,
        /** {@code init} ran; the filter has not attached yet. */
        INITIALIZED,
        /** Both happened: pumps run. */
        STARTED,
        /** Closed or destroyed. Terminal. */
        CLOSED
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile UpgradedConnection connection;
    private volatile WebConnection webConnection;
    /** GlassFish's and Payara's Grizzly connection under {@link #webConnection}, found in {@code init}, or null. */
    private volatile Object grizzlyConnection;
    private volatile ServletReadPump readPump;
    private volatile ServletWritePump writePump;
    private volatile String containerName = "servlet container";
    /** The container request's reference to this handler, cleared on destroy (GlassFish, Payara), or null. */
    private volatile RequestHandlerReference requestReference;

    /** Public no-arg constructor: the container instantiates this class. */
    public ServletUpgradeHandler() {
    }

    /** Called by the filter after {@code upgrade()} returned, before {@link #attach}. */
    void clearOnDestroy(RequestHandlerReference reference) {
        this.requestReference = reference;
    }

    /** Called by the filter after {@code upgrade()} returned. */
    public void attach(UpgradedConnection pending, String containerName) {
        this.connection = pending;
        this.containerName = containerName;
        if (!state.compareAndSet(State.NEW, State.ATTACHED)) {
            if (state.compareAndSet(State.INITIALIZED, State.STARTED)) {
                pending.open(this); // init() already ran inside upgrade()
            } else {
                pending.transportClosed(null); // race: destroyed before we attached
            }
        }
    }

    @Override
    public void init(WebConnection wc) {
        this.webConnection = wc;
        this.grizzlyConnection = GrizzlySockets.connectionOf(wc); // now, while Grizzly's request is still this one's
        if (!state.compareAndSet(State.NEW, State.INITIALIZED)) {
            if (state.compareAndSet(State.ATTACHED, State.STARTED)) {
                connection.open(this);
            }
        }
    }

    @Override
    public void startPumps() {
        try {
            ServletInputStream in = webConnection.getInputStream();
            ServletOutputStream out = webConnection.getOutputStream();
            boolean onGrizzly = GrizzlyStreamCalls.applies(webConnection);
            readPump = new ServletReadPump(in, connection, onGrizzly);
            writePump = new ServletWritePump(out, connection, onGrizzly);
            readPump.attach();
            writePump.attach();
            // both listeners are set here, on the container's thread (Tomcat requires both in init())
            if (onGrizzly) {
                GrizzlyStreamCalls.setReadListener(in, readPump);
                GrizzlyStreamCalls.setWriteListener(out, writePump);
            } else {
                in.setReadListener(readPump);
                out.setWriteListener(writePump);
            }
        } catch (IOException | RuntimeException e) {
            connection.transportFailed(e);
        }
    }

    @Override
    public void close() {
        closeWebConnection(false);
    }

    @Override
    public void abort(Throwable cause) {
        closeWebConnection(true);
    }

    /**
     * The servlet API has no half-close: on Tomcat's upgraded streams, Undertow's connection and GlassFish's or Payara's
     * (Grizzly) connection only, each its own way; elsewhere the output stays open until the close.
     */
    @Override
    public boolean shutdownOutput() {
        if (state.get() == State.CLOSED) {
            return false;
        }
        WebConnection wc = webConnection;
        return TomcatSocketEvents.shutdownOutput(outputStream()) || UndertowReadEvents.shutdownOutput(wc)
            || GrizzlySockets.shutdownOutput(grizzlyConnection);
    }

    /**
     * On Tomcat's upgraded streams only (the servlet API has no timeout for an upgraded connection); elsewhere the
     * bridge bounds the lingering close with a timer of its own.
     */
    @Override
    public boolean closeWhenSilent(long millis) {
        return state.get() != State.CLOSED && TomcatSocketEvents.setReadTimeout(outputStream(), millis);
    }

    private ServletOutputStream outputStream() {
        WebConnection wc = webConnection;
        try {
            return wc == null ? null : wc.getOutputStream();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @param cut whether the connection is aborted: what the peer has not read yet need not be sent */
    private void closeWebConnection(boolean cut) {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        WebConnection wc = webConnection;
        if (wc == null) {
            return;
        }
        ServletOutputStream out = null;
        try {
            out = wc.getOutputStream();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
        if (!GrizzlySockets.closes(wc, this)) {
            return; // Grizzly ended this connection and recycled its request for another one: closing it would end that
        }
        try {
            if (!(cut && UndertowReadEvents.closeNow(wc))) {
                wc.close();
            }
        } catch (Exception e) {
            // already closed by the container: nothing more to do
        }
        if (TomcatSocketEvents.applies(out)) {
            TomcatSocketEvents.dispatchWrite(out); // Tomcat closes the socket in that event, even for an idle peer
        }
    }

    @Override
    public void destroy() {
        state.set(State.CLOSED);
        RequestHandlerReference reference = requestReference;
        if (reference != null) {
            requestReference = null;
            reference.clear(this); // a recycled request must not keep this handler (and the application) reachable
        }
        UpgradedConnection c = connection;
        if (c != null) {
            c.transportClosed(null);
        }
    }

    @Override
    public String describe() {
        return containerName + " servlet upgrade";
    }

    @Override
    public String toString() {
        return "ServletUpgradeHandler{" + state.get() + ", " + readPump + ", " + writePump + '}';
    }
}
