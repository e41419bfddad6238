#!/usr/bin/env bash
# The cost of `comb watch` on a syscall-heavy workload: a tight
# open/read/close loop (BENCH_ITER iterations of openat+read+close on
# /etc/hostname, a C program built here) timed without the sensor and with
# `comb watch` running, BENCH_RUNS times each; prints the median times, the
# slowdown ratio, events per second through the sensor and the ring drops.
#
# usage: bench/watch.sh [RULES...]   (default: comb's built-in rules, which
#                                    capture open/openat/openat2 among others)
# env:   COMB (default build/comb), BENCH_RUNS (default 5), BENCH_ITER (default 1000000)
# Needs root (BPF). Other processes on the machine add to the sensor's load.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
RUNS=${BENCH_RUNS:-5}
ITER=${BENCH_ITER:-1000000}
log() { printf '[bench] %s\n' "$*" >&2; }
[ -x "$COMB" ] || { echo "bench: comb binary not found at $COMB (set COMB)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/comb-bench-watch.XXXXXX)
WATCH=
cleanup() { [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

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

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
runs() { for ((i = 0; i < RUNS; i++)); do "$TMP/loop" "$ITER"; done | median; }

log "baseline: $RUNS runs of $ITER open/read/close"
BASE=$(runs)

ARGS=()
for r in "$@"; do ARGS+=(-r "$r"); done
: >"$TMP/watch.err"
"$COMB" watch -q "${ARGS[@]}" -o /dev/null 2>"$TMP/watch.err" &
WATCH=$!
while ! grep -q 'comb: watch: ready' "$TMP/watch.err"; do
  kill -0 "$WATCH" 2>/dev/null || { cat "$TMP/watch.err" >&2; exit 1; }
  sleep 0.2
done
log "with comb watch: $(grep ready "$TMP/watch.err")"
T0=$(date +%s.%N)
WITH=$(runs)
T1=$(date +%s.%N)
kill -INT "$WATCH"; wait "$WATCH" || true; WATCH=
STATS=$(grep -E '^comb: watch: [0-9]+ events' "$TMP/watch.err" | sed 's/^comb: watch: //')
EVENTS=$(sed -E 's/^([0-9]+) events.*/\1/' <<<"$STATS")
RECORDS=$(sed -E 's/.*ring: ([0-9]+) records.*/\1/' <<<"$STATS")
DROPS=$(sed -E 's/.*records, ([0-9]+) drops.*/\1/' <<<"$STATS")

awk -v base="$BASE" -v with="$WITH" -v iter="$ITER" -v t0="$T0" -v t1="$T1" \
    -v ev="$EVENTS" -v rec="$RECORDS" -v drops="$DROPS" 'BEGIN {
  printf "open/read/close x %d: %.3f s without, %.3f s with comb watch: x%.2f (%.2f us -> %.2f us per iteration)\n",
    iter, base, with, with / base, base / iter * 1e6, with / iter * 1e6
  printf "sensor while the loop ran: %d ring records, %d events evaluated, %.0f events/s, %d drops (%.2f%%)\n",
    rec, ev, ev / (t1 - t0), drops, rec + drops ? 100 * drops / (rec + drops) : 0
}'
log "counters: $STATS"
