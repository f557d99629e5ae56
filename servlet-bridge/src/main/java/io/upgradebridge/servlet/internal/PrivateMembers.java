package io.upgradebridge.servlet.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads the containers' non-public members that the adapters need beyond the servlet API (a Tomcat stream's socket
 * wrapper, Undertow's upgraded channel, GlassFish's request under a web connection): the first member of that name on
 * the class or, when it is not declared there, on a superclass.
 */
public final class PrivateMembers {

    private PrivateMembers() {
    }

    /** The value of field {@code name} of {@code target}, declared on its class or a superclass. */
    public static Object field(Object target, String name) throws ReflectiveOperationException {
        return fieldOf(target, name).get(target);
    }

    /** Field {@code name} of {@code target}'s class or a superclass, made accessible. */
    public static Field fieldOf(Object target, String name) throws NoSuchFieldException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException ignored) {
                // look further up
            }
        }
        throw new NoSuchFieldException(name + " on " + target.getClass().getName());
    }

    /** Method {@code name(parameters)} declared on {@code type} or a superclass, made accessible. */
    public static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, parameters);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException ignored) {
                // look further up
            }
        }
        throw new NoSuchMethodException(name + " on " + type.getName());
    }
}
