package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.io.internal.CompletableJob;
import io.upgradebridge.io.internal.DrainPort;
import io.upgradebridge.io.internal.Failures;
import io.upgradebridge.io.internal.FillPort;
import io.upgradebridge.io.internal.LazyCompletion;
import io.upgradebridge.io.internal.NonBlockingUpgrade;
import io.upgradebridge.io.internal.RingByteChannel;
import io.upgradebridge.servlet.ShutdownAware;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One upgraded connection: its two channels, the application's {@link Job}, and the rule that ties
 * them to the TCP connection. The connection closes gracefully once the job has completed and the
 * output has been sent; it is aborted when the job fails or is cancelled, when the peer goes away, or
 * when the application shuts down.
 *
 * <p>A graceful close while the peer may still be sending lingers: closing a socket with unread input
 * makes the kernel send a reset, and a peer still writing (a client that writes its whole message before
 * it reads, as OkHttp and Node's {@code ws} do) then loses what was sent to it, the WebSocket close frame
 * that refused its message included. So the output is half-closed (FIN), the input is read and dropped
 * ({@link RingByteChannel#discard}) until the peer closes its side, {@value #LINGER_BYTES} bytes were
 * dropped, or {@value #LINGER_MILLIS} ms passed, and only then is the connection closed. No thread waits,
 * and nothing is buffered. The time bound is the container's read timeout where the bridge can set one (Jetty, Tomcat),
 * else a timer of the bridge's ({@link LiveUpgrades#closeLater}).
 */
public final class UpgradedConnection {

    private static final System.Logger LOG = System.getLogger("io.upgradebridge.servlet");
    /** How long a lingering close waits at most for the peer to close its side (also its longest silence). */
    static final long LINGER_MILLIS = 5_000;
    /** How many bytes a lingering close drops at most before it closes anyway. */
    static final long LINGER_BYTES = 64L * 1024 * 1024;

    /** Life of the connection. Transitions only by CAS. */
    enum State {
        /** Created; the transport has not opened it yet. */
        NEW,
        /** The job runs and the output is open. */
        RUNNING,
        /** The job completed normally; the output is being drained. */
        JOB_DONE,
        /** The output was closed and drained; the job still runs. */
        OUTPUT_DONE,
        /** Job and output done; the output is half-closed and the input dropped until the peer closes (or a bound). */
        LINGERING,
        /** The TCP connection is closed or closing. Terminal. */
        CLOSED
    }

    /** Let go of once {@code upgrade(...)} returned (by the thread that ran it): a session does not keep its response headers. */
    private OutgoingContent.ProtocolUpgrade upgrade;
    private final String upgradeType;
    private final Executor engine;
    private final Executor user;
    private final LiveUpgrades registry;
    /** Made when a message needs it: a session does not keep the string. */
    private final Supplier<String> description;
    private final RingByteChannel input;
    private final RingByteChannel output;
    // state in fields changed through VarHandles (below): a connection lives as long as its session
    /** Changed only by CAS / getAndSet through {@link #STATE}. */
    private volatile State state = State.NEW;
    private volatile Job job;
    /** Set once the application is stopping; read after the job is published, so one side always delivers. */
    private volatile boolean stopping;
    /** The stop reaches the job once, whichever of {@link #applicationStopping()} and {@link #runUpgrade()} sees both (CAS). */
    private volatile boolean stopDelivered;
    private volatile UpgradeTransport transport;
    private volatile Throwable closeCause;
    /** {@link LazyCompletion}s: made only when shutdown asks for them. */
    @SuppressWarnings("unused") // through CLOSED
    private volatile CompletableFuture<Void> closed;
    @SuppressWarnings("unused") // through RELEASED
    private volatile CompletableFuture<Void> released;
    /** The thread that released the connection ({@link #transportClosed}): a container's, as a rule. */
    private volatile Thread releasedBy;

    private static final VarHandle STATE;
    private static final VarHandle STOP_DELIVERED;
    private static final VarHandle CLOSED;
    private static final VarHandle RELEASED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(UpgradedConnection.class, "state", State.class);
            STOP_DELIVERED = lookup.findVarHandle(UpgradedConnection.class, "stopDelivered", boolean.class);
            CLOSED = lookup.findVarHandle(UpgradedConnection.class, "closed", CompletableFuture.class);
            RELEASED = lookup.findVarHandle(UpgradedConnection.class, "released", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public UpgradedConnection(OutgoingContent.ProtocolUpgrade upgrade, Executor engine, Executor user, int bufferSize,
                              LiveUpgrades registry, String description) {
        this(upgrade, engine, user, bufferSize, registry, () -> description);
    }

    /** @param description what the connection is, for log messages: made only when one is written */
    public UpgradedConnection(OutgoingContent.ProtocolUpgrade upgrade, Executor engine, Executor user, int bufferSize,
                              LiveUpgrades registry, Supplier<String> description) {
        this.upgrade = upgrade;
        this.upgradeType = upgrade == null ? "(none)" : upgrade.getClass().getName();
        this.engine = engine;
        this.user = user;
        this.registry = registry;
        this.description = description;
        this.input = new RingByteChannel(bufferSize, engine);
        this.output = new RingByteChannel(bufferSize, engine);
    }

    /** Bytes from the peer, as the application reads them. */
    public ByteReadChannel input() {
        return input;
    }

    /** Bytes to the peer, as the application writes them. */
    public ByteWriteChannel output() {
        return output;
    }

    /** The input as the transport fills it. */
    public FillPort inputPort() {
        return input;
    }

    /** The output as the transport drains it. */
    public DrainPort outputPort() {
        return output;
    }

    public Executor engine() {
        return engine;
    }

    /** The application's job, or {@code null} before {@code upgrade(...)} returned. */
    public Job job() {
        return job;
    }

    /** Why the connection was aborted, or {@code null}. */
    public Throwable closeCause() {
        return closeCause;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /**
     * Called by the transport once the connection is taken over: registers it, starts the pumps and
     * runs the application's {@code upgrade} on the engine executor (never on the container's thread); the bridge's
     * own {@link NonBlockingUpgrade}s run here, on the calling thread.
     */
    public void open(UpgradeTransport transport) {
        this.transport = transport;
        if (!STATE.compareAndSet(this, State.NEW, State.RUNNING)) {
            transport.abort(closeCause); // race: the application shut down between the 101 and the take-over
            return;
        }
        if (!registry.add(this)) {
            abort(new CancellationException("the application is shutting down"));
            return;
        }
        transport.startPumps();
        if (upgrade instanceof NonBlockingUpgrade) {
            runUpgrade(); // the bridge's own session set-up: no application code, nothing that waits
            return;
        }
        try {
            engine.execute(this::runUpgrade);
        } catch (RuntimeException e) {
            abort(new IOException("could not start the upgrade: the executor refused it (" + e + ")", e));
        }
    }

    private void runUpgrade() {
        Job started;
        try {
            started = upgrade.upgrade(input, output, engine, user);
            upgrade = null;
            if (started == null) {
                throw new NullPointerException(upgradeType + ".upgrade(...) returned null instead of a Job");
            }
        } catch (Throwable t) {
            upgrade = null;
            LOG.log(Level.WARNING, "the upgrade " + upgradeType + " threw; closing " + description.get(), t);
            abort(t);
            return;
        }
        job = started;
        if (state == State.CLOSED) {
            started.cancel(); // race: aborted while upgrade(...) was still running
        }
        if (started instanceof CompletableJob own) {
            own.onCompletion(this::jobCompleted); // the bridge's own jobs: no stage kept for the session's life
        } else {
            started.completion().whenComplete((ignored, failure) -> jobCompleted(failure));
        }
        if (stopping) {
            deliverStop(started); // race: the application began stopping while upgrade(...) was still running
        }
    }

    private void jobCompleted(Throwable failure) {
        if (failure == null) {
            if (STATE.compareAndSet(this, State.RUNNING, State.JOB_DONE)) {
                output.close(); // the transport drains what is left, then calls outputDrained()
            } else {
                lingerOrClose(State.OUTPUT_DONE);
            }
            return;
        }
        Throwable cause = Failures.unwrap(failure);
        if (state != State.CLOSED && !(cause instanceof CancellationException)) {
            if (channelsFailed() && Failures.isConnectionLoss(cause)) {
                // the peer went away and the job's reads or writes saw it: normal traffic, not a failing job
                LOG.log(Level.DEBUG, () -> "the peer of " + description.get() + " went away: " + cause);
            } else {
                LOG.log(Level.WARNING, "the upgrade job of " + upgradeType + " failed; closing " + description.get(), cause);
            }
        }
        abort(cause);
    }

    /** Whether a channel of this connection ended with a failure (the transport reported one, or the job cancelled). */
    private boolean channelsFailed() {
        return input.closedCause() != null || output.closedCause() != null;
    }

    /** The transport sent every byte of a normally closed output. */
    public void outputDrained() {
        if (state == State.JOB_DONE) {
            lingerOrClose(State.JOB_DONE);
        } else {
            STATE.compareAndSet(this, State.RUNNING, State.OUTPUT_DONE); // the application closed its output early; wait for the job
        }
    }

    /**
     * Job and output are done: closes now when the peer has ended its input already, said it sends nothing more, or
     * the application is stopping (undeploy waits for every connection to close, and the container for undeploy), else
     * lingers (see the class comment) where the transport can bound it in time. A transport that
     * {@linkplain UpgradeTransport#mustDrainBeforeClose must drain before it closes} lingers when the application stops
     * too.
     */
    private void lingerOrClose(State from) {
        UpgradeTransport t = transport;
        // a peer that said it sends nothing more (its WebSocket close frame) needs no lingering either
        boolean linger = t != null && !input.isClosedForWrite() && !input.isPeerDone() && (!stopping || t.mustDrainBeforeClose());
        if (linger && STATE.compareAndSet(this, from, State.LINGERING)) {
            t.shutdownOutput();
            // the container bounds the silence, else the bridge's timer the whole linger (the discard bounds the rest)
            if (t.closeWhenSilent(LINGER_MILLIS) || registry.closeLater(this::lingerOver, LINGER_MILLIS)) {
                input.discard(LINGER_BYTES, System.nanoTime() + LINGER_MILLIS * 1_000_000, this::lingerOver);
            } else {
                lingerOver(); // the filter is stopping: close now
            }
            return;
        }
        if (STATE.compareAndSet(this, from, State.CLOSED)) {
            closeGracefully();
        }
    }

    /** The peer closed its side (or failed), or a bound of the lingering close was reached. */
    private void lingerOver() {
        if (STATE.compareAndSet(this, State.LINGERING, State.CLOSED)) {
            closeGracefully();
        }
    }

    /** The peer ended its input normally (FIN). The application sees {@code -1}; nothing else changes. */
    public void inputEnded() {
        input.close();
    }

    /** The transport failed (reset, I/O error) or the application cancelled its input: the connection is dead. */
    public void transportFailed(Throwable cause) {
        abort(cause != null ? cause : new EOFException("the connection ended"));
    }

    /** The container closed the connection (destroy, onClose): it is done with it. */
    public void transportClosed(Throwable cause) {
        if (state != State.CLOSED) {
            abort(cause != null ? cause : new EOFException("the container closed the connection"));
        }
        releasedBy = Thread.currentThread();
        LazyCompletion.complete(RELEASED, this);
    }

    /**
     * Waits, until {@code deadlineNanos} ({@link System#nanoTime()}) at the latest, while the thread that released the
     * connection still runs with {@code application} as its context class loader. A container binds the application's
     * loader to its thread around the call that releases the connection and unbinds it a moment after that call
     * returned (Tomcat: after {@code HttpUpgradeHandler.destroy()}); the leak check it runs as the application stops
     * reports a thread caught in between as one the application leaked. A thread that waits (idle in its pool) is not
     * waited for: if it keeps the loader, that is a leak to report.
     */
    void awaitReleasingThreadLeft(ClassLoader application, long deadlineNanos) {
        Thread thread = releasedBy;
        if (thread == null || thread == Thread.currentThread() || application == null) {
            return;
        }
        while (thread.getContextClassLoader() == application && System.nanoTime() - deadlineNanos < 0) {
            Thread.State now = thread.getState();
            if (now != Thread.State.RUNNABLE && now != Thread.State.BLOCKED) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Completes once the container has released the connection (after {@link #whenClosed()}): no container
     * thread works on it any more. Undeploy waits for this, or the container's own leak check may catch one
     * of its threads still inside the application's code.
     */
    public CompletionStage<Void> whenReleased() {
        return LazyCompletion.future(RELEASED, this);
    }

    /** Cancels the job and closes the connection at once (application shutdown, filter destroy). */
    public void cancel(Throwable reason) {
        abort(reason);
    }

    /** Completes once the connection is closed (gracefully or not). */
    public CompletionStage<Void> whenClosed() {
        return LazyCompletion.future(CLOSED, this);
    }

    /**
     * The application is stopping: a job that is {@link ShutdownAware} may end
     * the connection cleanly. Returns at once; {@link #whenClosed()} tells when it is done.
     *
     * @return whether the job was asked to stop cleanly (worth waiting for)
     */
    boolean applicationStopping() {
        if (state == State.CLOSED) {
            return false;
        }
        if (state == State.LINGERING) {
            UpgradeTransport t = transport;
            if (t != null && t.mustDrainBeforeClose()) {
                return true; // the job is over; the peer ends its side soon, or the bound closes it
            }
            abort(new CancellationException("the application is stopping")); // the job is over: nothing to wait for
            return false;
        }
        stopping = true;
        Job j = job;
        if (j == null) {
            return true; // upgrade(...) has not returned yet: runUpgrade delivers the stop, or aborts
        }
        return deliverStop(j);
    }

    /** @return whether the job was asked to stop cleanly; a job that cannot be asked is aborted now. */
    private boolean deliverStop(Job j) {
        if (!STOP_DELIVERED.compareAndSet(this, false, true)) {
            return true;
        }
        if (!(j instanceof ShutdownAware aware)) {
            abort(new CancellationException("the application is stopping"));
            return false;
        }
        CompletionStage<?> goodbye;
        try {
            goodbye = aware.applicationStopping();
        } catch (RuntimeException e) {
            stopFailed(e);
            return false;
        }
        if (goodbye != null) {
            goodbye.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    stopFailed(Failures.unwrap(failure)); // no goodbye under way: nothing to wait for
                }
            });
        }
        return true;
    }

    private void stopFailed(Throwable failure) {
        if (state != State.CLOSED) {
            LOG.log(Level.WARNING, "the upgrade job of " + description.get() + " failed to stop cleanly; closing it", failure);
        }
        abort(failure);
    }

    private void closeGracefully() {
        input.close(); // ends the input for a reader still there; bytes already read stay read
        registry.remove(this);
        UpgradeTransport t = transport;
        if (t != null) {
            t.close();
        }
        LazyCompletion.complete(CLOSED, this);
    }

    private void abort(Throwable cause) {
        State previous = (State) STATE.getAndSet(this, State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        closeCause = cause;
        input.close(cause);
        output.cancel(cause);
        Job j = job;
        if (j != null) {
            j.cancel();
        }
        registry.remove(this);
        UpgradeTransport t = transport;
        if (t != null) {
            t.abort(cause);
        }
        LazyCompletion.complete(CLOSED, this);
    }

    @Override
    public String toString() {
        return "UpgradedConnection{" + description.get() + ", state=" + state + ", job=" + job
            + ", transport=" + transport + ", input=" + input + ", output=" + output + '}';
    }
}
