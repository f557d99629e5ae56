package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.servlet.ApplicationCall;
import io.upgradebridge.servlet.UpgradeRouter;
import jakarta.servlet.ServletContext;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link UpgradeRouter}s of a web application, kept in its servlet-context attribute {@value #ATTRIBUTE}, so that
 * routers added before a filter's {@code init} (from an initializer) and after it reach every filter of the
 * application.
 */
public final class UpgradeRouters {

    /** The servlet-context attribute that holds the routers; the filter publishes it as its own constant. */
    public static final String ATTRIBUTE = "io.upgradebridge.servlet.ProtocolUpgradeFilter.routers";

    private static final Object LOCK = new Object();

    private UpgradeRouters() {
    }

    /**
     * The routers of {@code context}: the list stored in its attribute, created when absent.
     *
     * @throws IllegalStateException when the attribute holds something else
     */
    public static List<UpgradeRouter> of(ServletContext context) {
        Objects.requireNonNull(context, "context");
        synchronized (LOCK) { // race: addRouter from an initializer and init() of a filter
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing == null) {
                List<UpgradeRouter> created = new CopyOnWriteArrayList<>();
                context.setAttribute(ATTRIBUTE, created);
                return created;
            }
            if (existing instanceof CopyOnWriteArrayList) {
                @SuppressWarnings("unchecked")
                List<UpgradeRouter> list = (List<UpgradeRouter>) existing;
                return list;
            }
            throw new IllegalStateException("the servlet-context attribute " + ATTRIBUTE
                + " is reserved for ProtocolUpgradeFilter's routers, but holds " + existing.getClass().getName());
        }
    }

    /** The first router's answer to {@code call}, or {@code null} when no router takes the request. */
    public static OutgoingContent route(List<UpgradeRouter> routers, ApplicationCall call) {
        for (UpgradeRouter router : routers) {
            OutgoingContent answer = router.route(call);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }
}
