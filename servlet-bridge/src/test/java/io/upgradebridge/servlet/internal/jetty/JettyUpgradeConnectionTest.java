package io.upgradebridge.servlet.internal.jetty;

import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.internal.LiveUpgrades;
import io.upgradebridge.servlet.internal.UpgradedConnection;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JettyUpgradeConnectionTest {

    /**
     * A close from another thread while the read loop is inside the endpoint's {@code fill()} does not close the
     * endpoint under the fill: Jetty's HTTP/2 stream endpoint would release the data frame it is filling from twice
     * (and with it the HTTP/2 connection's network buffer). The fill's end closes it, on the read loop's thread.
     */
    @Test
    void anEndPointIsNotClosedWhileTheReadLoopIsInsideItsFill() throws Exception {
        ExecutorService engine = Executors.newFixedThreadPool(2);
        try {
            FillingEndPoint endPoint = new FillingEndPoint();
            UpgradedConnection connection = new UpgradedConnection(new WaitingUpgrade(), engine, engine, 1024,
                new LiveUpgrades(), "test");
            JettyUpgradeConnection jetty = new JettyUpgradeConnection(endPoint, engine, connection, false);
            endPoint.setConnection(jetty);
            Thread reader = new Thread(jetty::onOpen, "test-read-loop"); // the pump's first fill runs here
            reader.start();
            assertTrue(endPoint.inFill.await(5, TimeUnit.SECONDS), "the read loop fills");

            jetty.close(); // from this thread, while the fill is under way
            assertEquals(0, endPoint.closes, "not closed under the fill");
            assertTrue(endPoint.isOutputShutdown(), "the output is ended at once");

            endPoint.endFill.countDown();
            reader.join(5_000);
            assertFalse(reader.isAlive());
            assertEquals(1, endPoint.closes, "closed once the fill returned");
            assertFalse(endPoint.closedDuringFill, "never during a fill");
            assertSame(reader, endPoint.closedOn, "by the read loop, at the end of its fill");
            assertTrue(connection.isClosed(), "the connection heard of the close");
        } finally {
            engine.shutdownNow();
        }
    }

    /** An endpoint whose first fill waits until the test lets it return, and which records its closes. */
    private static final class FillingEndPoint extends ByteArrayEndPoint {
        final CountDownLatch inFill = new CountDownLatch(1);
        final CountDownLatch endFill = new CountDownLatch(1);
        volatile boolean filling;
        volatile boolean closedDuringFill;
        volatile int closes;
        volatile Thread closedOn;

        @Override
        public int fill(ByteBuffer buffer) throws IOException {
            filling = true;
            try {
                if (inFill.getCount() > 0) {
                    inFill.countDown();
                    endFill.await(10, TimeUnit.SECONDS);
                }
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            } finally {
                filling = false;
            }
        }

        @Override
        public void doClose() {
            closes++;
            closedOn = Thread.currentThread();
            closedDuringFill |= filling;
            super.doClose();
        }
    }

    /** An upgrade whose job never ends by itself. */
    private static final class WaitingUpgrade extends OutgoingContent.ProtocolUpgrade {
        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output, java.util.concurrent.Executor engineContext,
                           java.util.concurrent.Executor userContext) {
            return Job.of(new CompletableFuture<>());
        }
    }
}
