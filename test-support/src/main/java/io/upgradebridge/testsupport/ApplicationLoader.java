package io.upgradebridge.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;

/**
 * Stands for a web application's class loader in tests of what keeps one after undeploy: it defines classes again from
 * its parent's class files, each with a protection domain of its own (as a container's loader gives a WAR's classes).
 * A class it defines sees the parent's classes, but is another class than the parent's of the same name.
 */
public final class ApplicationLoader extends ClassLoader {

    public ApplicationLoader(ClassLoader parent) {
        super(parent);
    }

    /** Defines the class {@code name} again from the parent's class file. */
    public Class<?> define(String name) throws IOException {
        String path = name.replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = getParent().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("no class file " + path + " beside the parent");
            }
            bytes = in.readAllBytes();
        }
        URL where = getParent().getResource(path);
        ProtectionDomain domain = new ProtectionDomain(new CodeSource(where, (java.security.cert.Certificate[]) null),
            null, this, null);
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** Whether what {@code reference} names is garbage collected within about a second of explicit GCs. */
    public static boolean collected(WeakReference<?> reference) throws InterruptedException {
        for (int i = 0; i < 20 && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return reference.get() == null;
    }
}
