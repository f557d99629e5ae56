/**
 * The RAW WebSocket session behind {@link io.upgradebridge.websocket.WebSocketUpgrade}. Not an API: exported only to
 * the WebSockets feature.
 *
 * <p>One {@link io.upgradebridge.websocket.internal.FrameReader} per session parses the connection's input (a
 * {@link io.upgradebridge.io.internal.DrainPort}, no copy on the bridge's own channels) with the
 * {@link io.upgradebridge.websocket.internal.FrameParser} and hands each frame to a
 * {@link io.upgradebridge.websocket.internal.FrameSink}: the session's one bounded
 * {@link io.upgradebridge.websocket.internal.FrameInbox} (a byte bound, one waiting receiver, the end cause), or a
 * layer above that takes every frame itself (the default session). The handler receives through
 * {@link io.upgradebridge.websocket.internal.Receiving} ({@code receive}, {@code take}, and {@code forEach} through
 * the one {@link io.upgradebridge.websocket.internal.ReceiveLoop}); the
 * {@link io.upgradebridge.websocket.internal.FrameOutbox} encodes sent frames into the output in order.
 */
package io.upgradebridge.websocket.internal;
