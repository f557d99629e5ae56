package io.upgradebridge.containertests.app;

import io.upgradebridge.io.ByteReadChannel;
import io.upgradebridge.io.ByteWriteChannel;
import io.upgradebridge.io.Job;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code lines} mode: echoes every line; {@code close} makes a foreign thread end the job (the
 * bridge then closes the connection from that thread), {@code cancel} makes a foreign thread cancel it,
 * {@code fail} fails the job. Runs blocking on {@code userContext}, as a user of the blocking views would.
 */
final class LineProtocol {

    private final ByteReadChannel input;
    private final ByteWriteChannel output;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Job job = Job.of(done);

    LineProtocol(ByteReadChannel input, ByteWriteChannel output, ConnectionStats stats) {
        this.input = input;
        this.output = output;
    }

    /** Runs on {@code userContext}, which the bridge owns and stops on undeploy (the app starts no thread of its own). */
    Job start(java.util.concurrent.Executor userContext) {
        userContext.execute(this::run);
        return job;
    }

    private void run() {
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(input.asInputStream(), StandardCharsets.UTF_8));
            OutputStream out = output.asOutputStream();
            String line;
            while ((line = lines.readLine()) != null) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                switch (line) {
                    case "close":
                        foreign(() -> done.complete(null));
                        return;
                    case "cancel":
                        foreign(job::cancel);
                        return;
                    case "fail":
                        done.completeExceptionally(new IllegalStateException("the job failed on purpose"));
                        return;
                    default:
                        break;
                }
            }
            done.complete(null);
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
    }

    private static void foreign(Runnable action) {
        Thread t = new Thread(action, "foreign-closer");
        t.setDaemon(true);
        t.start();
    }
}
