package io.upgradebridge.servlet.internal;

import io.upgradebridge.servlet.internal.grizzly.GrizzlyStreamCalls;
import io.upgradebridge.servlet.internal.tomcat.TomcatSocketEvents;
import io.upgradebridge.servlet.internal.undertow.UndertowReadEvents;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@link InputPump} over an upgraded {@link ServletInputStream}: fills with {@code read()} while {@code isReady()}
 * says so; {@code onDataAvailable()} wakes the loop.
 */
final class ServletReadPump extends InputPump implements ReadListener {

    private final ServletInputStream in;
    /**
     * Tomcat dispatches {@code onDataAvailable()} again after every read event of an upgraded connection,
     * even when the application did not read until {@code isReady()} said no, and it fills its own read
     * buffer right before; touching the stream from another thread then races with that fill. Undertow's
     * stream is not safe to read outside its I/O thread at all ({@link UndertowReadEvents}). So on those two
     * a paused pump resumes in an {@code onDataAvailable()} on the container's thread, asked for with
     * {@link TomcatSocketEvents#dispatchRead} or {@link UndertowReadEvents#dispatchRead} when the application
     * makes room.
     */
    private final boolean resumeOnlyInCallbacks;
    private final boolean onUndertow;
    /** GlassFish's and Payara's stream: {@code isReady()} goes through {@link GrizzlyStreamCalls}. */
    private final boolean onGrizzly;

    ServletReadPump(ServletInputStream in, UpgradedConnection connection, boolean onGrizzly) {
        super(connection);
        this.in = in;
        this.onGrizzly = onGrizzly;
        this.onUndertow = UndertowReadEvents.applies(in);
        this.resumeOnlyInCallbacks = onUndertow || TomcatSocketEvents.applies(in);
    }

    @Override
    protected int fill(ByteBuffer room) throws IOException {
        if (!(onGrizzly ? GrizzlyStreamCalls.isReady(in) : in.isReady())) {
            return 0; // the container calls onDataAvailable() once there is more
        }
        try {
            return in.read(room.array(), room.arrayOffset() + room.position(), room.remaining());
        } catch (EOFException peerClosed) {
            return -1;
        }
    }

    @Override
    protected void resume() {
        if (!resumeOnlyInCallbacks) {
            super.resume();
        } else if (move(Park.PAUSED, Park.RESUMING)) {
            // bytes the container already read ahead raise no socket event: ask for a read dispatch on its thread
            if (onUndertow) {
                UndertowReadEvents.dispatchRead(in);
            } else {
                TomcatSocketEvents.dispatchRead(in);
            }
        }
    }

    @Override
    public void onDataAvailable() {
        if (wake(Park.AWAITING_DATA, Park.RESUMING)) {
            pump();
        }
    }

    @Override
    public void onAllDataRead() {
        ended();
    }

    @Override
    public void onError(Throwable t) {
        if (t instanceof EOFException) {
            ended(); // Tomcat reports a peer's FIN as onError(EOFException) before onAllDataRead
        } else {
            failed(t);
        }
    }

    @Override
    public String toString() {
        return "ServletReadPump{" + gateState() + '}';
    }
}
