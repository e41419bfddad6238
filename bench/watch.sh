#!/usr/bin/env bash
# The cost of `comb watch`, side by side in one run, on three workloads:
#   loop  a tight open/read/close loop (BENCH_ITER iterations of openat+read+
#         close on /etc/hostname, a C program built here), BENCH_RUNS times
#         without and with the sensor: median times and the slowdown ratio;
#   http  an HTTP server (a small epoll keep-alive server built here) under
#         wrk load on loopback for BENCH_HTTP_SECONDS, without and with the
#         sensor: requests per second and their ratio;
#   soak  BENCH_SOAK_SECONDS (default 60; the goal is stated for 600) of
#         short-lived processes (and, with podman, short-lived containers)
#         started and stopped while the sensor runs: comb's resident memory
#         sampled every 5 s, first vs last vs peak.
# For each phase it prints events per second through the sensor, ring drops,
# and comb's CPU (user+system seconds over wall seconds) and peak memory.
#
# usage: bench/watch.sh [RULES...]   (default: comb's built-in rules, which
#                                    capture open/openat/openat2 among others;
#                                    bench/watch-never.yaml: attached, nothing
#                                    captured, the fixed cost)
# env:   COMB (default build/comb), BENCH_RUNS (5), BENCH_ITER (1000000),
#        BENCH_HTTP_SECONDS (10), BENCH_SOAK_SECONDS (60), BENCH_PHASES
#        ("loop http soak"), BENCH_CONTAINERS (1: use podman in the soak)
# Needs root (BPF). Other processes on the machine add to the sensor's load.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
RUNS=${BENCH_RUNS:-5}
ITER=${BENCH_ITER:-1000000}
HTTP_SECONDS=${BENCH_HTTP_SECONDS:-10}
SOAK_SECONDS=${BENCH_SOAK_SECONDS:-60}
PHASES=${BENCH_PHASES:-loop http soak}
CONTAINERS=${BENCH_CONTAINERS:-1}
log() { printf '[bench] %s\n' "$*" >&2; }
[ -x "$COMB" ] || { echo "bench: comb binary not found at $COMB (set COMB)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/comb-bench-watch.XXXXXX)
WATCH= SERVER=
cleanup() {
  [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
RULE_ARGS=()
for r in "$@"; do RULE_ARGS+=(-r "$r"); done
TICK=$(getconf CLK_TCK)

# ---- the sensor: start, CPU and memory readings, stop with its counters
start_watch() {
  : >"$TMP/watch.err"
  "$COMB" watch -q "${RULE_ARGS[@]}" -o /dev/null 2>"$TMP/watch.err" &
  WATCH=$!
  while ! grep -q 'comb: watch: ready' "$TMP/watch.err"; do
    kill -0 "$WATCH" 2>/dev/null || { cat "$TMP/watch.err" >&2; exit 1; }
    sleep 0.2
  done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$WATCH/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$WATCH/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$WATCH/status"; }
# stop_watch T0 T1 TICKS0 TICKS1: stops comb and prints its line for the phase
stop_watch() {
  local hwm stats events records drops
  hwm=$(hwm_kb)
  kill -INT "$WATCH"; wait "$WATCH" || true; WATCH=
  stats=$(grep -E '^comb: watch: [0-9]+ events' "$TMP/watch.err" | sed 's/^comb: watch: //')
  events=$(sed -E 's/^([0-9]+) events.*/\1/' <<<"$stats")
  records=$(sed -E 's/.*ring: ([0-9]+) records.*/\1/' <<<"$stats")
  drops=$(sed -E 's/.*records, ([0-9]+) drops.*/\1/' <<<"$stats")
  awk -v t0="$1" -v t1="$2" -v c0="$3" -v c1="$4" -v tick="$TICK" -v hwm="$hwm" \
      -v ev="$events" -v rec="$records" -v drops="$drops" 'BEGIN {
    printf "  sensor: %d ring records, %d events evaluated, %.0f events/s, %d drops (%.2f%%); comb CPU %.0f%% of a core, peak RSS %.1f MB\n",
      rec, ev, ev / (t1 - t0), drops, rec + drops ? 100 * drops / (rec + drops) : 0,
      100 * (c1 - c0) / tick / (t1 - t0), hwm / 1024
  }'
  log "counters: $stats"
}
now() { date +%s.%N; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# ---- phase 1: open/read/close loop
phase_loop() {
  cat >"$TMP/loop.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    char buf[256];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd < 0 || read(fd, buf, sizeof buf) < 0) return 1;
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
EOF
  gcc -O2 -o "$TMP/loop" "$TMP/loop.c"
  runs() { for ((i = 0; i < RUNS; i++)); do "$TMP/loop" "$ITER"; done | median; }
  log "loop: baseline, $RUNS runs of $ITER open/read/close"
  local base with t0 t1 c0 c1
  base=$(runs)
  start_watch
  log "loop: with comb watch"
  t0=$(now); c0=$(cpu_ticks)
  with=$(runs)
  t1=$(now); c1=$(cpu_ticks)
  awk -v base="$base" -v with="$with" -v iter="$ITER" 'BEGIN {
    printf "loop  open/read/close x %d: %.3f s without, %.3f s with comb watch: x%.2f (%.2f us -> %.2f us per iteration), throughput %.1f%%\n",
      iter, base, with, with / base, base / iter * 1e6, with / iter * 1e6, 100 * base / with
  }'
  stop_watch "$t0" "$t1" "$c0" "$c1"
}

# ---- phase 2: HTTP server under wrk load on loopback
phase_http() {
  command -v wrk >/dev/null || { log "http: wrk not installed (scripts/setup installs it); skipped"; return 0; }
  cat >"$TMP/httpd.c" <<'EOF'
#define _GNU_SOURCE
/* A minimal keep-alive HTTP/1.1 server: one thread, epoll, a fixed page. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
static const char page[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 612\r\n\r\n";
int main(int argc, char **argv)
{
    char resp[1024], body[613], buf[8192];
    memset(body, 'x', 612); body[612] = 0;
    int rlen = snprintf(resp, sizeof resp, "%s%s", page, body);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 512)) { perror("bind"); return 1; }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, evs[64];
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) { close(fd); continue; }
            /* one response per request head in what was read */
            for (char *p = buf; (p = memmem(p, (size_t)(buf + r - p), "\r\n\r\n", 4)); p += 4)
                if (write(fd, resp, (size_t)rlen) < 0) break;
        }
    }
}
EOF
  gcc -O2 -Wall -Werror -o "$TMP/httpd" "$TMP/httpd.c"
  local port=18080
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  "$TMP/httpd" "$port" & SERVER=$!
  sleep 0.3
  wrk_rps() { wrk -t1 -c32 -d"${HTTP_SECONDS}s" "http://127.0.0.1:$port/" | awk '/^Requests\/sec:/ {print $2}'; }
  log "http: baseline, wrk -t1 -c32 for ${HTTP_SECONDS}s"
  local base with t0 t1 c0 c1
  base=$(wrk_rps)
  start_watch
  log "http: with comb watch"
  t0=$(now); c0=$(cpu_ticks)
  with=$(wrk_rps)
  t1=$(now); c1=$(cpu_ticks)
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  awk -v base="$base" -v with="$with" 'BEGIN {
    printf "http  wrk on loopback: %.0f req/s without, %.0f req/s with comb watch: throughput %.1f%%\n",
      base, with, 100 * with / base
  }'
  stop_watch "$t0" "$t1" "$c0" "$c1"
}

# ---- phase 3: memory over a run of short-lived processes and containers
phase_soak() {
  local image=
  if [ "$CONTAINERS" = 1 ] && command -v podman >/dev/null && [ -x /bin/busybox ]; then
    mkdir -p "$TMP/rootfs/bin"
    cp /bin/busybox "$TMP/rootfs/bin/"
    ln -s busybox "$TMP/rootfs/bin/sh"; ln -s busybox "$TMP/rootfs/bin/true"
    image=localhost/comb-bench-soak:latest
    tar -C "$TMP/rootfs" -c . | podman import - "$image" >/dev/null
  fi
  start_watch
  local t0 t1 c0 c1 end procs=0 ctrs=0 first= last peak=0 r
  t0=$(now); c0=$(cpu_ticks)
  end=$(( $(date +%s) + SOAK_SECONDS ))
  log "soak: ${SOAK_SECONDS}s of short-lived processes${image:+ and containers}"
  : >"$TMP/rss"
  (while [ "$(date +%s)" -lt "$end" ]; do
     for i in $(seq 200); do /bin/true; done
     echo 200 >>"$TMP/procs"
   done) &
  local spawner=$!
  local ctr_loop=
  if [ -n "$image" ]; then
    (while [ "$(date +%s)" -lt "$end" ]; do
       podman run --rm --runtime runc --ulimit nofile=1024:20000 --ulimit nproc=1024:1024 \
         --network none "$image" /bin/true >/dev/null 2>&1 && echo 1 >>"$TMP/ctrs"
     done) &
    ctr_loop=$!
  fi
  while [ "$(date +%s)" -lt "$end" ]; do
    r=$(rss_kb); echo "$r" >>"$TMP/rss"
    [ -n "$first" ] || first=$r
    sleep 5
  done
  wait "$spawner"; [ -n "$ctr_loop" ] && wait "$ctr_loop"
  last=$(rss_kb); echo "$last" >>"$TMP/rss"
  t1=$(now); c1=$(cpu_ticks)
  procs=$(awk '{s += $1} END {print s + 0}' "$TMP/procs" 2>/dev/null || echo 0)
  ctrs=$(awk '{s += $1} END {print s + 0}' "$TMP/ctrs" 2>/dev/null || echo 0)
  peak=$(sort -n "$TMP/rss" | tail -n1)
  [ -n "$image" ] && podman rmi -f "$image" >/dev/null 2>&1
  awk -v s="$SOAK_SECONDS" -v p="$procs" -v c="$ctrs" -v f="$first" -v l="$last" -v pk="$peak" 'BEGIN {
    printf "soak  %d s, %d processes and %d containers started and stopped: comb RSS %.1f MB at start, %.1f MB at end, %.1f MB peak (%+.1f%%)\n",
      s, p, c, f / 1024, l / 1024, pk / 1024, 100 * (l - f) / f
  }'
  stop_watch "$t0" "$t1" "$c0" "$c1"
}

for p in $PHASES; do
  case $p in
    loop) phase_loop ;; http) phase_http ;; soak) phase_soak ;;
    *) echo "bench: unknown phase $p" >&2; exit 2 ;;
  esac
done
