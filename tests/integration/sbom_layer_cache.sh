#!/usr/bin/env bash
# The layer cache: a rescan reads no layer; an image that shares its base
# layers with a scanned one reads only its new layers; results are identical
# to an uncached scan; a damaged entry is ignored and rebuilt; the size bound
# evicts; several processes may share one cache.
. "$(dirname "$0")/lib/common.bash"
need_fixture debian12/docker-archive.tar
C="$TMP/cache"
DEB=$COMB_FIXTURES/debian12/docker-archive.tar

counts() { grep -o '[0-9]* layers read, [0-9]* from the layer cache' "$1" || echo "no cache line"; }
same_packages() { # a.json b.json
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
k = lambda d: sorted((p["type"], p["name"], p.get("version"), p.get("found_in"), p.get("layer_diff_id"))
                     for p in d["packages"])
a, b = (json.load(open(x)) for x in sys.argv[1:3])
sys.exit(0 if k(a) == k(b) and a["os"] == b["os"] else 1)
PYEOF
}
scan() { # out.json err target [extra...]
  local out=$1 err=$2 t=$3; shift 3
  "$COMB" sbom --cache-dir "$C" --format json -o "$out" "$@" "$t" 2>"$err"
}

"$COMB" sbom --format json -o "$TMP/ref.json" "$DEB"
scan "$TMP/a.json" "$TMP/a.err" "$DEB"
[ "$(counts "$TMP/a.err")" = "1 layers read, 0 from the layer cache" ] && pass "cold: the layer is read" \
  || fail "cold scan: $(counts "$TMP/a.err")"
scan "$TMP/b.json" "$TMP/b.err" "$DEB"
[ "$(counts "$TMP/b.err")" = "0 layers read, 1 from the layer cache" ] && pass "warm: nothing read" \
  || fail "warm scan: $(counts "$TMP/b.err")"
same_packages "$TMP/ref.json" "$TMP/b.json" && pass "warm result == uncached result" || fail "warm result differs"

# the same content stored another way (OCI, gzip layer) hits the same entry
scan "$TMP/c.json" "$TMP/c.err" "$COMB_FIXTURES/debian12/oci:bookworm"
[ "$(counts "$TMP/c.err")" = "0 layers read, 1 from the layer cache" ] && pass "OCI form of the same layer: from cache" \
  || fail "OCI form: $(counts "$TMP/c.err")"

# a gzip-compressed docker-archive cannot be skipped through: the first scan reads it in one
# pass and remembers its index; the next one chooses first and reads nothing; touching the
# file makes it a new archive again
GZ="$TMP/deb.tar.gz"
if [ -s "$COMB_FIXTURES/debian12/docker-archive.tar.gz" ]; then
  cp "$COMB_FIXTURES/debian12/docker-archive.tar.gz" "$GZ"
  scan "$TMP/gz1.json" "$TMP/gz1.err" "$GZ"
  [ "$(counts "$TMP/gz1.err")" = "1 layers read, 0 from the layer cache" ] && pass "compressed archive, first scan: one pass" \
    || fail "compressed archive, first scan: $(counts "$TMP/gz1.err")"
  scan "$TMP/gz.json" "$TMP/gz.err" "$GZ"
  [ "$(counts "$TMP/gz.err")" = "0 layers read, 1 from the layer cache" ] && pass "compressed archive, rescan: nothing read" \
    || fail "compressed archive, rescan: $(counts "$TMP/gz.err")"
  same_packages "$TMP/ref.json" "$TMP/gz.json" && pass "compressed archive result == uncached" || fail "compressed archive result differs"
  touch -d '2001-01-01' "$GZ"
  scan "$TMP/gz2.json" "$TMP/gz2.err" "$GZ"
  [ "$(counts "$TMP/gz2.err")" = "1 layers read, 0 from the layer cache" ] && pass "a changed archive file is read again" \
    || fail "changed archive: $(counts "$TMP/gz2.err")"
  same_packages "$TMP/ref.json" "$TMP/gz2.json" || fail "changed archive result differs"
fi

# two images sharing two base layers: the second reads only its own layer
cat >"$TMP/spec.json" <<'JSON'
{"images": [{"layers": [
  {"compression": "gzip", "entries": [{"path": "etc/os-release", "content": "ID=alpine\nVERSION_ID=3.19.1\n"},
     {"path": "lib/apk/db/installed", "content": "P:musl\nV:1.2.4-r2\nA:x86_64\n\nP:zlib\nV:1.3.1-r0\nA:x86_64\n\n"}]},
  {"compression": "gzip", "entries": [{"path": "app/node_modules/left-pad/package.json", "content": "{\"name\":\"left-pad\",\"version\":\"1.3.0\"}"}]}]}]}
JSON
$PY - "$TMP/spec.json" "$TMP/spec2.json" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["images"][0]["layers"].append({"compression": "zstd", "entries": [
    {"path": "app/node_modules/is-odd/package.json", "content": "{\"name\":\"is-odd\",\"version\":\"3.0.1\"}"}]})
json.dump(s, open(sys.argv[2], "w"))
PYEOF
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec.json" --oci "$TMP/base.oci" >/dev/null
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec2.json" --oci "$TMP/app.oci" --docker "$TMP/app.tar" >/dev/null
scan "$TMP/d.json" "$TMP/d.err" "$TMP/base.oci"
scan "$TMP/e.json" "$TMP/e.err" "$TMP/app.oci"
[ "$(counts "$TMP/e.err")" = "1 layers read, 2 from the layer cache" ] && pass "shared base layers not read again" \
  || fail "image sharing base layers: $(counts "$TMP/e.err")"
"$COMB" sbom --format json -o "$TMP/e-ref.json" "$TMP/app.oci"
same_packages "$TMP/e-ref.json" "$TMP/e.json" && pass "partly cached result == uncached result" || fail "partly cached result differs"

# a damaged entry is a miss, and is rebuilt
for f in "$C"/????????????????????????????????????????????????????????????????; do
  printf 'garbage' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
done
scan "$TMP/f.json" "$TMP/f.err" "$DEB"
[ "$(counts "$TMP/f.err")" = "1 layers read, 0 from the layer cache" ] && pass "damaged entry ignored" \
  || fail "damaged entry: $(counts "$TMP/f.err")"
same_packages "$TMP/ref.json" "$TMP/f.json" && pass "result after a damaged entry is right" || fail "result after damage differs"
scan "$TMP/g.json" "$TMP/g.err" "$DEB"
[ "$(counts "$TMP/g.err")" = "0 layers read, 1 from the layer cache" ] && pass "damaged entry rebuilt" \
  || fail "rebuild: $(counts "$TMP/g.err")"

# several processes at once on one cache
rm -rf "$C"
pids=()
for i in 1 2 3 4; do scan "$TMP/p$i.json" "$TMP/p$i.err" "$DEB" & pids+=($!); done
ok=1
for p in "${pids[@]}"; do wait "$p" || ok=0; done
for i in 1 2 3 4; do same_packages "$TMP/ref.json" "$TMP/p$i.json" || ok=0; done
[ "$ok" = 1 ] && pass "4 concurrent scans on one cache agree" || fail "concurrent scans failed or disagree"
ls "$C" | grep -q '\.tmp\.' && fail "temporary files left in the cache" || pass "no temporary files left"

# the size bound evicts least recently used entries
rm -rf "$C"
scan "$TMP/h.json" "$TMP/h.err" "$TMP/app.oci" --cache-max 1K
n=$(ls "$C" | grep -c '^[0-9a-f]\{64\}$' || true)
[ "$n" -le 1 ] && pass "cache bounded to 1K: $n entries kept" || fail "cache over its bound: $n entries"
same_packages "$TMP/e-ref.json" "$TMP/h.json" && pass "result with a tiny cache is right" || fail "tiny cache result differs"
finish
