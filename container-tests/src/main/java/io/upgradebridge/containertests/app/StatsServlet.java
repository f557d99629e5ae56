package io.upgradebridge.containertests.app;

import io.upgradebridge.servlet.ProtocolUpgradeFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code GET /stats?id=X}: what the server saw of connection X, as {@code key=value} lines; plus
 * {@code openUpgrades}. {@code &cancel} cancels X's job (from this request thread: a foreign thread for the
 * connection); {@code ?dump} lists the state of every open upgrade.
 */
public class StatsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = response.getWriter();
        Object filter = getServletContext().getAttribute(ProtocolUpgradeFilter.CONTEXT_ATTRIBUTE);
        out.println("openUpgrades=" + (filter instanceof ProtocolUpgradeFilter ? ((ProtocolUpgradeFilter) filter).openUpgrades() : -1));
        if (request.getParameter("dump") != null && filter instanceof ProtocolUpgradeFilter) {
            for (String line : ((ProtocolUpgradeFilter) filter).describeOpenUpgrades()) {
                out.println("connection=" + line);
            }
        }
        String id = request.getParameter("id");
        ConnectionStats stats = id == null ? null : ConnectionStats.get(id);
        if (stats != null && request.getParameter("cancel") != null) {
            out.println("cancelled=" + stats.cancel());
        }
        if (stats != null) {
            for (Map.Entry<String, String> e : stats.snapshot().entrySet()) {
                out.println(e.getKey() + '=' + e.getValue());
            }
        }
    }
}
