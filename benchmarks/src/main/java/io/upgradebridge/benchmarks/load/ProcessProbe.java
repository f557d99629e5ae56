package io.upgradebridge.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the load generator reads about a process (the server, or itself): CPU time from {@code /proc/PID/stat},
 * resident memory and thread count from {@code /proc/PID/status}, and the live heap after a full GC through
 * {@code jcmd}.
 */
final class ProcessProbe {

    /** Clock ticks per second of utime/stime: {@code getconf CLK_TCK}, 100 on Linux. */
    private static final long TICKS_PER_SECOND = Long.getLong("bench.clkTck", 100);
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long JCMD_TIMEOUT_SECONDS = 30;

    private final long pid;

    ProcessProbe(long pid) {
        this.pid = pid;
    }

    static ProcessProbe self() {
        return new ProcessProbe(ProcessHandle.current().pid());
    }

    /** User plus system CPU time so far, in microseconds. */
    long cpuMicros() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime (14), stime (15)
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }

    long rssKb() throws IOException {
        return statusField("VmRSS:");
    }

    long threads() throws IOException {
        return statusField("Threads:");
    }

    private long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(name + " not in /proc/" + pid + "/status");
    }

    /**
     * The process's threads by pool ({@code jcmd PID Thread.print}; a thread's name without its trailing number), the
     * largest first, as {@code "name=count, ..."}: which pool holds the threads that {@link #threads()} counts.
     */
    String threadPools() throws IOException, InterruptedException {
        Map<String, Integer> pools = new HashMap<>();
        for (String line : jcmd("Thread.print").split("\n")) {
            if (line.startsWith("\"")) {
                String name = line.substring(1, Math.max(1, line.indexOf('"', 1)));
                pools.merge(name.replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
            }
        }
        return pools.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(6)
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** The heap in use right after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}), in KiB. */
    long liveHeapKb() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher used = HEAP_USED.matcher(info);
        if (!used.find()) {
            throw new IOException("no 'used NK' in GC.heap_info: " + info);
        }
        return Long.parseLong(used.group(1));
    }

    /**
     * With {@code -Dbench.histogram=PREFIX}: writes the process's class histogram of live objects ({@code jcmd PID
     * GC.class_histogram}) to {@code PREFIX-NAME.txt}, to compare what sessions keep, and with {@code -Dbench.heapDump=true}
     * also a heap dump of live objects to {@code PREFIX-NAME.hprof}; without it, nothing.
     */
    void histogramTo(String name) throws IOException, InterruptedException {
        String prefix = System.getProperty("bench.histogram");
        if (prefix != null) {
            Files.writeString(Path.of(prefix + "-" + name + ".txt"), jcmd("GC.class_histogram"));
            if (Boolean.getBoolean("bench.heapDump")) {
                jcmd("GC.heap_dump", Path.of(prefix + "-" + name + ".hprof").toAbsolutePath().toString());
            }
        }
    }

    /** Runs a jcmd command on the process; the output, or an exception after a time limit. */
    String jcmd(String... command) throws IOException, InterruptedException {
        String[] line = new String[command.length + 2];
        line[0] = "jcmd";
        line[1] = Long.toString(pid);
        System.arraycopy(command, 0, line, 2, command.length);
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish");
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
