#!/usr/bin/env bash
# Benchmark pulling from a registry: time for `comb sbom` and `comb scan` of an image straight from
# a loopback registry (Debian's docker-registry, plain HTTP) against `skopeo copy docker://... dir:`
# of the same image, which only downloads and writes it. comb streams every layer into the
# analyzers while it downloads, so the goal is comb <= copy.
#
# usage: bench/pull.sh [IMAGE...]     docker-archive or OCI archive files; default: alpine-310
#                                     (shared data), the Debian 12 fixture, and the bigger Debian
#                                     image of bench/sbom.sh when it is in the cache
# env:   COMB (default build-fix/comb, else build/comb), BENCH_RUNS (default 5),
#        BENCH_CACHE (default ~/.cache/comb-bench), COMB_FIXTURES, COMB_SHARED
# needs: docker-registry, skopeo, GNU time (/usr/bin/time), python3
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$HOME/.cache/comb-bench}
RUNS=${BENCH_RUNS:-5}
FIX=${COMB_FIXTURES:-$SRC/build/fixtures}
SHARED=${COMB_SHARED:-$SRC/../shared}
PY=/usr/bin/python3
if [ -z "${COMB:-}" ]; then
  for c in "$SRC/build-fix/comb" "$SRC/build/comb"; do [ -x "$c" ] && COMB=$c && break; done
fi
[ -x "${COMB:-}" ] || { echo "bench: comb binary not found (set COMB)" >&2; exit 1; }
for t in docker-registry skopeo /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/setup)" >&2; exit 1; }
done
log() { printf '[bench] %s\n' "$*" >&2; }

IMAGES=("$@")
if [ ${#IMAGES[@]} -eq 0 ]; then
  IMAGES=("$SHARED/data/images/alpine-310.tar.gz")
  [ -s "$FIX/debian12/docker-archive.tar" ] && IMAGES+=("$FIX/debian12/docker-archive.tar")
  [ -s "$CACHE/images/debian12-big.tar" ] && IMAGES+=("$CACHE/images/debian12-big.tar")
fi

TMP=$(mktemp -d /tmp/comb-bench-pull.XXXXXX)
REG_PID=""
trap '[ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
. "$SRC/bench/measure.sh"

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$TMP/registry"
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
  "$TMP/registry" "$port" >"$TMP/registry.yml"
docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
REG=127.0.0.1:$port
log "docker-registry at $REG; $RUNS runs each"

ROWS="$TMP/rows"; : >"$ROWS"
n=0
for img in "${IMAGES[@]}"; do
  name=$(basename "$img"); n=$((n + 1)); ref="$REG/bench$n:latest"
  src="$img"
  if [ "$(head -c 2 "$img" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then   # skopeo reads plain tars only
    gzip -dc "$img" >"$TMP/plain$n.tar"; src="$TMP/plain$n.tar"; fi
  skopeo copy -q --dest-tls-verify=false "docker-archive:$src" "docker://$ref" >/dev/null
  rm -f "$TMP/plain$n.tar"
  log "$name pushed as $ref"
  read -r k_s k_kb k_rc < <(measure copy bash -c 'rm -rf "$1"; skopeo copy -q --src-tls-verify=false "docker://$2" "dir:$1"' _ "$TMP/copy" "$ref")
  bytes=$(du -sb "$TMP/copy" 2>/dev/null | cut -f1 || echo 0)
  # the same image as an OCI layout on disk: what streaming from the registry adds, if anything
  rm -rf "$TMP/oci"; skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$TMP/oci:latest" >/dev/null
  read -r l_s l_kb l_rc < <(measure local "$COMB" sbom -q -f json -o "$TMP/local.json" "$TMP/oci")
  rm -rf "$TMP/oci"
  read -r s_s s_kb s_rc < <(measure sbom "$COMB" sbom --insecure -q -f json -o "$TMP/sbom.json" "$ref")
  read -r c_s c_kb c_rc < <(measure scan "$COMB" scan --insecure -q --no-cache --scanners secret,config -f json -o "$TMP/scan.json" "$ref")
  [ "$s_rc" = 0 ] || log "comb sbom failed on $name: $(head -c 300 "$TMP/sbom.err")"
  [ "$c_rc" = 0 ] || log "comb scan failed on $name: $(head -c 300 "$TMP/scan.err")"
  [ "$k_rc" = 0 ] || log "skopeo copy failed on $name: $(head -c 300 "$TMP/copy.err")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$bytes" "$k_s" "$s_s" "$c_s" "$k_rc" "$s_rc" "$c_rc" "$s_kb" "$c_kb" "$l_s" "$l_rc" >>"$ROWS"
done

$PY - "$ROWS" "$RUNS" <<'PYEOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print()
print("median of %s runs from a loopback docker-registry; copy = skopeo copy docker://REF dir:DIR" % sys.argv[2])
print("(download + write only); comb sbom / comb scan --scanners secret,config stream the layers into")
print("the analyzers, no layer cache. ratio = comb / copy (goal: <= 1.0). local s = comb sbom of the")
print("same image as an OCI layout on disk: remote/local near 1.0 means streaming adds nothing, and")
print("what comb needs beyond the copy is decompression and analysis, which the copy does not do")
h = ("image", "MB", "copy s", "sbom s", "scan s", "local s", "sbom/copy", "scan/copy", "remote/local", "sbom peak MB", "scan peak MB")
w = [max(len(h[0]), *(len(r[0]) for r in rows))] + [len(x) for x in h[1:]]
print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(h)))
for name, b, k, s, c, krc, src, crc, skb, ckb, loc, lrc in rows:
    ok = lambda rc, v: ("%.3f" % float(v)) if rc == "0" else "FAIL"
    ratio = lambda rc, v: ("%.2f" % (float(v) / float(k))) if rc == "0" and krc == "0" and float(k) > 0 else "-"
    rl = ("%.2f" % (float(s) / float(loc))) if src == "0" and lrc == "0" and float(loc) > 0 else "-"
    vals = (name, "%.1f" % (int(b) / 1e6), ok(krc, k), ok(src, s), ok(crc, c), ok(lrc, loc), ratio(src, s), ratio(crc, c), rl,
            "%.1f" % (int(skb) / 1024) if src == "0" else "FAIL", "%.1f" % (int(ckb) / 1024) if crc == "0" else "FAIL")
    print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(vals)))
PYEOF
