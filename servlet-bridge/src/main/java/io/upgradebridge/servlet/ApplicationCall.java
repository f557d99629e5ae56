package io.upgradebridge.servlet;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.servlet.internal.ContentResponder;
import io.upgradebridge.servlet.internal.SharedStrings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.Principal;
import java.util.Enumeration;

/**
 * One HTTP exchange, as Ktor's {@code ApplicationCall}: the servlet request and response, plus
 * {@link #respond(OutgoingContent)}. {@link ProtocolUpgradeFilter} creates it for every request; get it
 * with {@link #of(HttpServletRequest)}.
 *
 * <p>Responding with an {@link OutgoingContent.ProtocolUpgrade} does not send anything yet: the filter
 * performs the upgrade once the servlet returns. Any other content is written at once as an ordinary
 * response. Respond once per call, on the request's own thread. A protocol upgrade may refuse the request
 * first ({@link OutgoingContent.ProtocolUpgrade#refusal}); its refusal is then sent instead.
 *
 * <p>The request facts a protocol needs later ({@link #method()}, {@link #uri()},
 * {@link #requestHeaders()}, {@link #principal()}, addresses) are copied before the upgrade, because the
 * container recycles the request object once the connection is handed over. Use them, not
 * {@link #request()}, from inside {@code upgrade(...)}.
 */
public final class ApplicationCall {

    /** Request attribute under which the filter stores the call. */
    public static final String ATTRIBUTE = ApplicationCall.class.getName();

    /** Where the call is. Transitions only by CAS. */
    enum Phase {
        /** The application is handling the request. */
        HANDLING,
        /** An ordinary response was written. */
        RESPONDED,
        /** A protocol upgrade waits for the filter. */
        UPGRADE_PENDING,
        /** The filter has taken over (the chain returned). Terminal. */
        FILTER_DONE
    }

    // let go of once the connection is upgraded: a live session must not keep the container's request objects alive
    private volatile HttpServletRequest request;
    private volatile HttpServletResponse response;
    /** Changed only by CAS / getAndSet through {@link #PHASE}: a field of the call, which a session keeps for its life. */
    private volatile Phase phase = Phase.HANDLING;
    private volatile OutgoingContent.ProtocolUpgrade pendingUpgrade;
    private volatile RequestFacts facts;

    private static final VarHandle PHASE;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(ApplicationCall.class, "phase", Phase.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The {@code :protocol} of an HTTP/2 extended CONNECT, or {@code null}. */
    private final String connectProtocol;

    ApplicationCall(HttpServletRequest request, HttpServletResponse response, String connectProtocol) {
        this.request = request;
        this.response = response;
        this.connectProtocol = connectProtocol;
    }

    /**
     * The call the filter created for {@code request}.
     *
     * @throws IllegalStateException when {@link ProtocolUpgradeFilter} does not cover this request
     */
    public static ApplicationCall of(HttpServletRequest request) {
        Object call = request.getAttribute(ATTRIBUTE);
        if (call instanceof ApplicationCall) {
            return (ApplicationCall) call;
        }
        throw new IllegalStateException("no ApplicationCall for " + request.getRequestURI()
            + ": ProtocolUpgradeFilter does not cover this request. Map it to this path in web.xml "
            + "(<filter-mapping>) or with @WebFilter on a subclass, with async-supported true");
    }

    /**
     * The servlet request, or {@code null} once the connection is upgraded: the container recycles it then, and
     * the call lets go of it so that a long-lived session does not keep it alive.
     */
    public HttpServletRequest request() {
        return request;
    }

    /** The servlet response, or {@code null} once the connection is upgraded. */
    public HttpServletResponse response() {
        return response;
    }

    /** Called by the filter once it handed the connection to the container's upgrade: the request facts stay. */
    void detach() {
        request = null;
        response = null;
    }

    /**
     * Answers the request with {@code content}. A {@link OutgoingContent.ProtocolUpgrade} is performed
     * by the filter when the servlet returns; anything else is written now (status, headers,
     * Content-Type, Content-Length, Cache-Control, ETag/Last-Modified, body).
     *
     * @throws IllegalStateException when the call was already answered, or the servlet already returned
     */
    public void respond(OutgoingContent content) throws IOException {
        if (content == null) {
            throw new NullPointerException("content");
        }
        if (content instanceof OutgoingContent.ProtocolUpgrade upgrade) {
            OutgoingContent refusal = upgrade.refusal(this);
            if (refusal != null) {
                respond(refusal);
                return;
            }
            facts(); // copy the request now: after the upgrade the container recycles it
            pendingUpgrade = upgrade;
            if (!PHASE.compareAndSet(this, Phase.HANDLING, Phase.UPGRADE_PENDING)) {
                pendingUpgrade = null;
                throw alreadyAnswered();
            }
            return;
        }
        if (!PHASE.compareAndSet(this, Phase.HANDLING, Phase.RESPONDED)) {
            throw alreadyAnswered();
        }
        ContentResponder.respond(request, response, content);
    }

    private IllegalStateException alreadyAnswered() {
        Phase now = phase;
        return new IllegalStateException(now == Phase.FILTER_DONE
            ? "respond() came after the servlet returned; a ProtocolUpgrade must be answered on the request thread before the servlet returns"
            : "this call was already answered (" + now + "); respond() may be called once");
    }

    /** Called by the filter when the chain returned: the pending upgrade, or {@code null}. */
    OutgoingContent.ProtocolUpgrade finishHandling() {
        Phase previous = (Phase) PHASE.getAndSet(this, Phase.FILTER_DONE);
        OutgoingContent.ProtocolUpgrade upgrade = pendingUpgrade;
        pendingUpgrade = null; // the filter takes it: a live session does not keep it through its call
        return previous == Phase.UPGRADE_PENDING ? upgrade : null;
    }

    /** The request method, copied before any upgrade. */
    public String method() {
        return facts().method;
    }

    /** The request URI with its query string, copied before any upgrade. */
    public String uri() {
        return facts().uri;
    }

    /** The protocol of the request ({@code HTTP/1.1}, {@code HTTP/2.0}), copied before any upgrade. */
    public String protocol() {
        return facts().protocol;
    }

    /**
     * The {@code :protocol} of an HTTP/2 extended CONNECT (RFC 8441), such as {@code websocket}, when the request is one
     * whose stream the container can hand over (Jetty); {@code null} for every other request. Such a request's
     * {@link #method()} is {@code CONNECT}; the filter shows it to the application as a {@code GET} (see
     * {@link io.upgradebridge.content.OutgoingContent.ProtocolUpgrade#connectProtocol()}).
     */
    public String connectProtocol() {
        return connectProtocol;
    }

    /** Every request header, copied before any upgrade. */
    public Headers requestHeaders() {
        return facts().headers;
    }

    /** The authenticated user, or {@code null}; copied before any upgrade. */
    public Principal principal() {
        return facts().principal;
    }

    /** The peer's address and port ({@code 127.0.0.1:53012}), copied before any upgrade. */
    public String remoteAddress() {
        return facts().remoteAddress;
    }

    /** Whether the request came over TLS, copied before any upgrade. */
    public boolean isSecure() {
        return facts().secure;
    }

    private RequestFacts facts() {
        RequestFacts f = facts;
        if (f == null) {
            f = RequestFacts.of(request);
            facts = f; // race: two threads may both copy; either copy is the same
        }
        return f;
    }

    @Override
    public String toString() {
        RequestFacts f = facts;
        return "ApplicationCall{" + (f != null ? f.method + " " + f.uri : request.getMethod() + " " + request.getRequestURI())
            + (connectProtocol != null ? " (:protocol " + connectProtocol + ")" : "") + ", " + phase + '}';
    }

    /** What is copied from the request. */
    private static final class RequestFacts {
        final String method;
        final String uri;
        final String protocol;
        final Headers headers;
        final Principal principal;
        final String remoteAddress;
        final boolean secure;

        private RequestFacts(HttpServletRequest r) {
            method = r.getMethod();
            String query = r.getQueryString();
            // values many sessions share (path, Host, Upgrade, version) kept once: a session keeps its facts for life
            uri = SharedStrings.shared(query == null ? r.getRequestURI() : r.getRequestURI() + '?' + query);
            protocol = r.getProtocol();
            Headers.Builder builder = Headers.builder();
            for (Enumeration<String> names = r.getHeaderNames(); names.hasMoreElements(); ) {
                String name = names.nextElement();
                // a WebSocket key is new on every connection by design: offered to the table, it would only evict shared values
                boolean unique = name.equalsIgnoreCase("Sec-WebSocket-Key");
                for (Enumeration<String> values = r.getHeaders(name); values.hasMoreElements(); ) {
                    String value = values.nextElement();
                    builder.append(name, unique ? value : SharedStrings.shared(value));
                }
            }
            headers = builder.build();
            principal = r.getUserPrincipal();
            remoteAddress = r.getRemoteAddr() + ':' + r.getRemotePort();
            secure = r.isSecure();
        }

        static RequestFacts of(HttpServletRequest r) {
            return new RequestFacts(r);
        }
    }
}
