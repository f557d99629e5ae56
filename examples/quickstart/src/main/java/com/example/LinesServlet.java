package com.example;

import io.upgradebridge.content.Headers;
import io.upgradebridge.content.OutgoingContent;
import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;
import io.upgradebridge.servlet.ApplicationCall;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.Executor;

/** The echo-lines protocol: after the 101, every line the client sends comes back. */
public class LinesServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"echo-lines".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            resp.setHeader("Upgrade", "echo-lines");
            resp.sendError(426, "send Connection: Upgrade and Upgrade: echo-lines");
            return;
        }
        ApplicationCall call = ApplicationCall.of(req);
        call.respond(new OutgoingContent.ProtocolUpgrade() {
            @Override
            public Headers headers() {
                return Headers.of("Upgrade", "echo-lines", "Connection", "Upgrade");
            }

            @Override
            public Job upgrade(ByteReadChannel input, ByteWriteChannel output,
                               Executor engineContext, Executor userContext) {
                return Job.of(input.copyTo(output)); // echo until the client ends its input
            }
        });
    }
}
