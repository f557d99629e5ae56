#!/usr/bin/env bash
# The chat fan-out benchmark (see README.md here, "Chat fan-out"): the war-sample chat with 10,000 members in rooms
# of 10, each member sending one message a second, through nginx to three nodes (Tomcat 11, Tomcat 10.1, Jetty 12.1)
# whose chats are joined by Redis pub/sub, against the same load on one node (Tomcat 11) without nginx or Redis.
# Usage (from anywhere):
#
#   benchmarks/chat-fanout.sh [--sessions N] [--room-size N] [--send-every S] [--seconds S] [--warmup S] [--path /ws/chat|/chat]
#                             [--topologies "single cluster"] [--no-build] [--no-wait] [--quick]
#
#   --send-every S  each member sends one message every S seconds (default 1: one a second each)
#   --quick     2,000 sessions, 5 s warm-up, 15 s measured (a check that everything runs, not figures)
#   --no-wait   do not wait for a quiet machine (by default it waits up to 20 minutes for a 1-minute load
#               average below 2.5, polling every 30 s, and says in the results if it never came)
#
# Needs Debian's nginx and redis-server (apt-get install nginx redis-server) and a JDK 17. Everything listens on
# 127.0.0.1 only, on ports picked at random and checked free; every process it starts is stopped on exit.
# Results: benchmarks/target/results/chat-<time>/ (one JSON line per topology, logs, nginx.conf, table.md).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
TARGET=$HERE/target
SESSIONS=10000
ROOM_SIZE=10
SEND_EVERY=1
SECONDS_MEASURED=60
WARMUP=10
CHAT_PATH=/ws/chat
TOPOLOGIES="single cluster"
BUILD=true
WAIT=true
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift ;;
    --room-size) ROOM_SIZE=$2; shift ;;
    --send-every) SEND_EVERY=$2; shift ;;
    --seconds) SECONDS_MEASURED=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --path) CHAT_PATH=$2; shift ;;
    --topologies) TOPOLOGIES=$2; shift ;;
    --no-build) BUILD=false ;;
    --no-wait) WAIT=false ;;
    --quick) SESSIONS=2000; SECONDS_MEASURED=15; WARMUP=5 ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done

NGINX=${NGINX:-/usr/sbin/nginx}
REDIS=${REDIS:-/usr/bin/redis-server}
for tool in "$NGINX" "$REDIS"; do
  if [ ! -x "$tool" ]; then
    echo "$tool is missing: apt-get install nginx redis-server" >&2
    exit 2
  fi
done

# 10,000 sessions: as many descriptors in the load generator, twice as many in nginx (client + node side), shared by
# its two workers (reuseport spreads the connections over both)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FDS=$(ulimit -n)
if [ "$FDS" = unlimited ]; then FDS=65536; fi
if [ "$FDS" -lt $((SESSIONS + 1000)) ]; then
  echo "ulimit -n is $FDS: too low for $SESSIONS sessions" >&2
  exit 2
fi

OUT=$TARGET/results/chat-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
NOTES=$OUT/notes.txt
: > "$NOTES"

if $WAIT; then
  waited=0
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" 'BEGIN { exit !(l < 2.5) }'; then
      echo "1-minute load average $load after waiting ${waited} s" | tee -a "$NOTES" >&2
      break
    fi
    if [ "$waited" -ge 1200 ]; then
      echo "the 1-minute load average never went below 2.5 in 20 minutes (now $load): run anyway" | tee -a "$NOTES" >&2
      break
    fi
    echo "load average $load: waiting for a quieter machine ($waited s so far)" >&2
    sleep 30
    waited=$((waited + 30))
  done
fi

if $BUILD; then
  echo "building (mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests) ..." >&2
  (cd "$ROOT" && mvn -q -Pbenchmarks -pl benchmarks -am package -DskipTests)
fi
WAR=$TARGET/classpath/war-sample.war
jars() { ls "$1"/*.jar | tr '\n' ':'; }
node_cp() { # the node's class path: the container and ChatNodeServer; the WAR brings the bridge and the sample
  case "$1" in
    tomcat11) echo "$TARGET/classes:$(jars "$TARGET/classpath/tomcat-11")" ;;
    tomcat10.1) echo "$TARGET/classes:$(jars "$TARGET/classpath/tomcat-10.1")" ;;
    jetty) echo "$TARGET/classes:$(cat "$TARGET/classpath/jetty-12.1.txt")" ;;
  esac
}
node_kind() { case "$1" in jetty) echo jetty ;; *) echo tomcat ;; esac; }

PIDS=()
LAST_PID=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    if ! port_in_use "$port"; then echo "$port"; return; fi
  done
}
await() { # pid file pattern seconds what
  for _ in $(seq 1 $(($4 * 10))); do
    if grep -q "$3" "$2" 2>/dev/null; then return 0; fi
    if ! kill -0 "$1" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$5 did not get ready: see $2" >&2
  return 1
}

start_node() { # name container port [-Dsetting=value ...]
  local name=$1 container=$2 port=$3
  shift 3
  java -Xms256m -Xmx1g -XX:+UseG1GC "$@" -cp "$(node_cp "$container")" \
    io.upgradebridge.benchmarks.server.ChatNodeServer "$(node_kind "$container")" "$port" "$WAR" \
    > "$OUT/$name.out" 2> "$OUT/$name.err" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  await "$LAST_PID" "$OUT/$name.out" '^READY' 120 "node $name"
}

start_redis() { # port
  mkdir -p "$OUT/redis"
  "$REDIS" --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$OUT/redis" \
    --protected-mode yes > "$OUT/redis.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  await "$LAST_PID" "$OUT/redis.log" 'Ready to accept connections' 30 redis-server
}

start_nginx() { # port node-port...
  local port=$1
  shift
  mkdir -p "$OUT/nginx/logs" "$OUT/nginx/temp"
  local servers=""
  for node_port in "$@"; do servers="$servers    server 127.0.0.1:$node_port;"$'\n'; done
  cat > "$OUT/nginx/nginx.conf" <<EOF
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log warn;
worker_processes 2;
worker_rlimit_nofile $FDS;
events { worker_connections $((FDS - 100)); }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/temp/client_body;
  proxy_temp_path $OUT/nginx/temp/proxy;
  fastcgi_temp_path $OUT/nginx/temp/fastcgi;
  uwsgi_temp_path $OUT/nginx/temp/uwsgi;
  scgi_temp_path $OUT/nginx/temp/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream nodes {
$servers  }
  server {
    listen 127.0.0.1:$port backlog=4096 reuseport;
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 300s;
    }
  }
}
EOF
  "$NGINX" -p "$OUT/nginx/" -c "$OUT/nginx/nginx.conf" -e "$OUT/nginx/logs/error.log" > "$OUT/nginx/stdout.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  for _ in $(seq 1 100); do
    if port_in_use "$port"; then return 0; fi
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "nginx did not start: see $OUT/nginx/logs/error.log" >&2
  return 1
}

run_load() { # topology port pids
  java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$TARGET/classes" io.upgradebridge.benchmarks.load.ChatFanOut \
    --topology "$1" --port "$2" --path "$CHAT_PATH" --sessions "$SESSIONS" --room-size "$ROOM_SIZE" --send-every "$SEND_EVERY" \
    --warmup "$WARMUP" --seconds "$SECONDS_MEASURED" --pids "$3" 2> "$OUT/$1.load.err" | tee -a "$OUT/results.jsonl"
}

echo "results in $OUT (nproc $(nproc); $(java -version 2>&1 | head -1); $("$NGINX" -v 2>&1); $("$REDIS" --version | cut -d' ' -f1-3))" >&2
for topology in $TOPOLOGIES; do
  echo "== $topology ($(cut -d' ' -f1-3 /proc/loadavg) load before)" >&2
  case "$topology" in
    single)
      port=$(free_port)
      start_node single tomcat11 "$port"
      run_load single "$port" "node=$LAST_PID"
      ;;
    cluster)
      redis_port=$(free_port)
      start_redis "$redis_port"
      redis_pid=$LAST_PID
      setting="-Dio.upgradebridge.sample.chat.redis=redis://127.0.0.1:$redis_port"
      node_ports=()
      pid_list="redis=$redis_pid"
      for container in tomcat11 tomcat10.1 jetty; do
        port=$(free_port)
        start_node "cluster-$container" "$container" "$port" "$setting"
        pid=$LAST_PID
        await "$pid" "$OUT/cluster-$container.err" 'subscribed to Redis' 30 "the chat of node $container"
        node_ports+=("$port")
        pid_list="$pid_list,$container=$pid"
      done
      nginx_port=$(free_port)
      start_nginx "$nginx_port" "${node_ports[@]}"
      nginx_pid=$LAST_PID
      workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')
      index=0
      for worker in $workers; do pid_list="$pid_list,nginx$index=$worker"; index=$((index + 1)); done
      run_load cluster "$nginx_port" "$pid_list"
      ;;
    *) echo "unknown topology $topology" >&2; exit 2 ;;
  esac
  cleanup
done

python3 - "$OUT/results.jsonl" "$NOTES" <<'PY' | tee "$OUT/table.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {r["topology"]: r for r in rows}
order = [t for t in ("single", "cluster") if t in by]
figures = [("sessions", "members (sessions)", "{:,.0f}"), ("rooms", "rooms", "{:,.0f}"),
           ("room_size", "members per room", "{:,.0f}"), ("send_every_s", "each member sends once every ... s", "{:,.0f}"),
           ("msgs_per_s", "messages sent / s", "{:,.0f}"),
           ("deliveries_per_s", "deliveries / s (to the other members)", "{:,.0f}"),
           ("p50_us", "fan-out latency p50, ms", "ms"), ("p99_us", "fan-out latency p99, ms", "ms"),
           ("p999_us", "fan-out latency p99.9, ms", "ms"), ("max_us", "fan-out latency max, ms", "ms"),
           ("expected_deliveries", "deliveries expected", "{:,.0f}"), ("lost", "deliveries lost", "{:,.0f}"),
           ("out_of_order", "out of order", "{:,.0f}"), ("late", "messages not sent (client buffer full)", "{:,.0f}"),
           ("errors", "errors", "{:,.0f}"), ("cpu_servers", "server CPU (cores, all processes)", "{:.2f}"),
           ("open_ms", "time to open and join every session, ms", "{:,.0f}")]
def fmt(value, how):
    if value is None:
        return "-"
    if how == "ms":
        return "{:,.1f}".format(value / 1000.0)
    return how.format(value)
print("| figure | " + " | ".join(order) + (" | cluster / single |" if len(order) == 2 else " |"))
print("|---|" + "---:|" * len(order) + ("---:|" if len(order) == 2 else ""))
for key, name, how in figures:
    cells = [fmt(by[t].get(key), how) for t in order]
    ratio = ""
    if len(order) == 2:
        a, b = by["single"].get(key), by["cluster"].get(key)
        ratio = " {:.2f} |".format(b / a) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else " - |"
    print("| " + name + " | " + " | ".join(cells) + " |" + ratio)
for t in order:
    cpus = {k[4:]: v for k, v in by[t].items() if k.startswith("cpu_") and k != "cpu_servers"}
    print("\n{}: CPU by process (cores): {}".format(t, ", ".join("{} {:.2f}".format(k, v) for k, v in cpus.items())))
    if by[t].get("first_error"):
        print("{}: first error: {}".format(t, by[t]["first_error"]))
notes = open(sys.argv[2]).read().strip()
if notes:
    print("\n" + notes)
PY
