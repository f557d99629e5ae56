package io.upgradebridge.sample.annotations;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import jakarta.servlet.annotation.WebFilter;

/**
 * The bridge's filter registered by annotation, for the {@code annotations} WAR (classifier {@code annotations}),
 * whose {@code web.xml} declares nothing and is not {@code metadata-complete}: the container finds this class and
 * the {@code @WebServlet} servlets when it scans {@code WEB-INF/classes}.
 *
 * <p>The default WAR declares {@link ProtocolUpgradeFilter} itself in {@code web.xml}; this package is left out of
 * that WAR (and its {@code web.xml} is {@code metadata-complete}), so the filter is never registered twice.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class UpgradeFilter extends ProtocolUpgradeFilter {
}
