package io.upgradebridge.servlet.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-over rule of a pump's loop: no wake-up is lost, and only one thread runs the loop. */
class LoopGateTest {

    enum S { IDLE, RUNNING, RECHECK, PAUSED, RESUMING, DONE }

    private final LoopGate<S> gate = new LoopGate<>(S.IDLE, S.RUNNING, S.RECHECK, S.DONE);

    @Test
    void aWakeUpWhileTheLoopRunsMakesItGoRoundOnceMore() {
        assertTrue(gate.enter(S.IDLE, null), "the first wake-up runs the loop");
        assertFalse(gate.enter(S.IDLE, null), "a second one does not run it twice");
        assertEquals(S.RECHECK, gate.get());
        assertFalse(gate.park(S.IDLE), "the loop must look again instead of parking");
        assertEquals(S.RUNNING, gate.get());
        assertTrue(gate.park(S.IDLE));
        assertEquals(S.IDLE, gate.get());
    }

    @Test
    void wakeMovesAParkedPumpOnceAndLeavesTheLoopToTheCaller() {
        assertTrue(gate.enter(S.IDLE, null));
        assertTrue(gate.park(S.PAUSED));
        assertTrue(gate.wake(S.PAUSED, S.RESUMING), "the first wake-up asks for the loop");
        assertFalse(gate.wake(S.PAUSED, S.RESUMING), "a second one does not ask again");
        assertEquals(S.RESUMING, gate.get());
        assertTrue(gate.enter(S.IDLE, S.RESUMING), "the event the caller asked for runs the loop");
    }

    @Test
    void wakeDuringTheLoopIsNotLost() {
        assertTrue(gate.enter(S.IDLE, null));
        assertFalse(gate.wake(S.PAUSED, S.RESUMING), "the running loop is told instead");
        assertFalse(gate.park(S.PAUSED), "so it does not park on a stale look");
        assertTrue(gate.park(S.PAUSED));
    }

    @Test
    void finishEndsThePumpOnceAndNothingWakesItAgain() {
        assertTrue(gate.finish());
        assertFalse(gate.finish());
        assertFalse(gate.enter(S.IDLE, null));
        assertFalse(gate.wake(S.PAUSED, S.RESUMING));
        assertEquals(S.DONE, gate.get());
    }
}
