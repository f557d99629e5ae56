package io.upgradebridge.testsupport;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response that records the calls that set its status and headers, in order, and its body. A flush of its stream
 * commits it; {@link #failWrites} makes writes fail as a client that went away does. Every other method fails the
 * test that calls it.
 */
public final class FakeResponse {

    /** {@code setStatus 200}, {@code setHeader Name: value}, {@code setContentType text/plain}, ... in order. */
    public final List<String> calls = new ArrayList<>();
    public final ByteArrayOutputStream body = new ByteArrayOutputStream();
    public int status = 200;
    public boolean committed;
    public int flushes;
    /** Thrown by every write when set. */
    public IOException failWrites;

    /** The response, for the code under test. */
    public HttpServletResponse proxy() {
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
                        return committed;
                    case "getOutputStream":
                        return new RecordingOutputStream();
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

    /** The values of header {@code name} (any case) as a client would see them after every call so far. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        for (String call : calls) {
            int space = call.indexOf(' ');
            String verb = call.substring(0, space);
            String rest = call.substring(space + 1);
            if (verb.equals("setContentType") && name.equalsIgnoreCase("Content-Type")) {
                values.clear();
                values.add(rest);
                continue;
            }
            int colon = rest.indexOf(": ");
            if (colon < 0 || !rest.substring(0, colon).equalsIgnoreCase(name)) {
                continue;
            }
            if (verb.equals("setHeader")) {
                values.clear();
            }
            values.add(rest.substring(colon + 2));
        }
        return values;
    }

    /** The values of header {@code name} joined by {@code ", "}, or {@code null} when it was not set. */
    public String header(String name) {
        List<String> values = headerValues(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }

    public String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return status + " " + calls + " " + bodyText().strip();
    }

    private final class RecordingOutputStream extends ServletOutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failWrites != null) {
                throw failWrites;
            }
            body.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
            committed = true;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException("setWriteListener");
        }
    }
}
