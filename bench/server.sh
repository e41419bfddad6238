#!/usr/bin/env bash
# Ingestion load on comb server: agents posting Falco JSON alerts to
# POST /api/v1/nodes/NODE/alert, each request with its own X-Comb-Record-Id,
# driven by wrk (bench/server_ingest.lua) on loopback over plain HTTP with
# CONNS connections (16: the server's per-address connection limit). For
# each store — SQLite, and PostgreSQL when its binaries are installed (a
# cluster of the bench's own, started by tests/integration/lib/postgres.bash)
# — a fresh server and store, a warm-up, then DURATION seconds measured:
# events/s (alert lines stored; requests/s x LINES), p50 and p99 latency
# (wrk), and the ratio to the goal (5,000 events/s with p99 under 100 ms;
# a ratio >= 1 meets it), and the CPU time the comb server spent per 1,000
# events (steadier than rates when other work shares the machine). The
# alert lines counted in the store afterwards must be at least the requests
# answered times LINES (a few more: requests still in flight when wrk
# stopped counting).
#
# usage: bench/server.sh
# env:   COMB (default build/comb), BENCH_SECONDS (default 10),
#        BENCH_CONNS (default 16), BENCH_LINES (alerts per request, default 1)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
DURATION=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-16}
LINES=${BENCH_LINES:-1}
GOAL_EPS=5000
GOAL_P99_MS=100
PY=/usr/bin/python3
log() { printf '[bench] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { echo "bench: wrk not installed (scripts/setup installs it)" >&2; exit 1; }
[ -x "$COMB" ] || { echo "bench: comb binary not found at $COMB (set COMB)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/comb-bench-server.XXXXXX)
PIDS=()
source "$SRC/tests/integration/lib/postgres.bash"
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  postgres_cleanup
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_comb NAME [store options...]: a server with an operator "bench"; sets PORT, PID, TOKEN
start_comb() {
  local name=$1; shift
  echo "pw-bench-secret" | "$COMB" server useradd --data "$TMP/$name" "$@" --role operator bench >&2
  PORT=$(free_port)
  "$COMB" server --data "$TMP/$name" "$@" --listen "127.0.0.1:$PORT" --rate 1000000 2>"$TMP/$name.err" & PID=$!
  PIDS+=("$PID")
  for _ in $(seq 100); do grep -q 'listening on' "$TMP/$name.err" && break; sleep 0.1; done
  grep -q 'listening on' "$TMP/$name.err" || { echo "bench: $name server: $(cat "$TMP/$name.err")" >&2; exit 1; }
  TOKEN=$(curl -s -u bench:pw-bench-secret -X POST "http://127.0.0.1:$PORT/api/v1/tokens" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}

# wrk's latency ("3.61ms", "812.00us", "1.02s") in milliseconds
to_ms() { awk '{v=$1+0; if ($1 ~ /us$/) v/=1000; else if ($1 ~ /ms$/) v=v; else if ($1 ~ /s$/) v*=1000; printf "%.2f", v}'; }

# run_one NAME [store options...]: prints "events/s p50_ms p99_ms non201 stored expected"
run_one() {
  local name=$1; shift
  start_comb "$name" "$@"
  export TOKEN LINES NODE=node-bench
  RUN=warm wrk -t2 -c"$CONNS" -d2s -s "$SRC/bench/server_ingest.lua" "http://127.0.0.1:$PORT/" >"$TMP/$name.warm"
  local cpu0; cpu0=$(cpu_ticks "$PID")
  RUN=measured wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$SRC/bench/server_ingest.lua" \
    "http://127.0.0.1:$PORT/" >"$TMP/$name.wrk"
  local cpu=$(($(cpu_ticks "$PID") - cpu0))
  local total non2xx rps p50 p99 stored
  total=$(awk '/requests in/ {print $1}' "$TMP/$name.wrk")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$TMP/$name.wrk"); non2xx=${non2xx:-0}
  rps=$(awk '/^Requests\/sec/ {print $2}' "$TMP/$name.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$TMP/$name.wrk" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/$name.wrk" | to_ms)
  # every alert line of the warm-up and the measured run, counted by the server
  stored=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/nodes" |
    $PY -c 'import json,sys; print(sum(n["records"].get("alert", 0) for n in json.load(sys.stdin)))')
  local warm; warm=$(awk '/requests in/ {print $1}' "$TMP/$name.warm")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  awk -v r="$rps" -v l="$LINES" -v p50="$p50" -v p99="$p99" -v n="$non2xx" -v s="$stored" -v t="$total" \
      -v w="$warm" -v cpu="$cpu" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.0f %s %s %s %s %d %.1f\n", r * l, p50, p99, n, s, (t + w) * l, cpu * 1000 / hz / (t * l / 1000)}'
}

# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

log "comb: $COMB; wrk, $CONNS connections, $DURATION s, $LINES alert(s) a request; $(nproc) CPUs"
BACKENDS=(sqlite)
if start_postgres >"$TMP/pg.log" 2>&1; then
  BACKENDS+=(postgresql)
  log "PostgreSQL: $("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT (cluster of the bench's own)"
else
  log "PostgreSQL not measured: $(cat "$TMP/pg.log")"
fi
printf '%-11s %9s %7s %8s %8s %7s %8s %14s %s\n' store events/s x_goal p50_ms p99_ms x_goal non-201 cpu_ms/1k_ev "stored/answered"
for b in "${BACKENDS[@]}"; do
  if [ "$b" = sqlite ]; then read -r eps p50 p99 bad stored want cpu < <(run_one sqlite)
  else read -r eps p50 p99 bad stored want cpu < <(run_one postgresql --db "$PG_URL"); fi
  awk -v b="$b" -v e="$eps" -v p50="$p50" -v p99="$p99" -v bad="$bad" -v s="$stored" -v w="$want" -v cpu="$cpu" \
      -v ge="$GOAL_EPS" -v gp="$GOAL_P99_MS" \
    'BEGIN {printf "%-11s %9d %7.2f %8.2f %8.2f %7.2f %8d %14.1f %d/%d%s\n", b, e, e / ge, p50, p99,
            (p99 > 0 ? gp / p99 : 0), bad, cpu, s, w, (s < w ? " LOST" : "")}'
done
log "x_goal: events/s / $GOAL_EPS and $GOAL_P99_MS ms / p99; >= 1 meets the goal"

if [ -x bench/console_graph.sh ]; then bench/console_graph.sh; fi
