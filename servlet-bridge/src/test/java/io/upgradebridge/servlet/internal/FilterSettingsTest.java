package io.upgradebridge.servlet.internal;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import io.upgradebridge.testsupport.FakeServletContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter's parameters: defaults, init-param over context-param, and a message that says what to fix. */
class FilterSettingsTest {

    private final FakeServletContext app = new FakeServletContext();

    @Test
    void theNamesTheFilterPublishesAreTheDocumentedOnes() {
        assertEquals("io.upgradebridge.executor", ProtocolUpgradeFilter.EXECUTOR_PARAM);
        assertEquals("io.upgradebridge.transport", ProtocolUpgradeFilter.TRANSPORT_PARAM);
        assertEquals("io.upgradebridge.bufferSize", ProtocolUpgradeFilter.BUFFER_SIZE_PARAM);
        assertEquals(ProtocolUpgradeFilter.class.getName() + ".routers", ProtocolUpgradeFilter.ROUTERS_ATTRIBUTE);
    }

    @Test
    void withoutParametersTheDefaultsApply() {
        FilterSettings settings = FilterSettings.read(app.filterConfig("bridge", Map.of()));
        assertNull(settings.executor());
        assertEquals(TransportChoice.Mode.AUTO, settings.transport());
        assertEquals(FilterSettings.DEFAULT_BUFFER_SIZE, settings.bufferSize());
    }

    @Test
    void aFilterInitParamWinsOverTheContextParamOfTheSameName() {
        app.initParameters.put(ProtocolUpgradeFilter.TRANSPORT_PARAM, "jetty");
        app.initParameters.put(ProtocolUpgradeFilter.BUFFER_SIZE_PARAM, "2048");
        app.initParameters.put(ProtocolUpgradeFilter.EXECUTOR_PARAM, "java:comp/MyExecutor");
        FilterSettings settings = FilterSettings.read(app.filterConfig("bridge",
            Map.of(ProtocolUpgradeFilter.TRANSPORT_PARAM, " Tomcat ")));
        assertEquals(TransportChoice.Mode.TOMCAT, settings.transport(), "trimmed, any case");
        assertEquals(2048, settings.bufferSize(), "from the context");
        assertEquals("java:comp/MyExecutor", settings.executor());
    }

    @Test
    void aValueThatCannotBeUsedIsRefusedWithWhatItMustBe() {
        IllegalArgumentException transport = assertThrows(IllegalArgumentException.class, () -> FilterSettings.read(
            app.filterConfig("bridge", Map.of(ProtocolUpgradeFilter.TRANSPORT_PARAM, "nginx"))));
        assertTrue(transport.getMessage().contains("must be auto, servlet, jetty or tomcat, was 'nginx'"), transport.getMessage());
        for (String size : new String[] {"1000", "lots", "99999999999"}) {
            IllegalArgumentException buffer = assertThrows(IllegalArgumentException.class, () -> FilterSettings.read(
                app.filterConfig("bridge", Map.of(ProtocolUpgradeFilter.BUFFER_SIZE_PARAM, size))));
            assertTrue(buffer.getMessage().contains("from 1024 to 67108864, was '" + size + "'"), buffer.getMessage());
        }
    }
}
