package io.upgradebridge.containertests;

import org.junit.jupiter.api.Test;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three library jars as named modules: each exports exactly its API packages (its {@code .internal} packages only
 * to the library's own modules), and they resolve, load and run on the module path with nothing beside them but the
 * Servlet API. (Web applications use the same jars on the class path; every other test here does.)
 */
class ModuleDescriptorTest {

    /** Each library module and the packages it exports to everyone. */
    private static final Map<String, Set<String>> API = Map.of(
        "io.upgradebridge.servlet", Set.of("io.upgradebridge.content", "io.upgradebridge.io", "io.upgradebridge.servlet"),
        "io.upgradebridge.websocket", Set.of("io.upgradebridge.websocket"),
        "io.upgradebridge.websockets", Set.of("io.upgradebridge.websockets"));

    private static List<Path> libraryJars() {
        return List.of(path("servletBridge.path"), path("websocketRaw.path"), path("websockets.path"));
    }

    private static Path path(String property) {
        String value = System.getProperty(property);
        assertTrue(value != null && !value.isBlank(), "system property " + property + " (set by the pom)");
        return Path.of(value);
    }

    @Test
    void eachJarIsANamedModuleThatExportsExactlyItsApiPackages() {
        Set<String> seen = new TreeSet<>();
        for (Path jar : libraryJars()) {
            Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
            assertEquals(1, found.size(), jar + " holds one module");
            ModuleDescriptor module = found.iterator().next().descriptor();
            assertFalse(module.isAutomatic(), jar + " has a module descriptor");
            assertFalse(module.isOpen(), module.name() + " is not open to reflection");
            assertTrue(module.opens().isEmpty(), module.name() + " opens no package");
            Set<String> api = API.get(module.name());
            assertTrue(api != null, "a library module: " + module.name());
            seen.add(module.name());
            Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
            assertEquals(api, exported, module.name() + " exports its API packages, and only those");
            for (ModuleDescriptor.Exports friend : module.exports()) {
                if (friend.isQualified()) {
                    assertTrue(friend.source().endsWith(".internal"), friend + ": only internals go to named modules");
                    assertTrue(API.keySet().containsAll(friend.targets()), friend + ": only to the library's own modules");
                }
            }
            for (String pkg : module.packages()) {
                assertTrue(api.contains(pkg) || pkg.contains(".internal"), pkg + " of " + module.name()
                    + " is neither API nor internal");
            }
        }
        assertEquals(API.keySet(), seen);
    }

    @Test
    void theJarsLoadAsNamedModulesOnTheModulePathAndWork() throws Exception {
        ModuleFinder finder = ModuleFinder.of(path("servletApi.path"), path("servletBridge.path"), path("websocketRaw.path"),
            path("websockets.path"));
        Configuration configuration = ModuleLayer.boot().configuration()
            .resolve(finder, ModuleFinder.of(), Set.of("io.upgradebridge.websockets"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        ClassLoader loader = layer.findLoader("io.upgradebridge.websockets");

        // a channel of the bridge: what goes in comes out
        Class<?> channels = loader.loadClass("io.upgradebridge.io.ByteChannel");
        assertEquals("io.upgradebridge.servlet", channels.getModule().getName());
        Object channel = channels.getMethod("create").invoke(null);
        Method tryWrite = loader.loadClass("io.upgradebridge.io.ByteWriteChannel").getMethod("tryWrite", ByteBuffer.class);
        Method tryRead = loader.loadClass("io.upgradebridge.io.ByteReadChannel").getMethod("tryRead", ByteBuffer.class);
        assertEquals(5, tryWrite.invoke(channel, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
        ByteBuffer back = ByteBuffer.allocate(8);
        assertEquals(5, tryRead.invoke(channel, back));

        // a frame of the RAW session's module, a setting of the feature's
        Class<?> frames = loader.loadClass("io.upgradebridge.websocket.Frame");
        assertEquals("io.upgradebridge.websocket", frames.getModule().getName());
        assertEquals("hi", frames.getMethod("textData").invoke(frames.getMethod("text", String.class).invoke(null, "hi")));
        Class<?> settings = loader.loadClass("io.upgradebridge.websockets.WebSocketSettings");
        assertEquals("io.upgradebridge.websockets", settings.getModule().getName());
        settings.getMethod("defaults").invoke(null);

        // the feature's initializer is a service of its module, as META-INF/services makes it on the class path
        Class<?> initializer = loader.loadClass("jakarta.servlet.ServletContainerInitializer");
        List<String> providers = ServiceLoader.load(layer, initializer).stream()
            .map(provider -> provider.type().getName()).collect(Collectors.toList());
        assertEquals(List.of("io.upgradebridge.websockets.internal.WebSocketEndpointInitializer"), providers);

        // internals reach the library's own modules only
        Module bridge = layer.findModule("io.upgradebridge.servlet").orElseThrow();
        Module raw = layer.findModule("io.upgradebridge.websocket").orElseThrow();
        assertFalse(bridge.isExported("io.upgradebridge.io.internal"), "not to everyone");
        assertTrue(bridge.isExported("io.upgradebridge.io.internal", raw), "to the RAW session's module");
        assertFalse(raw.isExported("io.upgradebridge.websocket.internal"));
        assertFalse(bridge.isExported("io.upgradebridge.servlet.internal"), "the container adapters are nobody's business");
    }
}
