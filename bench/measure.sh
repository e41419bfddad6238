#!/usr/bin/env bash
# bench/measure.sh - timing with GNU time (sourced by bench/lib.sh and bench/pull.sh).
# Expects RUNS, TMP and PY from the caller.

# measure LABEL CMD... : RUNS runs; prints "median_seconds peak_rss_kb exit" (exit of the last run)
measure() {
  local label=$1; shift
  local i rc=0 t0 t1
  : >"$TMP/$label.times"; : >"$TMP/$label.rss"
  for ((i = 0; i < RUNS; i++)); do
    rm -rf "$TMP/trivy-cache"; mkdir -p "$TMP/trivy-cache"
    t0=$(date +%s.%N)
    set +e
    /usr/bin/time -f '%M' -o "$TMP/$label.t" "$@" >"$TMP/$label.out" 2>"$TMP/$label.err"
    rc=$?
    set -e
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}' >>"$TMP/$label.times"
    tail -n1 "$TMP/$label.t" >>"$TMP/$label.rss"
    [ "$rc" = 0 ] || break
  done
  $PY - "$TMP/$label.times" "$TMP/$label.rss" "$rc" <<'PYEOF'
import statistics, sys
t = [float(x) for x in open(sys.argv[1]) if x.strip()]
r = [int(x) for x in open(sys.argv[2]) if x.strip().isdigit()]
print("%.3f %d %s" % (statistics.median(t) if t else -1, max(r) if r else 0, sys.argv[3]))
PYEOF
}

