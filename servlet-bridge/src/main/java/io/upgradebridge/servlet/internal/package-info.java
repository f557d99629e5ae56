/**
 * The implementation of {@link io.upgradebridge.servlet.ProtocolUpgradeFilter}. Not an API.
 *
 * <p>The filter coordinates one class per job: {@link io.upgradebridge.servlet.internal.FilterSettings} reads its
 * parameters, {@link io.upgradebridge.servlet.internal.ExecutorChoice} picks the executors,
 * {@link io.upgradebridge.servlet.internal.TransportChoice} the container's way to take a connection over,
 * {@link io.upgradebridge.servlet.internal.UpgradeRouters} keeps the routers and
 * {@link io.upgradebridge.servlet.internal.Upgrader} performs each upgrade. An
 * {@link io.upgradebridge.servlet.internal.UpgradedConnection} ties the upgrade's job to the connection's two
 * channels and closes the connection; {@link io.upgradebridge.servlet.internal.LiveUpgrades} holds the open ones.
 *
 * <p>Each container adapter is one {@link io.upgradebridge.servlet.internal.InputPump} and one
 * {@link io.upgradebridge.servlet.internal.OutputPump} (both {@link io.upgradebridge.io.internal.LoopGate}s) and
 * differs from the others only in how it fills, writes and flushes: the standard servlet streams here
 * ({@link io.upgradebridge.servlet.internal.ServletUpgradeHandler}), Jetty's connection API in {@code .jetty},
 * Tomcat's internal upgrade API in {@code .tomcat}. What the standard path needs of a container beyond the servlet
 * API (a read dispatch on the container's thread, a half-close, an abort), reached by reflection, is in a package
 * named after the container: {@code .tomcat}, {@code .undertow}, {@code .grizzly} (GlassFish, Payara).
 */
package io.upgradebridge.servlet.internal;
