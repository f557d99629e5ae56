/**
 * The WebSockets feature's routes and default session. Not an API.
 *
 * <p>{@link io.upgradebridge.websockets.internal.DefaultSession} is a layer over the RAW session: the RAW session's
 * frame reader hands it every frame; it answers control frames as they are parsed and puts checked, inflated data
 * frames ({@link io.upgradebridge.websockets.internal.DataFrameDecoder}) into the one inbox its handler reads, so a
 * frame is queued once. {@link io.upgradebridge.websockets.internal.MessageReader} only puts frames together into
 * messages. The close handshake ({@link io.upgradebridge.websockets.internal.CloseHandshake}), pings and the idle
 * check ({@link io.upgradebridge.websockets.internal.Heartbeat}) and the rule that a close never overtakes the
 * handler's answers ({@link io.upgradebridge.websockets.internal.OrderingGate}) are classes of their own.
 */
package io.upgradebridge.websockets.internal;
