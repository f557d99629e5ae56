package io.upgradebridge.io.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one loop primitive: no wake is lost, only one thread runs the loop, and an asynchronous step never recurses. */
class LoopGateTest {

    enum Park { IDLE, PAUSED, RESUMING }

    private final LoopGate<Park> gate = new LoopGate<>(Park.IDLE) { };

    @Test
    void aWakeWhileTheLoopRunsMakesItGoRoundOnceMore() {
        assertTrue(gate.wake(Park.IDLE), "the first wake runs the loop");
        assertFalse(gate.wake(Park.IDLE), "a second one does not run it twice");
        assertEquals("RECHECK", gate.toString());
        assertFalse(gate.park(Park.IDLE), "the loop must look again instead of parking");
        assertEquals("RUNNING", gate.toString());
        assertTrue(gate.park(Park.IDLE));
        assertTrue(gate.isParked(Park.IDLE));
    }

    @Test
    void onlyAWakeForTheReasonTheLoopParkedForRunsIt() {
        assertTrue(gate.wake(Park.IDLE));
        assertTrue(gate.park(Park.PAUSED));
        assertFalse(gate.wake(Park.IDLE), "parked for something else");
        assertTrue(gate.wake(Park.RESUMING, Park.PAUSED), "either of two reasons");
    }

    @Test
    void moveChangesWhatAParkedLoopWaitsForOnceAndLeavesTheRunToTheCaller() {
        assertTrue(gate.wake(Park.IDLE));
        assertTrue(gate.park(Park.PAUSED));
        assertTrue(gate.move(Park.PAUSED, Park.RESUMING), "the first wake asks for the loop");
        assertFalse(gate.move(Park.PAUSED, Park.RESUMING), "a second one does not ask again");
        assertTrue(gate.isParked(Park.RESUMING));
        assertTrue(gate.wake(Park.IDLE, Park.RESUMING), "the event the caller asked for runs the loop");
    }

    @Test
    void aMoveDuringTheLoopIsNotLost() {
        assertTrue(gate.wake(Park.IDLE));
        assertFalse(gate.move(Park.PAUSED, Park.RESUMING), "the running loop is told instead");
        assertFalse(gate.park(Park.PAUSED), "so it does not park on a stale look");
        assertTrue(gate.park(Park.PAUSED));
    }

    @Test
    void anOperationThatCompletesOnTheLoopsStackLetsTheLoopGoOnThere() {
        assertTrue(gate.wake(Park.IDLE));
        gate.pending();
        assertFalse(gate.completed(), "completed while the loop is still on its stack: the callback does not run it");
        assertFalse(gate.awaitCompletion(), "the loop goes on where it is");
        assertEquals("RUNNING", gate.toString());
    }

    @Test
    void anOperationThatCompletesLaterRunsTheLoopFromItsCallback() {
        assertTrue(gate.wake(Park.IDLE));
        gate.pending();
        assertFalse(gate.wake(Park.IDLE), "a wake during the operation is not needed: the loop looks again after it");
        assertTrue(gate.awaitCompletion(), "the loop returns");
        assertTrue(gate.completed(), "the callback runs the loop");
        assertEquals("RUNNING", gate.toString());
    }

    @Test
    void finishEndsTheLoopOnceAndNothingWakesItAgain() {
        assertTrue(gate.finish());
        assertFalse(gate.finish());
        assertFalse(gate.wake(Park.IDLE));
        assertFalse(gate.move(Park.PAUSED, Park.RESUMING));
        assertTrue(gate.isDone());
    }

    @Test
    void aLoopEndedDuringAnOperationIsNotRunByItsCallback() {
        assertTrue(gate.wake(Park.IDLE));
        gate.pending();
        gate.finish();
        assertFalse(gate.completed());
        assertTrue(gate.awaitCompletion(), "the loop returns");
    }
}
