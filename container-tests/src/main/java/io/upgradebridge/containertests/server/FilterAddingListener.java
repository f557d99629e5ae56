package io.upgradebridge.containertests.server;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * While the application starts, adds a {@link HeaderFilter} for {@code /*} that sets {@code X-Listener: added}:
 * shows that a listener from the launcher's {@code listeners} key may call {@code ServletContext.addFilter}, as
 * {@code WebSockets.install} does.
 */
public final class FilterAddingListener implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        FilterRegistration.Dynamic filter = event.getServletContext().addFilter("listener-added", HeaderFilter.class);
        if (filter == null) {
            return; // registered by an earlier start of the same context, which the container kept
        }
        filter.setInitParameter("X-Listener", "added");
        filter.setAsyncSupported(true);
        filter.addMappingForUrlPatterns(null, false, "/*");
    }
}
