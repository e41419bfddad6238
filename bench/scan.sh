#!/usr/bin/env bash
# Benchmark `comb db import` and `comb scan`, side by side in one run:
#  - import time and database size for all advisories in ../shared/data;
#  - lookups per second (bench_lookups);
#  - per image: a cold `comb scan` (empty layer cache), a warm rescan (cache
#    filled), and Trivy producing only an SBOM of the same image — Trivy has
#    no vulnerability database offline, so comb's full scan is held against
#    Trivy's inventory step alone; peak memory of each.
# Goals (issue 3): cold scan 10x faster than Trivy's SBOM step, warm rescan
# under 50 ms, scan memory under 100 MB.
#
# usage: bench/scan.sh [IMAGE...]   env: COMB, BENCH_RUNS (5), BENCH_CACHE, COMB_FIXTURES, COMB_SHARED
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$HOME/.cache/comb-bench}
RUNS=${BENCH_RUNS:-5}
FIX=${COMB_FIXTURES:-$SRC/build/fixtures}
SHARED=${COMB_SHARED:-$SRC/../shared}
PY=/usr/bin/python3
COMB=${COMB:-$SRC/build/comb}
LOOKUPS=$(dirname "$COMB")/bench_lookups
[ -x "$COMB" ] || { echo "bench: comb binary not found (set COMB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing: apt-get install time" >&2; exit 1; }
mkdir -p "$CACHE"
log() { printf '[bench] %s\n' "$*" >&2; }
TMP=$(mktemp -d /tmp/comb-bench-scan.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/bench/lib.sh"

IMAGES=("$@")
if [ ${#IMAGES[@]} -eq 0 ]; then
  IMAGES=("$SHARED/data/images/alpine-310.tar.gz" "$SHARED/data/images/alpine-311.tar.gz")
  for f in "$FIX/debian12/docker-archive.tar" "$FIX/lang/docker-archive.tar" "$CACHE/images/debian12-big.tar"; do
    [ -s "$f" ] && IMAGES+=("$f")
  done
fi

DB="$TMP/vuln.db"
log "importing all of $SHARED/data into a fresh database"
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$TMP/import.rss" "$COMB" db import -q --db "$DB" \
  "$SHARED/data/osv" "$SHARED/data/advisories" >"$TMP/import.out"
t1=$(date +%s.%N)
import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
db_mb=$(du -k "$DB" | awk '{printf "%.1f", $1 / 1024}')
lookups="-"
[ -x "$LOOKUPS" ] && lookups=$("$LOOKUPS" "$DB" 2)

ROWS="$TMP/rows"; : >"$ROWS"
for img in "${IMAGES[@]}"; do
  name=$(basename "$img")
  log "$name: cold and warm comb scans, trivy SBOM ($RUNS runs each)"
  # cold: a new, empty layer cache every run
  read -r cold_s cold_kb cold_rc < <(measure cold bash -c 'rm -rf "$1"; exec "$2" scan -q --db "$3" --cache-dir "$1" -f json -o "$4" "$5"' \
                                      _ "$TMP/lc-cold" "$COMB" "$DB" "$TMP/cold.json" "$img")
  "$COMB" scan -q --db "$DB" --cache-dir "$TMP/lc-warm" -f json -o /dev/null "$img" || true
  read -r warm_s warm_kb warm_rc < <(measure warm "$COMB" scan -q --db "$DB" --cache-dir "$TMP/lc-warm" -f json -o "$TMP/warm.json" "$img")
  read -r t_s t_kb t_rc < <(measure trivy "$TRIVY" image --cache-dir "$TMP/trivy-cache" --input "$img" \
                              "${TRIVY_FLAGS[@]}" -o "$TMP/trivy.cdx.json")
  if [ "$t_rc" != 0 ] && grep -q 'Java DB\|java-db' "$TMP/trivy.err"; then
    read -r t_s t_kb t_rc < <(measure trivy "$TRIVY" image --cache-dir "$TMP/trivy-cache" --input "$img" \
                                "${TRIVY_FLAGS[@]}" --skip-files '**/*.jar,**/*.war,**/*.ear' -o "$TMP/trivy.cdx.json")
    name="$name (trivy: no jars)"
  fi
  findings=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d.get("findings", d.get("vulnerabilities", []))))' "$TMP/cold.json" 2>/dev/null || echo "?")
  same=$($PY -c 'import json,sys; a,b=(json.load(open(x)) for x in sys.argv[1:3]); print("yes" if a.get("findings")==b.get("findings") else "NO")' "$TMP/cold.json" "$TMP/warm.json" 2>/dev/null || echo "?")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$cold_s" "$warm_s" "$t_s" "$cold_kb" \
    "$warm_kb" "$t_kb" "$cold_rc$warm_rc" "$t_rc" "$findings" "$same" "$(du -k "$img" | cut -f1)" >>"$ROWS"
done

echo
echo "database: import of all ../shared/data advisories ${import_s} s, $db_mb MB on disk, import peak $(( $(tail -n1 "$TMP/import.rss") / 1024 )) MB"
sed 's/^/  /' "$TMP/import.out" | grep -E 'records|affected|rejected|withdrawn' || true
echo "lookups: $lookups"
$PY - "$ROWS" "$RUNS" <<'PYEOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print()
print("median of %s runs; cold = empty layer cache, warm = rescan with the cache; trivy = SBOM only" % sys.argv[2])
h = ("image", "size MB", "cold s", "warm ms", "trivy s", "trivy/cold", "cold MB", "warm MB", "trivy MB", "findings", "warm==cold")
w = [max(len(h[0]), *(len(r[0]) for r in rows))] + [len(x) for x in h[1:]]
print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(h)))
for r in rows:
    name, cs, ws, ts, ckb, wkb, tkb, crc, trc, nf, same, kb = r
    ok = crc == "00"
    tok = trc == "0"
    vals = (name, "%.1f" % (int(kb) / 1024), "%.3f" % float(cs) if ok else "FAIL",
            "%.0f" % (float(ws) * 1000) if ok else "FAIL", "%.3f" % float(ts) if tok else "FAIL",
            ("%.1fx" % (float(ts) / float(cs))) if ok and tok and float(cs) > 0 else "-",
            "%.1f" % (int(ckb) / 1024), "%.1f" % (int(wkb) / 1024), "%.1f" % (int(tkb) / 1024) if tok else "-",
            nf, same)
    print("  ".join(x.ljust(w[i]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(vals)))
PYEOF
