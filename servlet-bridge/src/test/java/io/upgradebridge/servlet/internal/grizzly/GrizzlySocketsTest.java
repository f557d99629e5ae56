package io.upgradebridge.servlet.internal.grizzly;

import org.apache.catalina.connector.WebConnectionImpl;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrizzlySocketsTest {

    /** The shape of GlassFish's request: the upgrade handler in a field, the Grizzly connection three calls away. */
    public static final class FakeRequest {
        public Object httpUpgradeHandler;
        public boolean secure;
        public final Object connection = new Object();

        public boolean isSecure() {
            return secure;
        }

        public FakeRequest getCoyoteRequest() {
            return this;
        }

        public FakeRequest getContext() {
            return this;
        }

        public Object getConnection() {
            return connection;
        }
    }

    @Test
    void closingIsLeftAloneOnceGrizzlyGaveTheRequestToAnotherUpgrade() {
        FakeRequest request = new FakeRequest();
        Object ours = new Object();
        request.httpUpgradeHandler = ours;
        WebConnectionImpl connection = new WebConnectionImpl(request);
        assertTrue(GrizzlySockets.closes(connection, ours));
        request.httpUpgradeHandler = new Object(); // recycled and reused by the next connection's upgrade
        assertFalse(GrizzlySockets.closes(connection, ours), "closing would end the other client's upgrade");
        connection.request = null;
        assertFalse(GrizzlySockets.closes(connection, ours));
    }

    @Test
    void otherContainersAreAlwaysClosed() {
        assertTrue(GrizzlySockets.closes(new Object(), new Object()));
        assertTrue(GrizzlySockets.closes(null, new Object()));
    }

    @Test
    void theGrizzlyConnectionIsTakenFromTheRequestWhileItIsOursAndNeverOverTls() {
        FakeRequest request = new FakeRequest();
        assertSame(request.connection, GrizzlySockets.connectionOf(new WebConnectionImpl(request)));
        request.secure = true;
        assertNull(GrizzlySockets.connectionOf(new WebConnectionImpl(request)));
        assertNull(GrizzlySockets.connectionOf(new Object()));
        assertFalse(GrizzlySockets.shutdownOutput(null));
    }
}
