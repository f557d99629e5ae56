package io.upgradebridge.websockets;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WebSockets#install}: once per application, the filter it registers, settings, and route declarations. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WebSocketsInstallTest {

    private static final WebSocketHandler NOTHING = session -> CompletableFuture.completedFuture(null);
    private final WebSocketsApp app = new WebSocketsApp();

    /** A filter class an application may register instead of the bridge's own. */
    public static class MyUpgradeFilter extends ProtocolUpgradeFilter {
    }

    @Test
    void installRegistersTheUpgradeFilterOnceAfterTheApplicationsFilters() {
        WebSockets first = WebSockets.install(app.context());
        assertEquals(List.of("addFilter upgrade-bridge-websockets " + ProtocolUpgradeFilter.class.getName(),
            "setAsyncSupported true", "addMappingForUrlPatterns [REQUEST] true [/*]"), app.servletContext.filterCalls);
        assertSame(first, WebSockets.install(app.context()), "installed once per application");
        assertSame(first, WebSockets.of(app.context()));
        assertEquals(3, app.servletContext.filterCalls.size(), "no second filter");
    }

    @Test
    void anUpgradeFilterOrSubclassDeclaredByTheApplicationIsUsedAsItIs() {
        app.servletContext.filters.put("mine", MyUpgradeFilter.class.getName());
        WebSockets.install(app.context());
        assertEquals(List.of(), app.servletContext.filterCalls);

        WebSocketsApp other = new WebSocketsApp();
        other.servletContext.filters.put("bridge", ProtocolUpgradeFilter.class.getName());
        other.servletContext.filters.put("unloadable", "com.example.DoesNotExist");
        WebSockets.install(other.context());
        assertEquals(List.of(), other.servletContext.filterCalls);
    }

    @Test
    void anUnrelatedFilterDoesNotCount() {
        app.servletContext.filters.put("unloadable", "com.example.DoesNotExist");
        app.servletContext.filters.put("string", String.class.getName());
        WebSockets.install(app.context());
        assertEquals("addFilter upgrade-bridge-websockets " + ProtocolUpgradeFilter.class.getName(), app.servletContext.filterCalls.get(0));
    }

    @Test
    void installWhenTheContainerForbidsAddingFiltersSaysWhereToCallIt() {
        app.servletContext.addFilterFailure = new IllegalStateException("context already initialized");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebSockets.install(app.context()));
        assertTrue(e.getMessage().contains("contextInitialized") && e.getMessage().contains("ServletContainerInitializer"),
            e.getMessage());
        assertThrows(IllegalStateException.class, () -> WebSockets.of(app.context()), "nothing half-installed");
    }

    @Test
    void ofBeforeInstallSaysHowToInstall() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebSockets.of(app.context()));
        assertTrue(e.getMessage().contains("WebSockets.install"), e.getMessage());
    }

    @Test
    void aSecondInstallWithOtherSettingsFailsWithEqualSettingsItIsTheSame() {
        WebSocketSettings mine = WebSocketSettings.defaults().withMaxMessageSize(1000);
        WebSockets installed = WebSockets.install(app.context(), mine);
        assertSame(mine, installed.settings());
        assertSame(installed, WebSockets.install(app.context(), WebSocketSettings.defaults().withMaxMessageSize(1000)),
            "equal settings are no conflict");
        assertSame(installed, WebSockets.install(app.context()), "install without settings returns the installed one");
        assertSame(mine, installed.settings());
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> WebSockets.install(app.context(), WebSocketSettings.defaults()));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        assertSame(mine, installed.settings());
    }

    @Test
    void settingsMayBeChosenAfterAnInstallWithoutSettings() {
        WebSockets installed = WebSockets.install(app.context());
        assertSame(WebSocketSettings.defaults(), installed.settings());
        WebSocketSettings mine = WebSocketSettings.defaults().withIdleTimeout(Duration.ofSeconds(5));
        assertSame(installed, WebSockets.install(app.context(), mine));
        assertSame(mine, installed.settings());
        assertThrows(IllegalStateException.class, () -> WebSockets.install(app.context(), WebSocketSettings.defaults()));
    }

    @Test
    void aForeignObjectUnderTheAttributeIsReported() {
        app.servletContext.attributes.put(WebSocketsInstallTest.class.getPackageName() + ".WebSockets", "something else");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebSockets.install(app.context()));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
    }

    @Test
    void routesAreUniquePerPathAndProtocol() {
        WebSockets ws = WebSockets.install(app.context());
        assertSame(ws, ws.webSocket("/a", NOTHING));
        assertSame(ws, ws.webSocket("/a", "chat", NOTHING), "another protocol on the same path");
        assertSame(ws, ws.webSocket("/b", NOTHING));
        IllegalArgumentException noProtocol = assertThrows(IllegalArgumentException.class, () -> ws.webSocket("/a", NOTHING));
        assertTrue(noProtocol.getMessage().contains("/a") && noProtocol.getMessage().contains("without subprotocol"),
            noProtocol.getMessage());
        IllegalArgumentException chat = assertThrows(IllegalArgumentException.class, () -> ws.webSocket("/a", "chat", NOTHING));
        assertTrue(chat.getMessage().contains("subprotocol chat"), chat.getMessage());
    }

    @Test
    void badPathsProtocolsAndOverridesAreRefusedWhenDeclared() {
        WebSockets ws = WebSockets.install(app.context());
        for (String path : List.of("", "chat", "/ws/*", "/a?b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ws.webSocket(path, NOTHING), path);
            assertTrue(e.getMessage().contains("exact path"), e.getMessage());
        }
        for (String protocol : List.of("", "a b", "a,b", "ch\u00e4t")) {
            assertThrows(IllegalArgumentException.class, () -> ws.webSocket("/p", protocol, NOTHING), protocol);
        }
        IllegalArgumentException nullOverride = assertThrows(IllegalArgumentException.class,
            () -> ws.webSocket("/p", null, s -> null, NOTHING));
        assertTrue(nullOverride.getMessage().contains("returned null"), nullOverride.getMessage());
        IllegalArgumentException failing = assertThrows(IllegalArgumentException.class,
            () -> ws.webSocket("/p", null, s -> s.withMaxFrameSize(0), NOTHING));
        assertTrue(failing.getMessage().contains("maxFrameSize"), failing.getMessage());
        assertThrows(NullPointerException.class, () -> ws.webSocket("/p", null));
        // none of them was added
        ws.webSocket("/p", NOTHING);
    }

    @Test
    void settingsEqualityCoversEverySetting() {
        WebSocketSettings d = WebSocketSettings.defaults();
        assertEquals(d, d.withMaxMessageSize(d.maxMessageSize()));
        assertEquals(d.hashCode(), d.withMaxMessageSize(d.maxMessageSize()).hashCode());
        for (WebSocketSettings other : List.of(d.withPingPeriod(Duration.ofSeconds(1)), d.withTimeout(Duration.ofSeconds(1)),
            d.withIdleTimeout(Duration.ofSeconds(1)), d.withMaxFrameSize(7), d.withMaxMessageSize(7), d.withMasking(true),
            d.withAllowedOrigins(Set.of("https://a.example")), d.withSameOrigin(true), d.withTrustedProxies(Set.of("10.0.0.1")),
            d.withDeflate(PerMessageDeflate.ENABLED))) {
            assertFalse(d.equals(other), other::toString);
        }
    }
}
