#!/usr/bin/env python3
"""Prints the Markdown tables of run.sh: the median over rounds of each figure for each server with the ratio
bridge/native on the same container; the small and large rows of every container server as a fraction of the two
reference servers (plain NIO WebSocket echo, plain TCP echo) of the same run; the server's threads before, during
and after each scenario. Usage: report.py results.jsonl [jmh.json]"""
import json
import statistics
import sys

REFERENCES = ["nio-ws-echo", "tcp-echo"]
# the scenarios the TCP echo runs (run.sh): the others are n/a for it
TCP_SCENARIOS = {"small", "large", "settle"}
# the floor servers (FloorUpgradeServlet) run the handshake scenario only
FLOORS = {"tomcat11-floor": ("tomcat11-bridge", "tomcat11-native"), "tomcat10.1-floor": ("tomcat10.1-bridge", "tomcat10.1-native")}
SERVERS = REFERENCES + ["tomcat11-bridge", "tomcat11-native", "tomcat11-floor", "tomcat10.1-bridge", "tomcat10.1-native", "tomcat10.1-floor",
           "jetty-bridge", "jetty-native-jakarta", "jetty-native-jetty"]
# (bridge, native, column title)
RATIOS = [("tomcat11-bridge", "tomcat11-native", "T11 b/n"),
          ("tomcat10.1-bridge", "tomcat10.1-native", "T10.1 b/n"),
          ("jetty-bridge", "jetty-native-jakarta", "Jetty b/jakarta"),
          ("jetty-bridge", "jetty-native-jetty", "Jetty b/jetty-api")]
SHORT = {"nio-ws-echo": "NIO WS echo", "tcp-echo": "TCP echo", "tomcat11-bridge": "T11 bridge", "tomcat11-native": "T11 native", "tomcat10.1-bridge": "T10.1 bridge",
         "tomcat10.1-native": "T10.1 native", "jetty-bridge": "Jetty bridge", "tomcat11-floor": "T11 floor", "tomcat10.1-floor": "T10.1 floor",
         "jetty-native-jakarta": "Jetty jakarta", "jetty-native-jetty": "Jetty jetty-api"}
# (scenario, field, label, better: "high" or "low", target ratio text)
ROWS = [("small", "msgs_per_s", "small: messages/s", "high", ">= 1.5"),
        ("small", "p50_us", "small: p50 round trip, us", "low", ""),
        ("small", "p99_us", "small: p99 round trip, us", "low", ""),
        ("small", "server_cpu_us_per_msg", "small: server CPU us/message", "low", ""),
        ("small", "client_cpu_us_per_msg", "small: load generator CPU us/message", "low", ""),
        ("large", "mb_per_s", "large: MB/s (1 MiB binary echoed)", "high", ">= 2 Tomcat, >= 1 Jetty"),
        ("large", "server_cpu_us_per_msg", "large: server CPU us/MiB", "low", ""),
        ("handshake", "upgrades_per_s", "handshake: upgrades/s", "high", ">= 1.5"),
        ("handshake", "server_cpu_us_per_upgrade", "handshake: server CPU us/upgrade", "low", ""),
        ("idle", "sessions", "idle: sessions open", "high", ""),
        ("idle", "heap_per_session_bytes", "idle: live heap bytes/session", "low", "<= 0.5"),
        ("idle", "rss_per_session_bytes", "idle: RSS bytes/session", "low", ""),
        ("idle", "threads_before", "idle: threads before", "low", ""),
        ("idle", "threads_sessions", "idle: threads after opening {sessions} idle sessions", "low", "native + 16"),
        ("scale", "sessions", "scale: sessions open", "high", ""),
        ("scale", "msgs_per_s", "scale: messages/s", "high", ""),
        ("scale", "p99_us", "scale: p99 round trip, us", "low", ""),
        ("scale", "missing", "scale: messages without echo", "low", "0"),
        ("scale", "errors", "scale: errors", "low", "0"),
        ("scale", "threads_open", "scale: threads after open", "low", ""),
        ("scale", "threads_max", "scale: max threads while running", "low", "flat"),
        ("scale", "rss_kb", "scale: RSS KiB at end", "low", "")]


def fmt(value):
    if value is None or value == -1:  # -1: the load generator had no sample
        return "-"
    if float(value).is_integer():  # counts: sessions, threads, errors
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


# (container server, goal of its small messages/s against the NIO WebSocket echo)
LIMIT_GOALS = {"tomcat11-bridge": ">= 50 %", "tomcat10.1-bridge": ">= 50 %", "jetty-bridge": ">= 60 %"}
LIMIT_ROWS = [("small", "msgs_per_s", "small: messages/s"), ("large", "mb_per_s", "large: MB/s")]


def percent(a, b):
    return f"{100 * a / b:.0f} %" if a not in (None, -1) and b not in (None, -1, 0) else "-"


def limit_table(med, servers):
    """Every container server's small and large figures as a fraction of the two reference servers."""
    ws, tcp = ("nio-ws-echo", "tcp-echo")
    if not any((r, sc, f) in med for r in (ws, tcp) for sc, f, _ in LIMIT_ROWS):
        return
    print("\nAgainst the physical limit, same run: each container server's figure as a fraction of the plain NIO "
          "WebSocket echo and of the plain TCP echo (load generator's raw transport: the same masked frames, "
          "returned verbatim).\n")
    print("| row | server | figure | NIO WS echo | / NIO WS echo | TCP echo | / TCP echo | goal |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for scenario, field, label in LIMIT_ROWS:
        w, t = med.get((ws, scenario, field)), med.get((tcp, scenario, field))
        for server in servers:
            if server in REFERENCES or (server, scenario, field) not in med:
                continue
            v = med[(server, scenario, field)]
            goal = LIMIT_GOALS.get(server, "") + " of NIO WS" if scenario == "small" and server in LIMIT_GOALS else ""
            print(f"| {label} | {SHORT[server]} | {fmt(v)} | {fmt(w)} | {percent(v, w)} | {fmt(t)} | "
                  f"{percent(v, t)} | {goal} |")


def floor_table(med, servers):
    """The handshake's server CPU per upgrade of bridge and native beyond what Tomcat's own upgrade path costs."""
    floors = [f for f in FLOORS if f in servers and (f, "handshake", "server_cpu_us_per_upgrade") in med]
    if not floors:
        return
    print("\nThe handshake against Tomcat's floor (FloorUpgradeServlet: the 101, one frame in, a close frame out, closed; "
          "no WebSocket implementation): server CPU per upgrade, and what each side spends beyond the floor.\n")
    print("| container | floor us | floor upgrades/s | bridge us | bridge beyond floor | native us | native beyond floor "
          "| bridge/native beyond floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for floor in floors:
        bridge, native = FLOORS[floor]
        f = med[(floor, "handshake", "server_cpu_us_per_upgrade")]
        b = med.get((bridge, "handshake", "server_cpu_us_per_upgrade"))
        n = med.get((native, "handshake", "server_cpu_us_per_upgrade"))
        rate = med.get((floor, "handshake", "upgrades_per_s"))
        extra_b = b - f if b is not None else None
        extra_n = n - f if n is not None else None
        ratio = f"{extra_b / extra_n:.2f}" if extra_b is not None and extra_n not in (None, 0) and extra_n > 0 else "-"
        print(f"| {SHORT[floor].split()[0]} | {fmt(f)} | {fmt(rate)} | {fmt(b)} | {fmt(extra_b)} | {fmt(n)} | {fmt(extra_n)} | {ratio} |")


THREAD_FIELDS = [("threads_before", "before"), ("threads_during_max", "during (highest 1 s sample)"),
                 ("threads_during_min", "during (lowest 1 s sample)"),
                 ("threads_sessions", "with its sessions open"), ("threads_after", "1 s after")]


def threads_table(med, servers, cell):
    """The server's threads before, during and after each scenario."""
    scenarios = [sc for sc in ("idle", "small", "large", "handshake", "scale", "settle")
                 if any((s, sc, "threads_after") in med for s in servers)]
    if not scenarios:
        return
    print("\nServer threads (/proc/PID/status) before each scenario, the highest of the samples taken once a second "
          "while it ran, and 1 s after its connections closed:\n")
    header = ["scenario: threads"] + [SHORT[s] for s in servers]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for scenario in scenarios:
        for field, label in THREAD_FIELDS:
            if not any((s, scenario, field) in med for s in servers):
                continue
            if field == "threads_during_min" and scenario != "settle":
                continue  # the lowest sample tells something only where nothing runs
            print("| " + " | ".join([f"{scenario}: {label}"] + [cell(s, scenario, field) for s in servers]) + " |")


def main():
    lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    values = {}
    rounds = set()
    quick = False
    errors = []
    for line in lines:
        rounds.add(line.get("round"))
        quick = quick or line.get("quick", False)
        if line.get("errors"):
            errors.append(f"{line['server']} round {line.get('round')} {line.get('scenario')}: "
                          f"{line['errors']} error(s), first: {line.get('first_error', '')}")
        for key, value in line.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values.setdefault((line["server"], line.get("scenario"), key), []).append(value)
    servers = [s for s in SERVERS if any(k[0] == s for k in values)]
    med = {k: statistics.median(v) for k, v in values.items()}

    def cell(server, scenario, field):
        if server == "tcp-echo" and scenario not in TCP_SCENARIOS:
            return "n/a"
        if server in FLOORS and scenario != "handshake":
            return "n/a"
        return fmt(med.get((server, scenario, field)))

    idle_sessions = [v for (s, sc, f), v in med.items() if sc == "idle" and f == "target_sessions"]
    sessions_text = f"{max(idle_sessions):,.0f}" if idle_sessions else "the"

    ratios_shown = [r for r in RATIOS if r[0] in servers and r[1] in servers]
    print(f"Medians over {len(rounds)} round(s){' (QUICK run: short durations, 1,000 idle sessions, scale 2,000 sessions for 10 s)' if quick else ''}.")
    print("Ratios are bridge/native on the same container (higher is better for /s rows, lower for cost rows).\n")
    header = ["figure"] + [SHORT[s] for s in servers] + [r[2] for r in ratios_shown] + ["target"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 2) + ["---"]) + "|")
    for scenario, field, label, _better, target in ROWS:
        label = label.format(sessions=sessions_text)
        cells = [cell(s, scenario, field) for s in servers]
        if all(c in ("-", "n/a") for c in cells):
            continue
        ratios = []
        for bridge, native, _ in ratios_shown:
            b, n = med.get((bridge, scenario, field)), med.get((native, scenario, field))
            ok = b is not None and n is not None and b != -1 and n not in (0, -1)
            ratios.append(f"{b / n:.2f}" if ok else "-")
        print("| " + " | ".join([label] + cells + ratios + [target]) + " |")
    limit_table(med, servers)
    floor_table(med, servers)
    threads_table(med, servers, cell)
    if errors:
        print("\nErrors:")
        for e in errors:
            print(f"- {e}")
    if len(sys.argv) > 2:
        print("\nJMH (websocket-raw FrameParser / FrameWriter), ops/s = frames/s, higher is better:\n")
        print("| benchmark | size | ops/s | +- |")
        print("|---|---:|---:|---:|")
        for b in json.load(open(sys.argv[2])):
            name = b["benchmark"].rsplit(".", 2)
            size = b.get("params", {}).get("size", "")
            m = b["primaryMetric"]
            print(f"| {name[-2]}.{name[-1]} | {size} | {m['score']:,.0f} | {m['scoreError']:,.0f} |")


main()
