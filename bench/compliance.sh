#!/usr/bin/env bash
# Benchmark `comb bench`: wall time of a whole `comb bench all` run on this
# machine (live host: processes, /proc/sys, podman's store), with its
# containers as they are, then with 10 extra running podman containers, and
# offline on the fixture roots (--root). Prints median / min / max of RUNS
# runs and peak memory. Goal (issue 5): a whole live run under 0.5 s.
#
# usage: bench/compliance.sh     env: COMB (build/comb), BENCH_RUNS (20), BENCH_CONTAINERS (10)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
RUNS=${BENCH_RUNS:-20}
NCT=${BENCH_CONTAINERS:-10}
PY=/usr/bin/python3
[ -x "$COMB" ] || { echo "bench: comb binary not found (set COMB)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/comb-bench-compliance.XXXXXX)
TAG=$$
IMG=localhost/comb-bench-perf:$TAG
started=()
cleanup() {
  for c in "${started[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  podman rmi -f "$IMG" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

# measure LABEL CMD... : prints one result line
measure() {
  local label=$1; shift
  : >"$TMP/times"
  "$@" >/dev/null 2>&1 || { echo "$label: command failed: $*" >&2; return 1; } # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$TMP/err"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >>"$TMP/times"
  done
  local rss
  rss=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1)
  local results
  results=$("$@" -f json 2>/dev/null | $PY -c 'import json,sys; d=json.load(sys.stdin); print(len(d["results"]), d["host"]["containers"])')
  $PY - "$TMP/times" "$label" "$rss" "$results" <<'PY'
import statistics, sys
t = [int(x) / 1e6 for x in open(sys.argv[1]) if x.strip()]
n, c = sys.argv[4].split()
print("%-44s median %6.3f s  min %6.3f  max %6.3f  peak %6.1f MB  %5s results, %3s containers"
      % (sys.argv[2], statistics.median(t), min(t), max(t), int(sys.argv[3]) / 1024, n, c))
PY
  $PY -c 'import statistics,sys; t=[int(x)/1e6 for x in open(sys.argv[1]) if x.strip()]; sys.exit(0 if statistics.median(t) < 0.5 else 1)' "$TMP/times"
}

echo "comb bench, $RUNS runs each ($(nproc) cores, $(uname -r))"
goal=met
measure "comb bench all (live host)" "$COMB" bench all -q || goal="NOT met"

if command -v podman >/dev/null && [ "$NCT" -gt 0 ]; then
  log "starting $NCT podman containers"
  mkdir -p "$TMP/img/bin"
  cp /bin/sleep "$TMP/img/bin/"
  for lib in $(ldd /bin/sleep | grep -o '/[^ ]*'); do mkdir -p "$TMP/img$(dirname "$lib")"; cp -L "$lib" "$TMP/img$lib"; done
  tar -C "$TMP/img" -cf "$TMP/img.tar" .
  podman import "$TMP/img.tar" "$IMG" >/dev/null 2>&1
  for ((k = 0; k < NCT; k++)); do
    name=comb-bench-perf-$TAG-$k
    podman --runtime runc run -d --name "$name" --ulimit nofile=1024:20000 --ulimit nproc=1024:1024 \
      "$IMG" /bin/sleep 600 >/dev/null
    started+=("$name")
  done
  measure "comb bench all (live, +$NCT podman containers)" "$COMB" bench all -q || goal="NOT met"
fi

bash "$SRC/tests/data/compliance/build-roots.sh" "$TMP/roots" >/dev/null 2>&1 || true
if [ -d "$TMP/roots/docker-bad" ]; then
  measure "comb bench all --root docker-bad (offline)" "$COMB" bench all -q --root "$TMP/roots/docker-bad" || true
  measure "comb bench all --root containers-bad (offline)" "$COMB" bench all -q --root "$TMP/roots/containers-bad" || true
fi
echo "goal: a whole live 'comb bench all' under 0.5 s: $goal"
