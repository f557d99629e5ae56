package io.upgradebridge.servlet;

import io.upgradebridge.content.OutgoingContent;

/**
 * Answers requests before the application sees them: a feature that owns some paths (the WebSockets
 * feature's {@code webSocket(path, ...)} routes, for example) registers one with
 * {@link ProtocolUpgradeFilter#addRouter}. For every request it covers, the filter asks each router in the
 * order they were added; the first answer is served exactly as if the application had called
 * {@link ApplicationCall#respond} with it (a {@link OutgoingContent.ProtocolUpgrade} is checked by its
 * {@link OutgoingContent.ProtocolUpgrade#refusal refusal} and performed; anything else is written as an ordinary response), and the filter
 * chain is not called. When every router returns {@code null}, the request goes down the chain as usual.
 */
public interface UpgradeRouter {

    /**
     * Runs on the request's thread, before the filter chain.
     *
     * @return the answer to {@code call}, or {@code null} to let the application handle it
     */
    OutgoingContent route(ApplicationCall call);

    /**
     * Called when a filter that consulted this router is destroyed, after that filter's live upgrades were
     * closed (or cancelled). A router that owns threads for its upgrades stops them here.
     */
    default void filterDestroyed() {
    }
}
