package io.upgradebridge.servlet;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.testsupport.FakeRequest;
import io.upgradebridge.testsupport.FakeResponse;
import io.upgradebridge.testsupport.FakeServletContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProtocolUpgradeFilter}'s {@link UpgradeRouter} hook, with hand-made servlet objects. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ProtocolUpgradeFilterRoutingTest {

    private final FakeServletContext app = new FakeServletContext();
    private final Map<String, Object> attributes = app.attributes;
    private final ServletContext context = app.context();
    private final ProtocolUpgradeFilter filter = new ProtocolUpgradeFilter();
    private final List<String> chainCalls = new ArrayList<>();
    private final FilterChain chain = (req, resp) -> chainCalls.add(((HttpServletRequest) req).getRequestURI());

    ProtocolUpgradeFilterRoutingTest() {
        Executor direct = Runnable::run;
        attributes.put("test.executor", direct);
    }

    @AfterEach
    void destroyFilter() {
        filter.destroy();
    }

    @Test
    void aRouterAddedBeforeInitAnswersItsPathAndTheChainIsNotCalled() throws Exception {
        List<String> asked = new ArrayList<>();
        ProtocolUpgradeFilter.addRouter(context, call -> {
            asked.add(call.request().getRequestURI());
            return call.request().getRequestURI().equals("/routed")
                ? new TextContent("routed here\n", ContentType.TEXT_PLAIN, HttpStatusCode.FORBIDDEN) : null;
        });
        filter.init(fakeConfig(app));

        FakeResponse routed = new FakeResponse();
        filter.doFilter(FakeRequest.get("/routed").proxy(), routed.proxy(), chain);
        assertEquals(403, routed.status);
        assertEquals("routed here\n", routed.bodyText());
        assertEquals(List.of(), chainCalls, "a routed request does not reach the application");

        FakeResponse other = new FakeResponse();
        filter.doFilter(FakeRequest.get("/other").proxy(), other.proxy(), chain);
        assertEquals(List.of("/other"), chainCalls, "an unknown path falls through to the chain");
        assertEquals(200, other.status);
        assertEquals(List.of("/routed", "/other"), asked);
    }

    @Test
    void routersAddedAfterInitAreAskedInTheOrderTheyWereAdded() throws Exception {
        filter.init(fakeConfig(app));
        List<String> asked = new ArrayList<>();
        ProtocolUpgradeFilter.addRouter(context, call -> {
            asked.add("first");
            return null;
        });
        ProtocolUpgradeFilter.addRouter(context, call -> {
            asked.add("second");
            return new TextContent("second\n");
        });
        ProtocolUpgradeFilter.addRouter(context, call -> {
            asked.add("third");
            return new TextContent("third\n");
        });

        FakeResponse response = new FakeResponse();
        filter.doFilter(FakeRequest.get("/x").proxy(), response.proxy(), chain);
        assertEquals(List.of("first", "second"), asked, "the first answer wins; later routers are not asked");
        assertEquals("second\n", response.bodyText());
        assertEquals(List.of(), chainCalls);
    }

    @Test
    void aRoutedUpgradeIsCheckedByItsPreconditionLikeRespond() throws Exception {
        ProtocolUpgradeFilter.addRouter(context, call -> new CheckedUpgrade());
        filter.init(fakeConfig(app));

        FakeRequest request = FakeRequest.get("/up");
        FakeResponse response = new FakeResponse();
        filter.doFilter(request.proxy(), response.proxy(), chain);
        assertEquals(426, response.status);
        assertEquals("send Upgrade: test\n", response.bodyText());
        assertEquals(0, request.upgrades(), "a refused request is not upgraded");
        assertEquals(List.of(), chainCalls);
    }

    @Test
    void aRoutedUpgradeTakesTheUpgradePath() throws Exception {
        ProtocolUpgradeFilter.addRouter(context, call -> new CheckedUpgrade());
        filter.init(fakeConfig(app));

        FakeRequest request = FakeRequest.get("/up", "Upgrade", "test", "Connection", "Upgrade");
        FakeResponse response = new FakeResponse();
        filter.doFilter(request.proxy(), response.proxy(), chain);
        assertEquals(101, response.status);
        assertTrue(response.calls.contains("setHeader Upgrade: test"), response.calls::toString);
        assertEquals(1, request.upgrades(), "the container's upgrade() was called");
        assertEquals(List.of(), chainCalls);
    }

    @Test
    void destroyTellsEveryRouterAfterwards() throws Exception {
        List<String> told = new ArrayList<>();
        ProtocolUpgradeFilter.addRouter(context, new UpgradeRouter() {
            @Override
            public OutgoingContent route(ApplicationCall call) {
                return null;
            }

            @Override
            public void filterDestroyed() {
                told.add("a");
                throw new IllegalStateException("a failing router does not stop the others");
            }
        });
        ProtocolUpgradeFilter.addRouter(context, new UpgradeRouter() {
            @Override
            public OutgoingContent route(ApplicationCall call) {
                return null;
            }

            @Override
            public void filterDestroyed() {
                told.add("b");
            }
        });
        filter.init(fakeConfig(app));
        assertEquals(List.of(), told);
        filter.destroy();
        assertEquals(List.of("a", "b"), told);
    }

    @Test
    void aForeignValueInTheRoutersAttributeFailsInitAndAddRouter() {
        attributes.put(ProtocolUpgradeFilter.ROUTERS_ATTRIBUTE, "not a list");
        ServletException e = assertThrows(ServletException.class, () -> filter.init(fakeConfig(app)));
        assertTrue(e.getMessage().contains(ProtocolUpgradeFilter.ROUTERS_ATTRIBUTE), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ProtocolUpgradeFilter.addRouter(context, call -> null));
        assertFalse(attributes.containsKey(ProtocolUpgradeFilter.CONTEXT_ATTRIBUTE));
    }

    /** Refuses with 426 unless the request says {@code Upgrade: test}; never actually runs (no container here). */
    private static final class CheckedUpgrade extends OutgoingContent.ProtocolUpgrade {
        @Override
        public Headers headers() {
            return Headers.of("Upgrade", "test", "Connection", "Upgrade");
        }

        @Override
        public OutgoingContent refusal(ApplicationCall call) {
            return "test".equals(call.requestHeaders().get("Upgrade")) ? null
                : new TextContent("send Upgrade: test\n", ContentType.TEXT_PLAIN, HttpStatusCode.UPGRADE_REQUIRED);
        }

        @Override
        public Job upgrade(ByteReadChannel input, ByteWriteChannel output, Executor engine, Executor user) {
            throw new AssertionError("no connection is opened in this test");
        }
    }

    // ---------------------------------------------------------------- fakes

    private static FilterConfig fakeConfig(FakeServletContext app) {
        return app.filterConfig("test", Map.of(ProtocolUpgradeFilter.EXECUTOR_PARAM, "test.executor",
            ProtocolUpgradeFilter.TRANSPORT_PARAM, "servlet"));
    }
}
