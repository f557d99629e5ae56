#!/usr/bin/env bash
# Profiles the bridge echo servers with JFR during one scenario (small messages by default) and prints the top frames.
# Usage: benchmarks/profile.sh [--no-build] [--servers "tomcat11-bridge jetty-bridge tomcat11-native ..."] [--seconds 20] [--scenario small|large|handshake]
# Output: benchmarks/target/profile/<time>/<server>.jfr and <server>.md (summary by jfr_summary.py).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SERVERS="tomcat11-bridge jetty-bridge"
SECONDS_TO_RECORD=20
SCENARIO=small
BUILD=true
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=false ;;
    --servers) SERVERS=$2; shift ;;
    --seconds) SECONDS_TO_RECORD=$2; shift ;;
    --scenario) SCENARIO=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if $BUILD; then (cd "$ROOT" && mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests); fi
TARGET=$HERE/target
BASE_CP="$TARGET/classes:$(cat "$TARGET/classpath/base.txt")"
jars() { ls "$1"/*.jar | tr '\n' ':'; }
OUT=$TARGET/profile/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
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
port=${BENCH_PROFILE_PORT:-18190}
for server in $SERVERS; do
  case "$server" in
    tomcat11-bridge) cp="$BASE_CP:$(jars "$TARGET/classpath/tomcat-11")"; args="tomcat bridge" ;;
    tomcat10.1-bridge) cp="$BASE_CP:$(jars "$TARGET/classpath/tomcat-10.1")"; args="tomcat bridge" ;;
    jetty-bridge) cp="$BASE_CP:$(cat "$TARGET/classpath/jetty-12.1.txt")"; args="jetty bridge" ;;
    tomcat11-native) cp="$BASE_CP:$(jars "$TARGET/classpath/tomcat-11")"; args="tomcat native-jakarta" ;;
    tomcat10.1-native) cp="$BASE_CP:$(jars "$TARGET/classpath/tomcat-10.1")"; args="tomcat native-jakarta" ;;
    jetty-native-jakarta) cp="$BASE_CP:$(cat "$TARGET/classpath/jetty-12.1.txt")"; args="jetty native-jakarta" ;;
    jetty-native-jetty) cp="$BASE_CP:$(cat "$TARGET/classpath/jetty-12.1.txt")"; args="jetty native-jetty" ;;
    *) echo "profile.sh does not know the server $server" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$cp" io.upgradebridge.benchmarks.server.BenchServer $args $port \
    > "$OUT/$server.out" 2> "$OUT/$server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do grep -q '^READY' "$OUT/$server.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^READY' "$OUT/$server.out" || { echo "$server did not start" >&2; exit 1; }
  java -Xms256m -Xmx1g -XX:+UseG1GC -cp "$TARGET/classes" io.upgradebridge.benchmarks.load.LoadGenerator \
    --scenario "$SCENARIO" --port $port --pid "$SERVER_PID" --server "$server" --warmup 3 \
    --seconds $((SECONDS_TO_RECORD + 2)) > "$OUT/$server.json" &
  LOAD_PID=$!
  sleep 3
  jcmd "$SERVER_PID" JFR.start name=bench settings=profile duration=${SECONDS_TO_RECORD}s \
    filename="$OUT/$server.jfr" > /dev/null
  timeout $((SECONDS_TO_RECORD + 60)) tail --pid=$LOAD_PID -f /dev/null || kill $LOAD_PID
  for _ in $(seq 1 100); do [ -s "$OUT/$server.jfr" ] && break; sleep 0.2; done
  stop_server
  cat "$OUT/$server.json"
  { echo "## $server: JFR during the $SCENARIO scenario (${SECONDS_TO_RECORD} s)"; echo;
    python3 "$HERE/jfr_summary.py" "$OUT/$server.jfr" 10; } > "$OUT/$server.md"
  cat "$OUT/$server.md"
  port=$((port + 1))
done
echo "profiles in $OUT" >&2
