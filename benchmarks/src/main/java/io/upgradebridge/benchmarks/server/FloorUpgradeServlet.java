package io.upgradebridge.benchmarks.server;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The container's floor for the handshake scenario: the least a servlet can do per WebSocket session on the
 * container's own upgrade path, with nothing of the bridge and nothing of the container's WebSocket. It answers the
 * handshake (101 with the accept key; no other check), and in the upgraded connection reads until one whole client
 * frame has come (the load generator's close frame), answers it with a close frame 1000 and closes. No frame
 * parser, no session, no executor: not a WebSocket server, a measuring stick. What a container spends here (HTTP
 * parsing, its upgrade, its read and write events, closing) every WebSocket implementation on it spends too; the
 * handshake row prints it so that a bridge/native ratio can be read against what is left to either side.
 */
public final class FloorUpgradeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final byte[] GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.ISO_8859_1);
    /** A close frame with status 1000, unmasked (server to client). */
    private static final byte[] CLOSE_1000 = {(byte) 0x88, 2, 0x03, (byte) 0xE8};

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        String key = request.getHeader("Sec-WebSocket-Key");
        if (key == null || !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "the floor server answers WebSocket handshakes only");
            return;
        }
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", accept(key));
        request.upgrade(Connection.class);
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(key.trim().getBytes(StandardCharsets.ISO_8859_1));
            sha1.update(GUID);
            return Base64.getEncoder().encodeToString(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this runtime has no SHA-1", e);
        }
    }

    /** The upgraded connection: one client frame in, one close frame out, closed. */
    public static final class Connection implements HttpUpgradeHandler {
        private WebConnection connection;
        private ServletInputStream in;
        private ServletOutputStream out;
        private final byte[] frame = new byte[256];
        private int read;
        private boolean answered;
        private boolean sent;

        @Override
        public void init(WebConnection webConnection) {
            this.connection = webConnection;
            try {
                in = webConnection.getInputStream();
                out = webConnection.getOutputStream();
            } catch (IOException e) {
                close();
                return;
            }
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() throws IOException {
                    while (!answered && in.isReady()) {
                        int n = in.read(frame, read, frame.length - read);
                        if (n < 0) {
                            close();
                            return;
                        }
                        read += n;
                        if (read >= 2 && (frame[1] & 0x7F) >= 126) {
                            close(); // the load generator's close frames are short; anything else is not measured here
                            return;
                        }
                        if (wholeFrame()) {
                            answered = true;
                            out.setWriteListener(new WriteListener() {
                                @Override
                                public void onWritePossible() throws IOException {
                                    if (!sent) {
                                        sent = true;
                                        out.write(CLOSE_1000);
                                    }
                                    if (out.isReady()) {
                                        close(); // flushed: the close frame has left
                                    }
                                }

                                @Override
                                public void onError(Throwable t) {
                                    close();
                                }
                            });
                        }
                    }
                }

                @Override
                public void onAllDataRead() {
                    close();
                }

                @Override
                public void onError(Throwable t) {
                    close();
                }
            });
        }

        /** Whether a whole masked client frame with a short payload has come. */
        private boolean wholeFrame() {
            return read >= 2 && read >= 2 + 4 + (frame[1] & 0x7F);
        }

        private void close() {
            try {
                connection.close();
            } catch (Exception e) {
                // the peer is gone already: nothing to close
            }
        }

        @Override
        public void destroy() {
        }
    }
}
