package io.upgradebridge.websockets.internal;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;

import java.util.EnumSet;
import java.util.Map;

/**
 * Makes sure a web application has a {@link ProtocolUpgradeFilter}, so the WebSockets feature works without a
 * {@code web.xml} entry: when none is registered (by {@code web.xml}, {@code @WebFilter} or code), it adds one on
 * {@code /*}, async-supported, after the filters the application declares (so their security checks still run
 * first).
 */
public final class UpgradeFilterRegistration {

    /** The name of the filter added by {@link #ensure}. */
    public static final String FILTER_NAME = "upgrade-bridge-websockets";

    private UpgradeFilterRegistration() {
    }

    /**
     * @return {@code true} when a filter was added, {@code false} when the application had one
     * @throws IllegalStateException when the container does not allow adding a filter now (the application has
     *     started already, or the caller is a listener the container does not let add filters)
     */
    public static boolean ensure(ServletContext context) {
        if (hasUpgradeFilter(context)) {
            return false;
        }
        FilterRegistration.Dynamic registration;
        try {
            registration = context.addFilter(FILTER_NAME, ProtocolUpgradeFilter.class);
        } catch (IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalStateException("WebSockets.install could not register ProtocolUpgradeFilter (" + e.getMessage()
                + "): call it from ServletContextListener.contextInitialized of a listener declared in web.xml or with "
                + "@WebListener, or from a ServletContainerInitializer, or declare ProtocolUpgradeFilter yourself", e);
        }
        if (registration == null) {
            throw new IllegalStateException("the application has a filter named '" + FILTER_NAME + "' that is not a "
                + "ProtocolUpgradeFilter; rename it, or declare ProtocolUpgradeFilter yourself");
        }
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        return true;
    }

    /** Whether a filter whose class is or extends {@link ProtocolUpgradeFilter} is registered. */
    static boolean hasUpgradeFilter(ServletContext context) {
        Map<String, ? extends FilterRegistration> registrations;
        try {
            registrations = context.getFilterRegistrations();
        } catch (UnsupportedOperationException e) {
            return false; // addFilter below reports why this caller cannot register filters
        }
        for (FilterRegistration registration : registrations.values()) {
            if (isUpgradeFilter(registration.getClassName(), context)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUpgradeFilter(String className, ServletContext context) {
        if (className == null) {
            return false;
        }
        if (className.equals(ProtocolUpgradeFilter.class.getName())) {
            return true;
        }
        ClassLoader loader = context.getClassLoader();
        try {
            Class<?> type = Class.forName(className, false, loader != null ? loader : UpgradeFilterRegistration.class.getClassLoader());
            return ProtocolUpgradeFilter.class.isAssignableFrom(type);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return false; // not ours: the container will report a filter class it cannot load
        }
    }
}
