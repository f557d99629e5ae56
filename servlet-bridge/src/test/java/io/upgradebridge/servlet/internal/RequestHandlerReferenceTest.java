package io.upgradebridge.servlet.internal;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The shapes of GlassFish's and Payara's request: a facade whose {@code request} keeps {@code httpUpgradeHandler}. */
class RequestHandlerReferenceTest {

    static class CatalinaRequest {
        HttpUpgradeHandler httpUpgradeHandler;
    }

    static final class PwcRequest extends CatalinaRequest {
    }

    static final class Facade {
        final Object request;

        Facade(Object request) {
            this.request = request;
        }
    }

    static final class Handler implements HttpUpgradeHandler {
        @Override
        public void init(WebConnection wc) {
        }

        @Override
        public void destroy() {
        }
    }

    @Test
    void clearsTheRecycledRequestsReferenceToTheEndedHandler() {
        PwcRequest request = new PwcRequest();
        Handler handler = new Handler();
        request.httpUpgradeHandler = handler;
        RequestHandlerReference reference = RequestHandlerReference.of(new Facade(request));
        reference.clear(handler);
        assertNull(request.httpUpgradeHandler);
    }

    @Test
    void leavesAnotherUpgradesHandlerAlone() {
        PwcRequest request = new PwcRequest();
        Handler ended = new Handler();
        Handler next = new Handler();
        request.httpUpgradeHandler = ended;
        RequestHandlerReference reference = RequestHandlerReference.of(new Facade(request));
        request.httpUpgradeHandler = next; // the request was recycled and serves another upgrade now
        reference.clear(ended);
        assertSame(next, request.httpUpgradeHandler);
    }

    @Test
    void aRequestWithoutSuchAFieldGetsNothingDone() {
        assertNull(RequestHandlerReference.of(new Facade(new Object())));
        assertNull(RequestHandlerReference.of(new Object()));
    }
}
