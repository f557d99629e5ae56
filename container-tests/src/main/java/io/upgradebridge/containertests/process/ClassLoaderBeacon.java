package io.upgradebridge.containertests.process;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Packed into every WAR that a server in its own process deploys ({@code WEB-INF/lib}, with its
 * {@code META-INF/services} entry): when the application starts, it hands the application's class loader to the
 * {@link ClassLoaderWatchMBean} of {@link ProcessAgent}, which keeps it weakly, so that the test can ask whether an
 * undeployed application's loader was collected. Does nothing where no agent listens.
 */
public final class ClassLoaderBeacon implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(ClassLoaderWatchMBean.NAME);
            if (server.isRegistered(name)) {
                server.invoke(name, "started", new Object[] {context.getClassLoader()}, new String[] {Object.class.getName()});
            }
        } catch (Exception e) {
            context.log("ClassLoaderBeacon: could not report the application's class loader", e);
        }
    }
}
