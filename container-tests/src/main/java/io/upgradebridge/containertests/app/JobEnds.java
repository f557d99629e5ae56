package io.upgradebridge.containertests.app;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;

/**
 * Logs one line when an upgrade's {@link Job} ends ({@value #PREFIX} what, then how), so that a test can count the
 * jobs that ended after the application is gone (undeploy), through the container's log.
 */
public final class JobEnds {

    /** Every line starts with this. */
    public static final String PREFIX = "job ended: ";
    private static final System.Logger LOG = System.getLogger(JobEnds.class.getName());

    private JobEnds() {
    }

    /** Logs when {@code job} ends; returns it. */
    public static Job watch(String what, Job job) {
        job.completion().whenComplete((v, e) -> LOG.log(Level.INFO, PREFIX + what + " ("
            + (job.isCancelled() ? "cancelled" : e == null ? "completed" : "failed: " + e) + ")"));
        return job;
    }

    /** {@code upgrade} with its job watched; the handshake checks of {@code upgrade} (if any) still apply. */
    public static OutgoingContent.ProtocolUpgrade watch(String what, OutgoingContent.ProtocolUpgrade upgrade) {
        return new Watched(what, upgrade);
    }

    private static final class Watched extends OutgoingContent.ProtocolUpgrade {
        private final String what;
        private final OutgoingContent.ProtocolUpgrade upgrade;

        Watched(String what, OutgoingContent.ProtocolUpgrade upgrade) {
            this.what = what;
            this.upgrade = upgrade;
        }

        @Override
        public Headers headers() {
            return upgrade.headers();
        }

        @Override
        public OutgoingContent refusal(ApplicationCall call) {
            return upgrade.refusal(call);
        }

        @Override
        public String connectProtocol() {
            return upgrade.connectProtocol();
        }

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engineContext, Executor userContext) {
            return watch(what, upgrade.upgrade(input, output, engineContext, userContext));
        }
    }
}
