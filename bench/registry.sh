#!/usr/bin/env bash
# Push and pull through comb's registry and Docker's reference registry
# (Debian's docker-registry), side by side in one run: the same client
# (skopeo), the same images, fresh storage for each server. For every image:
# the median push time (OCI layout -> an empty registry) and pull time
# (registry -> a new OCI layout directory) over BENCH_RUNS runs, throughput in MB/s of
# blob bytes, and each server's peak resident memory (VmHWM) over the run.
#
# usage: bench/registry.sh [OCI_LAYOUT:TAG ...]
#        default: the debian12 fixture (build/fixtures/debian12/oci:bookworm)
#        and the big bench image when bench/big_image.sh has made it
# env:   COMB (default build/comb), BENCH_RUNS (default 3)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
RUNS=${BENCH_RUNS:-3}
PY=/usr/bin/python3
log() { printf '[bench] %s\n' "$*" >&2; }
for t in skopeo docker-registry; do
  command -v "$t" >/dev/null || { echo "bench: $t not installed (scripts/setup installs it)" >&2; exit 1; }
done
[ -x "$COMB" ] || { echo "bench: comb binary not found at $COMB (set COMB)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/comb-bench-registry.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

IMAGES=("$@")
if [ ${#IMAGES[@]} = 0 ]; then
  [ -d "$SRC/build/fixtures/debian12/oci" ] && IMAGES+=("$SRC/build/fixtures/debian12/oci:bookworm")
  BIG=$HOME/.cache/comb-bench/images/debian12-big.tar
  if [ -f "$BIG" ]; then
    skopeo copy -q "docker-archive:$BIG" "oci:$TMP/big:big" && IMAGES+=("$TMP/big:big")
  fi
fi
[ ${#IMAGES[@]} -gt 0 ] || { echo "bench: no image (build the fixtures or pass OCI_LAYOUT:TAG)" >&2; exit 1; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; return 1; }

start_docker_registry() { # sets ADDR, PID
  local port dir
  port=$(free_port); dir="$TMP/dr-$port"; mkdir -p "$dir/data"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$dir/data" "$port" >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 & PID=$!
  PIDS+=("$PID"); ADDR=127.0.0.1:$port
  wait_up "$ADDR"
}
start_comb_registry() {
  local dir="$TMP/comb-$RANDOM"; mkdir -p "$dir"
  "$COMB" registry serve --root "$dir" --listen 127.0.0.1:0 >"$dir.out" 2>"$dir.err" & PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 100); do grep -q '^listening on' "$dir.out" 2>/dev/null && break; sleep 0.1; done
  ADDR=$(sed -n 's/^listening on //p' "$dir.out")
  wait_up "$ADDR"
}
blob_bytes() { # OCI_LAYOUT:TAG -> bytes of config and layers
  skopeo inspect --raw "oci:$1" | $PY -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["size"] + sum(l["size"] for l in m["layers"]))'
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>>"$TMP/errors" || return 1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}'; }

# one server kind, one image: prints "push_s pull_s peak_kb"; a fresh server
# and storage for every run, so each push uploads every blob
run_one() { # kind image
  local kind=$1 img=$2 i push=() pull=() hwm=0 h
  for ((i = 0; i < RUNS; i++)); do
    "start_${kind}"
    push+=("$(timed skopeo copy -q --dest-tls-verify=false "oci:$img" "docker://$ADDR/bench/img:1")")
    rm -rf "$TMP/back"
    pull+=("$(timed skopeo copy -q --src-tls-verify=false "docker://$ADDR/bench/img:1" "oci:$TMP/back:x")")
    h=$(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")
    [ "$h" -gt "$hwm" ] && hwm=$h
    kill "$PID"; wait "$PID" 2>/dev/null || true
  done
  echo "$(printf '%s\n' "${push[@]}" | median) $(printf '%s\n' "${pull[@]}" | median) $hwm"
}

printf '%-22s %-16s %9s %9s %9s %9s %10s\n' image registry push_s push_MB/s pull_s pull_MB/s peak_RSS_MB
for img in "${IMAGES[@]}"; do
  bytes=$(blob_bytes "$img")
  name=$(basename "${img%%:*}"); [ "$name" = oci ] && name=$(basename "$(dirname "${img%%:*}")")
  read -r dp dl dm <<<"$(run_one docker_registry "$img")"
  read -r cp cl cm <<<"$(run_one comb_registry "$img")"
  for row in "docker-registry $dp $dl $dm" "comb $cp $cl $cm"; do
    read -r who p l m <<<"$row"
    awk -v n="$name" -v w="$who" -v p="$p" -v l="$l" -v m="$m" -v b="$bytes" 'BEGIN {
      printf "%-22s %-16s %9.3f %9.1f %9.3f %9.1f %10.1f\n", n, w, p, b / p / 1e6, l, b / l / 1e6, m / 1024 }'
  done
  awk -v n="$name" -v dp="$dp" -v cp="$cp" -v dl="$dl" -v cl="$cl" -v dm="$dm" -v cm="$cm" 'BEGIN {
    printf "%-22s comb/docker-registry: push time x%.2f, pull time x%.2f, memory x%.2f\n", n, cp / dp, cl / dl, cm / dm }'
done
[ -s "$TMP/errors" ] && { log "client errors:"; cat "$TMP/errors" >&2; }
exit 0
