/**
 * The Java form of Ktor's {@code io.ktor.http.content.OutgoingContent} model: what a handler answers with.
 *
 * <p>{@link io.upgradebridge.content.OutgoingContent} and its five variants describe a response (status,
 * headers, body or protocol upgrade); {@link io.upgradebridge.content.Headers},
 * {@link io.upgradebridge.content.ContentType} and {@link io.upgradebridge.content.HttpStatusCode} are the
 * HTTP values it carries; {@link io.upgradebridge.content.CachingOptions} and the
 * {@link io.upgradebridge.content.Version}s drive the caching and conditional-request headers. Nothing here
 * depends on the servlet API.
 */
package io.upgradebridge.content;
