#!/usr/bin/env bash
# Runs every echo server x every scenario in interleaved rounds and prints the table of medians with the ratios
# bridge/native per container. Usage (from anywhere):
#
#   benchmarks/run.sh [--quick] [--rounds N] [--warmup S] [--servers "NAME ..."] [--scenarios "NAME ..."] [--no-build] [--jmh]
#
#   --quick      1 round, 1 s warm-up + 3 s per throughput scenario, 1,000 idle sessions, scale with 2,000
#                sessions for 10 s instead of 10,000 for 60 s (says so in the table): under 5 minutes
#   --rounds N   rounds (default 3; each round runs every server once, round-robin)
#   --warmup S   S seconds of warm-up before small, large and handshake are measured (default 3 / 3 / 2, quick 1):
#                a freshly started server's JIT needs some 20 s of handshakes before its rate stops rising
#   --jmh        also runs the JMH frame parser/writer benchmarks (about 4 minutes; 1 minute with --quick)
#
# Servers (one JVM at a time, 127.0.0.1 only, same JVM flags): nio-ws-echo tcp-echo tomcat11-bridge tomcat11-native
# tomcat10.1-bridge tomcat10.1-native jetty-bridge jetty-native-jakarta jetty-native-jetty. The first two are the
# reference servers (no container, no servlet): a plain NIO WebSocket echo and a plain NIO TCP echo; the TCP echo runs
# only the small and large scenarios (the load generator's raw transport: the same masked frames as bytes).
# tomcat11-floor and tomcat10.1-floor run only the handshake scenario: the least a WebSocket handshake and close cost
# on Tomcat's own upgrade path (FloorUpgradeServlet: no bridge, no WebSocket implementation).
# Scenarios (in this order): idle small large handshake scale; add "settle" to --scenarios (last) to see the pools let
# their threads go: 35 s without connections, threads sampled every second.
# Results: benchmarks/target/results/<time>/ (JSON lines, logs, table).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
QUICK=false
ROUNDS=3
SERVERS="nio-ws-echo tcp-echo tomcat11-bridge tomcat11-native tomcat11-floor tomcat10.1-bridge tomcat10.1-native tomcat10.1-floor jetty-bridge jetty-native-jakarta jetty-native-jetty"
# idle first: it measures what sessions add to a freshly started server
SCENARIOS="idle small large handshake scale"
BUILD=true
JMH=false
WARMUP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true; ROUNDS=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift
      case "$WARMUP" in ''|*[!0-9]*) echo "--warmup takes whole seconds, not '$WARMUP'" >&2; exit 2 ;; esac ;;
    --servers) SERVERS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --no-build) BUILD=false ;;
    --jmh) JMH=true ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done

SERVER_JVM_FLAGS=(-Xms512m -Xmx2g -XX:+UseG1GC)
CLIENT_JVM_FLAGS=(-Xms256m -Xmx1g -XX:+UseG1GC)
if [ -n "${BENCH_CLIENT_FLAGS:-}" ]; then # e.g. -Dbench.histogram=/tmp/hist (see README)
  read -r -a extra_client_flags <<< "$BENCH_CLIENT_FLAGS"
  CLIENT_JVM_FLAGS+=("${extra_client_flags[@]}")
fi
if [ -n "${BENCH_SERVER_FLAGS:-}" ]; then # e.g. -Dsome.property=value for every server JVM of this run
  read -r -a extra_server_flags <<< "$BENCH_SERVER_FLAGS"
  SERVER_JVM_FLAGS+=("${extra_server_flags[@]}")
fi
BASE_PORT=${BENCH_BASE_PORT:-18180} # another port range for runs side by side

# 10,000 sessions need 10,000 descriptors in the server and as many in the load generator (separate processes)
WANT_FDS=21000
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $WANT_FDS ]; then
  ulimit -n $WANT_FDS 2>/dev/null || true
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10500 ]; then
  echo "note: ulimit -n is $(ulimit -n) and cannot be raised: the scale scenario's 10,000 sessions will fail" >&2
fi

if $BUILD; then
  echo "building (mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests) ..." >&2
  (cd "$ROOT" && mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests)
fi

TARGET=$HERE/target
BASE_CP="$TARGET/classes:$(cat "$TARGET/classpath/base.txt")"
jars() { ls "$1"/*.jar | tr '\n' ':'; }
server_cp() {
  case "$1" in
    nio-ws-echo|tcp-echo) echo "$BASE_CP" ;;
    tomcat11-*) echo "$BASE_CP:$(jars "$TARGET/classpath/tomcat-11")" ;;
    tomcat10.1-*) echo "$BASE_CP:$(jars "$TARGET/classpath/tomcat-10.1")" ;;
    jetty-*) echo "$BASE_CP:$(cat "$TARGET/classpath/jetty-12.1.txt")" ;;
  esac
}
server_main() {
  case "$1" in
    nio-ws-echo|tcp-echo) echo io.upgradebridge.benchmarks.reference.ReferenceServer ;;
    *) echo io.upgradebridge.benchmarks.server.BenchServer ;;
  esac
}
server_args() {
  case "$1" in
    nio-ws-echo) echo "nio-ws" ;;
    tcp-echo) echo "tcp" ;;
    tomcat*-bridge) echo "tomcat bridge" ;;
    tomcat*-native) echo "tomcat native-jakarta" ;;
    tomcat*-floor) echo "tomcat floor" ;;
    jetty-bridge) echo "jetty bridge" ;;
    jetty-native-jakarta) echo "jetty native-jakarta" ;;
    jetty-native-jetty) echo "jetty native-jetty" ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
}
scenario_args() {
  local warmup=$WARMUP
  if $QUICK && [ -z "$warmup" ]; then warmup=1; fi
  if [ -n "$warmup" ]; then
    case "$1" in small|large|handshake) echo -n "--warmup $warmup " ;; esac
  fi
  if $QUICK; then
    case "$1" in
      small|large|handshake) echo "--seconds 3" ;;
      idle) echo "--sessions 1000" ;;
      scale) echo "--sessions 2000 --seconds 10" ;;
    esac
  else
    case "$1" in
      idle) echo "--sessions 5000" ;;
      scale) echo "--sessions 10000 --seconds 60" ;;
      *) echo "" ;;
    esac
  fi
}
# the TCP echo speaks no WebSocket: no handshake; idle and scale would measure TCP connections, not sessions
runs_scenario() { # server scenario
  case "$1" in
    tcp-echo) case "$2" in small|large|settle) return 0 ;; *) return 1 ;; esac ;;
    tomcat*-floor) case "$2" in handshake) return 0 ;; *) return 1 ;; esac ;;
    *) return 0 ;;
  esac
}
transport_args() { case "$1" in tcp-echo) echo "--transport raw" ;; *) echo "" ;; esac; }
scenario_timeout() { case "$1" in scale) echo 240 ;; idle) echo 180 ;; settle) echo 120 ;; *) echo $((60 + ${WARMUP:-0})) ;; esac; }

OUT=$TARGET/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_server() { # name port log-prefix
  local name=$1 port=$2 log=$3
  # shellcheck disable=SC2046
  java "${SERVER_JVM_FLAGS[@]}" -cp "$(server_cp "$name")" "$(server_main "$name")" \
    $(server_args "$name") "$port" > "$log.out" 2> "$log.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q '^READY' "$log.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server $name did not start: see $log.err" >&2
  stop_server
  return 1
}

echo "results in $OUT (nproc $(nproc); $(java -version 2>&1 | head -1))" >&2
START=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  index=0
  for server in $SERVERS; do
    port=$((BASE_PORT + index)); index=$((index + 1))
    log=$OUT/$server-r$round
    if ! start_server "$server" "$port" "$log"; then
      echo "{\"server\":\"$server\",\"round\":$round,\"scenario\":\"start\",\"errors\":1,\"first_error\":\"did not start\"}" >> "$RESULTS"
      continue
    fi
    echo "round $round/$ROUNDS: $server ($(head -1 "$log.out" | cut -d' ' -f2-)) ..." >&2
    for scenario in $SCENARIOS; do
      runs_scenario "$server" "$scenario" || continue
      # shellcheck disable=SC2046
      if ! line=$(timeout "$(scenario_timeout "$scenario")" java "${CLIENT_JVM_FLAGS[@]}" -cp "$TARGET/classes" \
          io.upgradebridge.benchmarks.load.LoadGenerator --scenario "$scenario" --port "$port" --pid "$SERVER_PID" \
          --server "$server" --round "$round" --quick "$QUICK" $(scenario_args "$scenario") $(transport_args "$server") 2>> "$log.client.err"); then
        line="{\"server\":\"$server\",\"round\":$round,\"scenario\":\"$scenario\",\"errors\":1,\"first_error\":\"load generator failed or timed out (see $log.client.err)\"}"
      fi
      echo "$line" >> "$RESULTS"
      echo "  $line" >&2
    done
    stop_server
  done
done
echo "servers and scenarios took $(( $(date +%s) - START )) s" >&2

if $JMH; then
  if $QUICK; then JMH_ARGS=(-f 1 -wi 2 -w 1s -i 3 -r 1s); else JMH_ARGS=(-f 1 -wi 3 -w 2s -i 5 -r 2s); fi
  java -Xms512m -Xmx1g -cp "$BASE_CP" org.openjdk.jmh.Main "${JMH_ARGS[@]}" -rf json -rff "$OUT/jmh.json" \
    'io.upgradebridge.benchmarks.jmh.*' > "$OUT/jmh.txt" 2>&1 || echo "JMH failed: see $OUT/jmh.txt" >&2
fi

REPORT_ARGS=("$RESULTS")
if $JMH && [ -f "$OUT/jmh.json" ]; then REPORT_ARGS+=("$OUT/jmh.json"); fi
python3 "$HERE/report.py" "${REPORT_ARGS[@]}" | tee "$OUT/table.md"
