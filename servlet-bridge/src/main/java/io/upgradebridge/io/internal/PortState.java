package io.upgradebridge.io.internal;

/** What a {@link DrainPort} holds for its reader right now. */
public enum PortState {
    /** Bytes can be read. */
    READABLE,
    /** Nothing to read now, and more may come: the port's signal tells when. */
    EMPTY,
    /** The writer ended the stream normally and every byte was read. */
    ENDED,
    /** The stream ended with a cause ({@link DrainPort#closedCause()}) and every byte that is left to read was read. */
    FAILED
}
