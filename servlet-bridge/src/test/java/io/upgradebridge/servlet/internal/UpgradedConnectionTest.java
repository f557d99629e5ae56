package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ShutdownAware;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The life of one upgraded connection against a recording transport: how the application's stop reaches the job. */
class UpgradedConnectionTest {

    private final ExecutorService engine = Executors.newFixedThreadPool(2);
    private final ExecutorService stopper = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThreads() throws InterruptedException {
        engine.shutdownNow();
        stopper.shutdownNow();
        assertTrue(engine.awaitTermination(5, TimeUnit.SECONDS));
        assertTrue(stopper.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void aShutdownAwareJobSaysGoodbyeEvenWhenTheStopArrivesBeforeUpgradeReturnedIt() throws Exception {
        GoodbyeJob goodbye = new GoodbyeJob();
        SlowUpgrade upgrade = new SlowUpgrade(() -> goodbye);
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection connection = new UpgradedConnection(upgrade, engine, engine, 1024, live, "test");
        RecordingTransport transport = new RecordingTransport(connection);
        connection.open(transport);
        assertTrue(upgrade.entered.await(5, TimeUnit.SECONDS), "upgrade(...) runs");

        Future<?> shutDown = stopper.submit(() -> live.shutDown("undeploy", 10_000));
        awaitTrue(() -> !live.snapshot().isEmpty() && connection.job() == null && upgrade.returned.getCount() == 1);
        Thread.sleep(50); // let shutDown reach the connection while upgrade(...) is still inside
        upgrade.proceed.countDown();
        shutDown.get(10, TimeUnit.SECONDS);

        assertTrue(goodbye.told, "the job heard that the application is stopping");
        assertEquals(1, transport.closes, "closed gracefully after the goodbye was sent");
        assertEquals(0, transport.aborts, "not aborted");
    }

    @Test
    void aJobThatCannotSayGoodbyeIsAbortedOnceUpgradeReturnsIt() throws Exception {
        CompletableFuture<Void> forever = new CompletableFuture<>();
        SlowUpgrade upgrade = new SlowUpgrade(() -> Job.of(forever));
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection connection = new UpgradedConnection(upgrade, engine, engine, 1024, live, "test");
        RecordingTransport transport = new RecordingTransport(connection);
        connection.open(transport);
        assertTrue(upgrade.entered.await(5, TimeUnit.SECONDS));

        Future<?> shutDown = stopper.submit(() -> live.shutDown("undeploy", 10_000));
        Thread.sleep(50);
        upgrade.proceed.countDown();
        shutDown.get(10, TimeUnit.SECONDS);

        assertTrue(connection.isClosed());
        assertEquals(1, transport.aborts, "aborted: the job has no clean way to stop");
        assertTrue(forever.isCancelled(), "and its job is cancelled");
    }

    /**
     * The container thread that released a connection still runs with the application's class loader for a moment
     * (Tomcat unbinds it after {@code destroy()} returned): the shutdown waits until it has unbound it, so that the
     * container's leak check, run right after, does not catch that thread (CI: Tomcat 11 reported its worker
     * {@code http-nio-...-exec-13} as a thread the application failed to stop).
     */
    @Test
    void aShutdownWaitsUntilTheReleasingContainerThreadUnboundTheApplication() throws Exception {
        ClassLoader application = new java.net.URLClassLoader(new java.net.URL[0], null);
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(() -> Job.of(new CompletableFuture<>()), true),
            engine, engine, 1024, live, "test");
        RecordingTransport transport = new RecordingTransport(connection);
        transport.releasesLater = true;
        connection.open(transport);
        awaitTrue(() -> connection.job() != null);
        java.util.concurrent.atomic.AtomicBoolean unbound = new java.util.concurrent.atomic.AtomicBoolean();
        Thread container = new Thread(() -> {
            Thread self = Thread.currentThread();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!connection.isClosed() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the shutdown cancelled the connection
            }
            self.setContextClassLoader(application); // bound, as a container binds it around destroy()
            connection.transportClosed(null);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // the container finishing its dispatch, still bound
            }
            unbound.set(true);
            self.setContextClassLoader(null);
        }, "container-worker");
        container.start();
        Future<?> shutDown = stopper.submit(() -> {
            Thread.currentThread().setContextClassLoader(application); // the container stops the application bound to it
            live.shutDown("undeploy", 10_000);
        });
        shutDown.get(15, TimeUnit.SECONDS);
        assertTrue(unbound.get(), "the shutdown returned while the releasing thread still had the application's loader");
        container.join(5000);
    }

    @Test
    void aStopAfterTheConnectionClosedIsNotDelivered() throws Exception {
        GoodbyeJob goodbye = new GoodbyeJob();
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(() -> goodbye, true), engine, engine,
            1024, new LiveUpgrades(), "test");
        RecordingTransport transport = new RecordingTransport(connection);
        connection.open(transport);
        awaitTrue(() -> connection.job() != null);
        connection.cancel(new java.util.concurrent.CancellationException("gone"));
        assertFalse(connection.applicationStopping());
        assertFalse(goodbye.told);
    }

    /**
     * A job that ends while the peer still sends: the output is half-closed, the input is read and dropped (nothing is
     * kept, the producer is never held back), and the connection closes once the peer ends its input.
     */
    @Test
    void aGracefulCloseLingersUntilThePeerClosesItsSide() throws Exception {
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(Job::completed, true), engine, engine,
            1024, new LiveUpgrades(), "test");
        RecordingTransport transport = new RecordingTransport(connection, true);
        connection.open(transport);
        awaitLingering(connection, transport);
        assertEquals(1, transport.shutdowns, "the output is half-closed");
        assertEquals(UpgradedConnection.LINGER_MILLIS, transport.silenceMillis);
        assertFalse(connection.isClosed(), "not closed while the peer may still send");
        for (int i = 0; i < 100; i++) { // 100 KiB through a 1 KiB buffer: dropped as it comes
            java.nio.ByteBuffer room = connection.inputPort().writableSlice();
            assertTrue(room.remaining() > 0, "never full while lingering");
            connection.inputPort().commit(room.remaining());
        }
        assertEquals(0, connection.input().availableForRead());
        assertEquals(0, transport.closes);
        connection.inputEnded(); // the peer's FIN
        assertEquals(1, transport.closes, "closed once the peer closed its side");
        assertEquals(0, transport.aborts);
    }

    /** A peer that said it sends nothing more (a WebSocket close frame, told through the input's port) is not waited for. */
    @Test
    void aPeerThatSaidItIsDoneIsNotLingeredFor() throws Exception {
        CompletableFuture<Void> ends = new CompletableFuture<>();
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(() -> Job.of(ends), true), engine, engine,
            1024, new LiveUpgrades(), "test");
        RecordingTransport transport = new RecordingTransport(connection, true);
        connection.open(transport);
        awaitTrue(() -> connection.job() != null);
        ((io.upgradebridge.io.internal.DrainPort) connection.input()).peerDone();
        ends.complete(null);
        awaitTrue(connection::isClosed);
        assertEquals(1, transport.closes, "closed gracefully at once");
        assertEquals(0, transport.shutdowns, "no half-close: nothing to linger for");
        assertEquals(0, transport.aborts);
    }

    /** The bridge's own non-blocking upgrades start on the thread that took the connection over: no hop. */
    @Test
    void aNonBlockingUpgradeRunsOnTheThreadThatOpensTheConnection() throws Exception {
        NonBlocking upgrade = new NonBlocking();
        UpgradedConnection connection = new UpgradedConnection(upgrade, engine, engine, 1024, new LiveUpgrades(), "test");
        connection.open(new RecordingTransport(connection));
        assertSame(Thread.currentThread(), upgrade.ranOn, "upgrade(...) ran inside open()");
        assertNotNull(connection.job());
        // any other upgrade starts on the engine executor
        SlowUpgrade other = new SlowUpgrade(Job::completed, true);
        UpgradedConnection second = new UpgradedConnection(other, engine, engine, 1024, new LiveUpgrades(), "test");
        second.open(new RecordingTransport(second));
        assertTrue(other.returned.await(5, TimeUnit.SECONDS));
        assertNotSame(Thread.currentThread(), other.ranOn);
    }

    private static final class NonBlocking extends OutgoingContent.ProtocolUpgrade implements io.upgradebridge.io.internal.NonBlockingUpgrade {
        volatile Thread ranOn;

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output,
                           java.util.concurrent.Executor engineContext, java.util.concurrent.Executor userContext) {
            ranOn = Thread.currentThread();
            return Job.of(new CompletableFuture<>());
        }
    }

    @Test
    void aLingeringCloseEndsAfterItsByteBound() throws Exception {
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(Job::completed, true), engine, engine,
            64 * 1024, new LiveUpgrades(), "test");
        RecordingTransport transport = new RecordingTransport(connection, true);
        connection.open(transport);
        awaitLingering(connection, transport);
        long dropped = 0;
        while (transport.closes == 0 && dropped <= UpgradedConnection.LINGER_BYTES + 64 * 1024) {
            java.nio.ByteBuffer room = connection.inputPort().writableSlice();
            connection.inputPort().commit(room.remaining());
            dropped += room.remaining();
        }
        assertEquals(1, transport.closes, "closed after " + dropped + " bytes dropped");
        assertTrue(dropped > UpgradedConnection.LINGER_BYTES, "not before the bound: " + dropped);
    }

    /**
     * A transport without a timeout of its own (Undertow, Grizzly) still lingers: the bridge's linger timer closes the
     * connection of a silent peer after the bound, and stops with the filter.
     */
    @Test
    void aTransportWithoutATimeoutLingersOnTheBridgesTimer() throws Exception {
        long timersBefore = lingerTimers(); // other tests' registries may keep theirs
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection silent = new UpgradedConnection(new SlowUpgrade(Job::completed, true), engine, engine,
            1024, live, "test");
        RecordingTransport noTimeout = new RecordingTransport(silent, false);
        silent.open(noTimeout);
        awaitTrue(() -> lingerTimers() == timersBefore + 1); // the registry's linger timer runs
        assertEquals(1, noTimeout.shutdowns, "the output is half-closed first");
        assertEquals(0, noTimeout.closes, "not closed while the peer may still send");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UpgradedConnection.LINGER_MILLIS * 3);
        while (noTimeout.closes == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, noTimeout.closes, "the timer closed the silent peer's connection");
        assertTrue(silent.isClosed());

        UpgradedConnection closing = new UpgradedConnection(new SlowUpgrade(Job::completed, true), engine, engine,
            1024, live, "test");
        RecordingTransport peerCloses = new RecordingTransport(closing, false);
        closing.open(peerCloses);
        awaitTrue(() -> peerCloses.shutdowns == 1);
        closing.inputEnded(); // the peer's FIN before the timer
        // the lingering thread half-closes before it starts dropping the input, which sees the FIN and closes
        awaitTrue(() -> peerCloses.closes == 1);
        assertEquals(0, peerCloses.aborts, "closed, not aborted");

        live.shutDown("test over", 100);
        awaitTrue(() -> lingerTimers() == timersBefore); // stopped with the filter

        LiveUpgrades stopped = new LiveUpgrades();
        stopped.shutDown("stopped", 0);
        assertFalse(stopped.closeLater(() -> { }, 10), "no timer once the filter stopped: the caller closes at once");
    }

    private static long lingerTimers() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().equals(LiveUpgrades.LINGER_TIMER)).count();
    }

    /** The goodbye a {@link ShutdownAware} job returns is honoured: a failed one closes the connection at once. */
    @Test
    void aGoodbyeThatFailsClosesTheConnectionAtOnce() throws Exception {
        CompletableFuture<Void> goodbye = new CompletableFuture<>();
        GoodbyeJob job = new GoodbyeJob(goodbye);
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(() -> job, true), engine, engine, 1024, live, "test");
        RecordingTransport transport = new RecordingTransport(connection);
        connection.open(transport);
        awaitTrue(() -> connection.job() != null);
        assertTrue(connection.applicationStopping(), "asked to stop cleanly: worth waiting for");
        assertTrue(job.told);
        assertFalse(connection.isClosed(), "the goodbye is under way");
        goodbye.completeExceptionally(new IllegalStateException("cannot send 1001"));
        assertTrue(connection.isClosed(), "a goodbye that failed is not waited for");
        assertEquals(1, transport.aborts);
        assertEquals("cannot send 1001", connection.closeCause().getMessage());
    }

    /** A transport that must drain before it closes (an HTTP/2 stream) lingers when the application stops, too. */
    @Test
    void aTransportThatMustDrainLingersAlsoWhenTheApplicationStops() throws Exception {
        CompletableFuture<Void> goodbye = new CompletableFuture<>();
        GoodbyeJob job = new GoodbyeJob(goodbye);
        LiveUpgrades live = new LiveUpgrades();
        UpgradedConnection connection = new UpgradedConnection(new SlowUpgrade(() -> job, true), engine, engine, 1024, live, "test");
        RecordingTransport transport = new RecordingTransport(connection, true);
        transport.mustDrain = true;
        connection.open(transport);
        awaitTrue(() -> connection.job() != null);
        assertTrue(connection.applicationStopping());
        job.stopped.complete(null); // the job says goodbye and ends; its output is drained at once
        awaitTrue(() -> transport.silenceMillis > 0);
        assertEquals(1, transport.shutdowns, "half-closed, not closed: the peer still sends");
        assertFalse(connection.isClosed());
        assertTrue(connection.applicationStopping(), "a second stop waits for the lingering close too");
        connection.inputEnded(); // the peer ends its side
        assertEquals(1, transport.closes);
        assertEquals(0, transport.aborts);
    }

    /** Waits until the lingering close drops the input: the silence bound is set, then the input discards. */
    private static void awaitLingering(UpgradedConnection connection, RecordingTransport transport) throws InterruptedException {
        awaitTrue(() -> transport.silenceMillis > 0 && connection.toString().contains("discarding"));
    }

    private static void awaitTrue(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }

    /** An upgrade whose {@code upgrade(...)} waits until the test lets it return. */
    private static final class SlowUpgrade extends OutgoingContent.ProtocolUpgrade {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch proceed;
        final CountDownLatch returned = new CountDownLatch(1);
        volatile Thread ranOn;
        private final Supplier<Job> job;

        SlowUpgrade(Supplier<Job> job) {
            this(job, false);
        }

        SlowUpgrade(Supplier<Job> job, boolean immediately) {
            this.job = job;
            this.proceed = new CountDownLatch(immediately ? 0 : 1);
        }

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output,
                           java.util.concurrent.Executor engineContext, java.util.concurrent.Executor userContext) {
            ranOn = Thread.currentThread();
            entered.countDown();
            try {
                proceed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.countDown();
            return job.get();
        }
    }

    /** A job that completes once told the application stops, as a WebSocket session does after its 1001. */
    private static final class GoodbyeJob implements Job, ShutdownAware {
        final CompletableFuture<Void> stopped = new CompletableFuture<>();
        /** What {@link #applicationStopping()} returns; {@code null}: the job stops at once. */
        private final CompletableFuture<Void> goodbye;
        volatile boolean told;

        GoodbyeJob() {
            this(null);
        }

        GoodbyeJob(CompletableFuture<Void> goodbye) {
            this.goodbye = goodbye;
        }

        @Override
        public CompletionStage<?> applicationStopping() {
            told = true;
            if (goodbye != null) {
                return goodbye;
            }
            stopped.complete(null);
            return stopped;
        }

        @Override
        public CompletionStage<Void> completion() {
            return stopped;
        }

        @Override
        public boolean cancel() {
            return stopped.cancel(false);
        }

        @Override
        public void join() {
            stopped.join();
        }

        @Override
        public boolean isActive() {
            return !stopped.isDone();
        }

        @Override
        public boolean isCompleted() {
            return stopped.isDone();
        }

        @Override
        public boolean isCancelled() {
            return stopped.isCancelled();
        }
    }

    /** Stands for the container: drains the output at once and counts how the connection ended. */
    private static final class RecordingTransport implements UpgradeTransport {
        private final UpgradedConnection connection;
        private final boolean canLinger;
        /** As an HTTP/2 stream: lingers also when the application stops. */
        volatile boolean mustDrain;
        volatile int closes;
        volatile int aborts;
        volatile int shutdowns;
        volatile long silenceMillis;
        /** Leaves {@code transportClosed} to the test, as a container that releases on a thread of its own. */
        volatile boolean releasesLater;

        RecordingTransport(UpgradedConnection connection) {
            this(connection, false);
        }

        RecordingTransport(UpgradedConnection connection, boolean canLinger) {
            this.connection = connection;
            this.canLinger = canLinger;
        }

        @Override
        public boolean shutdownOutput() {
            shutdowns++;
            return canLinger;
        }

        @Override
        public boolean closeWhenSilent(long millis) {
            if (canLinger) {
                silenceMillis = millis;
            }
            return canLinger;
        }

        @Override
        public void startPumps() {
            connection.outputPort().onBytes(() -> {
                if (connection.outputPort().state() == io.upgradebridge.io.internal.PortState.ENDED) {
                    connection.outputDrained();
                }
            });
        }

        @Override
        public boolean mustDrainBeforeClose() {
            return mustDrain;
        }

        @Override
        public synchronized void close() {
            closes++;
            if (!releasesLater) {
                connection.transportClosed(null);
            }
        }

        @Override
        public synchronized void abort(Throwable cause) {
            aborts++;
            if (!releasesLater) {
                connection.transportClosed(cause);
            }
        }

        @Override
        public String describe() {
            return "recording transport";
        }
    }
}
