package io.upgradebridge.servlet;

import io.upgradebridge.content.ContentType;
import io.upgradebridge.content.Headers;
import io.upgradebridge.content.HttpStatusCode;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.content.TextContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.internal.ServletUpgradeHandler;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProtocolUpgradeFilter}'s {@link UpgradeRouter} hook, with hand-made servlet objects. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ProtocolUpgradeFilterRoutingTest {

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final ServletContext context = fakeContext(attributes);
    private final ProtocolUpgradeFilter filter = new ProtocolUpgradeFilter();
    private final List<String> chainCalls = new ArrayList<>();
    private final FilterChain chain = (req, resp) -> chainCalls.add(((HttpServletRequest) req).getRequestURI());

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
        filter.init(fakeConfig(context));

        FakeResponse routed = new FakeResponse();
        filter.doFilter(new FakeRequest("/routed").proxy(), routed.proxy(), chain);
        assertEquals(403, routed.status);
        assertEquals("routed here\n", routed.bodyText());
        assertEquals(List.of(), chainCalls, "a routed request does not reach the application");

        FakeResponse other = new FakeResponse();
        filter.doFilter(new FakeRequest("/other").proxy(), other.proxy(), chain);
        assertEquals(List.of("/other"), chainCalls, "an unknown path falls through to the chain");
        assertEquals(200, other.status);
        assertEquals(List.of("/routed", "/other"), asked);
    }

    @Test
    void routersAddedAfterInitAreAskedInTheOrderTheyWereAdded() throws Exception {
        filter.init(fakeConfig(context));
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
        filter.doFilter(new FakeRequest("/x").proxy(), response.proxy(), chain);
        assertEquals(List.of("first", "second"), asked, "the first answer wins; later routers are not asked");
        assertEquals("second\n", response.bodyText());
        assertEquals(List.of(), chainCalls);
    }

    @Test
    void aRoutedUpgradeIsCheckedByItsPreconditionLikeRespond() throws Exception {
        ProtocolUpgradeFilter.addRouter(context, call -> new CheckedUpgrade());
        filter.init(fakeConfig(context));

        FakeRequest request = new FakeRequest("/up");
        FakeResponse response = new FakeResponse();
        filter.doFilter(request.proxy(), response.proxy(), chain);
        assertEquals(426, response.status);
        assertEquals("send Upgrade: test\n", response.bodyText());
        assertEquals(0, request.upgrades, "a refused request is not upgraded");
        assertEquals(List.of(), chainCalls);
    }

    @Test
    void aRoutedUpgradeTakesTheUpgradePath() throws Exception {
        ProtocolUpgradeFilter.addRouter(context, call -> new CheckedUpgrade());
        filter.init(fakeConfig(context));

        FakeRequest request = new FakeRequest("/up", "Upgrade", "test", "Connection", "Upgrade");
        FakeResponse response = new FakeResponse();
        filter.doFilter(request.proxy(), response.proxy(), chain);
        assertEquals(101, response.status);
        assertTrue(response.calls.contains("setHeader Upgrade: test"), response.calls::toString);
        assertEquals(1, request.upgrades, "the container's upgrade() was called");
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
        filter.init(fakeConfig(context));
        assertEquals(List.of(), told);
        filter.destroy();
        assertEquals(List.of("a", "b"), told);
    }

    @Test
    void aForeignValueInTheRoutersAttributeFailsInitAndAddRouter() {
        attributes.put(ProtocolUpgradeFilter.ROUTERS_ATTRIBUTE, "not a list");
        ServletException e = assertThrows(ServletException.class, () -> filter.init(fakeConfig(context)));
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

    private static ServletContext fakeContext(Map<String, Object> attributes) {
        Executor direct = Runnable::run;
        attributes.put("test.executor", direct);
        return (ServletContext) Proxy.newProxyInstance(ProtocolUpgradeFilterRoutingTest.class.getClassLoader(),
            new Class<?>[] {ServletContext.class}, (proxy, m, args) -> {
                switch (m.getName()) {
                    case "getAttribute":
                        return attributes.get((String) args[0]);
                    case "setAttribute":
                        attributes.put((String) args[0], args[1]);
                        return null;
                    case "removeAttribute":
                        attributes.remove((String) args[0]);
                        return null;
                    case "getServerInfo":
                        return "FakeServer/1.0";
                    case "getContextPath":
                        return "";
                    case "getClassLoader":
                        return ProtocolUpgradeFilterRoutingTest.class.getClassLoader();
                    case "getInitParameter":
                        return null;
                    case "toString":
                        return "FakeContext";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException("FakeContext does not do " + m);
                }
            });
    }

    private static FilterConfig fakeConfig(ServletContext context) {
        Map<String, String> params = Map.of(ProtocolUpgradeFilter.EXECUTOR_PARAM, "test.executor",
            ProtocolUpgradeFilter.TRANSPORT_PARAM, "servlet");
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "test";
            }

            @Override
            public ServletContext getServletContext() {
                return context;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public java.util.Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        };
    }

    /** A GET over HTTP/1.1 with a URI and headers; counts {@code upgrade()} calls. */
    private static final class FakeRequest {
        final String uri;
        final Headers headers;
        final Map<String, Object> attributes = new HashMap<>();
        int upgrades;

        FakeRequest(String uri, String... headerNamesAndValues) {
            this.uri = uri;
            this.headers = Headers.of(headerNamesAndValues);
        }

        HttpServletRequest proxy() {
            return (HttpServletRequest) Proxy.newProxyInstance(FakeRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "getMethod":
                            return "GET";
                        case "getRequestURI":
                            return uri;
                        case "getQueryString":
                        case "getUserPrincipal":
                            return null;
                        case "getProtocol":
                            return "HTTP/1.1";
                        case "getRemoteAddr":
                            return "127.0.0.1";
                        case "getRemotePort":
                            return 40000;
                        case "isSecure":
                            return false;
                        case "getHeaderNames":
                            return Collections.enumeration(headers.names());
                        case "getHeaders":
                            return Collections.enumeration(headers.getAll((String) args[0]));
                        case "getHeader":
                            return headers.get((String) args[0]);
                        case "setAttribute":
                            attributes.put((String) args[0], args[1]);
                            return null;
                        case "getAttribute":
                            return attributes.get((String) args[0]);
                        case "upgrade":
                            upgrades++;
                            return new ServletUpgradeHandler();
                        case "toString":
                            return "FakeRequest[GET " + uri + "]";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException("FakeRequest does not do " + m);
                    }
                });
        }
    }

    /** Records status, header calls and body. */
    private static final class FakeResponse {
        final List<String> calls = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = 200;

        HttpServletResponse proxy() {
            return (HttpServletResponse) Proxy.newProxyInstance(FakeResponse.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus":
                            status = (Integer) args[0];
                            calls.add("setStatus " + status);
                            return null;
                        case "setHeader":
                        case "addHeader":
                            calls.add(m.getName() + " " + args[0] + ": " + args[1]);
                            return null;
                        case "setContentType":
                        case "setContentLength":
                        case "setContentLengthLong":
                            calls.add(m.getName() + " " + args[0]);
                            return null;
                        case "reset":
                            calls.clear();
                            body.reset();
                            status = 200;
                            return null;
                        case "isCommitted":
                            return false;
                        case "getOutputStream":
                            return new ServletOutputStream() {
                                @Override
                                public void write(int b) {
                                    body.write(b);
                                }

                                @Override
                                public boolean isReady() {
                                    return true;
                                }

                                @Override
                                public void setWriteListener(WriteListener listener) {
                                    throw new UnsupportedOperationException();
                                }
                            };
                        case "getWriter":
                            return new PrintWriter(body, true, StandardCharsets.UTF_8);
                        case "toString":
                            return "FakeResponse" + calls;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException("FakeResponse does not do " + m);
                    }
                });
        }

        String bodyText() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }
}
