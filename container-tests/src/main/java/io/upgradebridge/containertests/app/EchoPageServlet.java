package io.upgradebridge.containertests.app;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * A page whose JavaScript opens a WebSocket to {@code /ws/echo-once}, sends one message and shows the echo and how the
 * server closed. It sends also when the socket was already open before its {@code onopen} was assigned, which HtmlUnit
 * (not a browser) allows.
 */
public class EchoPageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String PAGE = "<!DOCTYPE html><html><head><title>echo</title></head><body>\n"
        + "<div id=\"state\">connecting</div><div id=\"reason\"></div><div id=\"echo\"></div>\n"
        + "<script>\n"
        + "var ws = new WebSocket('ws://' + location.host + '/ws/echo-once');\n"
        + "var sent = false;\n"
        + "function opened(late) { if (sent) { return; } sent = true; document.getElementById('state').textContent = 'open'; if (late) { document.title = 'echo (opened late)'; } ws.send('hello from the page'); }\n"
        + "ws.onopen = function () { opened(false); };\n"
        + "ws.onmessage = function (e) { document.getElementById('echo').textContent = e.data; };\n"
        + "ws.onclose = function (e) { document.getElementById('reason').textContent = e.reason; document.getElementById('state').textContent = 'closed ' + e.code; };\n"
        // HtmlUnit connects inside the constructor and fires 'open' on its client thread: on a loaded machine that can
        // happen before the line above assigned onopen, and the event is lost. A browser never fires it within this
        // script, so the check below only ever runs in HtmlUnit.
        + "if (ws.readyState === 1) { opened(true); }\n"
        + "</script></body></html>\n";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().write(PAGE);
    }
}
