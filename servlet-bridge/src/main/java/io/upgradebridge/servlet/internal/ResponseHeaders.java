package io.upgradebridge.servlet.internal;

import io.upgradebridge.content.Headers;
import jakarta.servlet.http.HttpServletResponse;

/** Puts {@link Headers} on a servlet response: the first value of a name with {@code setHeader}, the others with {@code addHeader}. */
public final class ResponseHeaders {

    private ResponseHeaders() {
    }

    /** Sets every header of {@code headers} on {@code response}, replacing values the response had for the same names. */
    public static void write(HttpServletResponse response, Headers headers) {
        headers.forEach((name, values) -> {
            response.setHeader(name, values.get(0));
            for (int i = 1; i < values.size(); i++) {
                response.addHeader(name, values.get(i));
            }
        });
    }
}
