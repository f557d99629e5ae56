package io.upgradebridge.containertests.process;

/**
 * The platform MBean through which a deployed web application's {@link ClassLoaderBeacon} hands its class loader to
 * {@link ProcessAgent}. Only JDK types cross: the call runs in the same JVM, so the agent receives the loader itself
 * and keeps it only weakly; the application keeps nothing of the agent's.
 */
public interface ClassLoaderWatchMBean {

    /** The object name the agent registers and the beacon calls. */
    String NAME = "io.upgradebridge.containertests:type=ClassLoaderWatch";

    /** A web application started with this class loader. */
    void started(Object classLoader);
}
