/**
 * The channels behind {@link io.upgradebridge.io.ByteReadChannel} and {@link io.upgradebridge.io.ByteWriteChannel},
 * and the bridge's one loop primitive. Not an API: exported only to the bridge's WebSocket modules.
 *
 * <p>{@link io.upgradebridge.io.internal.RingByteChannel} is the bounded channel of every upgraded connection. The
 * application uses its public side; a transport uses one of its two ports instead, without a copy: a container adapter
 * fills a connection's input through {@link io.upgradebridge.io.internal.FillPort} (writable slice, commit, room
 * signal) and drains its output through {@link io.upgradebridge.io.internal.DrainPort} (readable slice, consume,
 * {@link io.upgradebridge.io.internal.PortState}, byte signal); a WebSocket session parses its input through the
 * same {@code DrainPort} ({@link io.upgradebridge.io.internal.DrainPort#of} gives one for any read channel), so no
 * module casts a channel to its implementation.
 *
 * <p>{@link io.upgradebridge.io.internal.LoopGate} is the loop/park/recheck protocol that every pump of the bridge
 * runs on: park for a named reason, a wake while the loop runs makes it look again, and the waker runs the loop on
 * its own thread or hands it to an executor.
 */
package io.upgradebridge.io.internal;
