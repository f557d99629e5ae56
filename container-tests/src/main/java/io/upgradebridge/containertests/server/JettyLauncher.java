package io.upgradebridge.containertests.server;

import io.upgradebridge.containertests.server.LauncherConfig.FilterSpec;
import io.upgradebridge.containertests.server.LauncherConfig.ServletSpec;
import jakarta.servlet.DispatcherType;
import java.io.File;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.ListenerHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.eclipse.jetty.ee10.servlet.Source;
import org.eclipse.jetty.ee10.webapp.Configuration;
import org.eclipse.jetty.ee10.webapp.JettyWebXmlConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * Embedded Jetty 12.1 in its ee10 environment (Servlet 6.0). The ee11 twin is {@link JettyEe11Launcher}: the same
 * code against the ee11 classes (each environment has its own copy of every servlet class, so nothing here can be
 * shared with it but the core API in {@link AbstractJettyLauncher}).
 */
public final class JettyLauncher extends AbstractJettyLauncher {

    /** Public no-arg constructor: the test side creates launchers reflectively. */
    public JettyLauncher() {
    }

    @Override
    protected String environment() {
        return "ee10";
    }

    @Override
    protected ContextHandler newServletContext(LauncherConfig config) {
        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
        config.contextInitParams().forEach(context::setInitParameter);
        // ContextHandler attributes are persistent: they are there again after a restart.
        config.contextAttributes().forEach(context::setAttribute);
        for (String listener : config.listeners()) {
            // a descriptor-like (not ServletContext.addListener) listener: it may add filters and servlets
            ListenerHolder holder = context.getServletHandler().newListenerHolder(Source.EMBEDDED);
            holder.setClassName(listener);
            context.getServletHandler().addListener(holder);
        }
        for (FilterSpec spec : config.filters()) {
            FilterHolder holder = new FilterHolder();
            holder.setName(spec.name());
            holder.setClassName(spec.className());
            holder.setAsyncSupported(spec.asyncSupported());
            holder.setInitParameters(spec.initParams());
            FilterMapping mapping = new FilterMapping();
            mapping.setFilterName(spec.name());
            mapping.setPathSpecs(spec.urlPatterns().toArray(String[]::new));
            mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
            context.getServletHandler().addFilter(holder, mapping);
        }
        for (ServletSpec spec : config.servlets()) {
            ServletHolder holder = new ServletHolder();
            holder.setName(spec.name());
            holder.setClassName(spec.className());
            holder.setAsyncSupported(spec.asyncSupported());
            holder.setInitOrder(spec.loadOnStartup());
            holder.setInitParameters(spec.initParams());
            context.getServletHandler().addServlet(holder);
            ServletMapping mapping = new ServletMapping();
            mapping.setServletName(spec.name());
            mapping.setPathSpecs(spec.urlPatterns().toArray(String[]::new));
            context.getServletHandler().addServletMapping(mapping);
        }
        return context;
    }

    @Override
    protected ContextHandler newWebAppContext(String war, File tempDirectory, boolean ignoreJettyWebXml) {
        WebAppContext context = new WebAppContext(war, "/");
        if (tempDirectory != null) {
            context.setTempDirectory(tempDirectory);
        }
        if (JettyWarDeployment.isPresent("org.eclipse.jetty.ee10.annotations.AnnotationConfiguration")) {
            // by name: the harness compiles without jetty-ee10-annotations (only the Jetty folder has it)
            context.getConfigurations().add("org.eclipse.jetty.ee10.annotations.AnnotationConfiguration");
        }
        if (ignoreJettyWebXml) {
            // (not Configurations.remove(Class): Configurations is a List, so that call binds to remove(Object))
            context.setConfigurations(context.getConfigurations().stream()
                    .filter(configuration -> !(configuration instanceof JettyWebXmlConfiguration))
                    .toArray(Configuration[]::new));
        }
        return context;
    }
}
