#!/usr/bin/env bash
# Layers shared with an image scanned before are not downloaded again: scan image A (Alpine 3.10),
# then B = A + one layer; the registry's access log must show that B's scan fetched only the new
# layer (and B's config), never the shared base layer, and the results are complete.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/registry.bash"
IMG="$COMB_SHARED/data/images/alpine-310.tar.gz"
[ -f "$IMG" ] || { echo "FAIL: $IMG missing"; exit 1; }
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME"

start_registry
gzip -dc "$IMG" >"$TMP/alpine.tar"
skopeo copy -q "docker-archive:$TMP/alpine.tar" "oci:$TMP/a:latest" >/dev/null
new_layer=$($PY "$COMB_SRC/tests/integration/lib/addlayer.py" "$TMP/a" "$TMP/b")
push "oci:$TMP/a:latest" "$REG/app:base"
push "oci:$TMP/b:latest" "$REG/app:next"
base_layer=$($PY -c 'import json,sys,os
d=sys.argv[1]; i=json.load(open(d+"/index.json"))["manifests"][0]["digest"].split(":")[1]
print(json.load(open(d+"/blobs/sha256/"+i))["layers"][0]["digest"])' "$TMP/a")
info "base layer ${base_layer:0:19}, new layer ${new_layer:0:19}"

lines() { wc -l <"$REG_LOG"; }
mark=$(lines)
run_sbom "$TMP/a.json" --insecure --cache --cache-dir "$TMP/layers" "$REG/app:base"
[ "$RC" -eq 0 ] || fail "scan of A: exit $RC"
tail -n +"$((mark + 1))" "$REG_LOG" >"$TMP/log-a"
blob_gets "$TMP/log-a" app | grep -qx "$base_layer" && pass "A: base layer downloaded" || fail "A: base layer not fetched?"

mark=$(lines)
run_sbom "$TMP/b.json" --insecure --cache --cache-dir "$TMP/layers" "$REG/app:next"
[ "$RC" -eq 0 ] || fail "scan of B: exit $RC"
tail -n +"$((mark + 1))" "$REG_LOG" >"$TMP/log-b"
blob_gets "$TMP/log-b" app >"$TMP/gets-b"
info "B fetched blobs: $(tr '\n' ' ' <"$TMP/gets-b")"
grep -qx "$base_layer" "$TMP/gets-b" && fail "B: the shared base layer was downloaded again" || pass "B: shared base layer not downloaded"
grep -qx "$new_layer" "$TMP/gets-b" && pass "B: the new layer was downloaded" || fail "B: new layer not fetched"
[ "$(wc -l <"$TMP/gets-b")" -eq 2 ] && pass "B: 2 blob downloads (config + new layer)" || fail "B: $(wc -l <"$TMP/gets-b") blob downloads, want 2"
grep -q "1 layers read, 1 from the layer cache" "$ERR" && pass "B: \"$(grep 'layers read' "$ERR")\"" || fail "B: cache report: $(cat "$ERR")"

# B's result is complete: A's packages plus the new layer's
pkgs "$TMP/a.json" >"$TMP/a.tsv"; pkgs "$TMP/b.json" >"$TMP/b.tsv"
n_a=$(wc -l <"$TMP/a.tsv"); n_b=$(wc -l <"$TMP/b.tsv")
grep -q combdemo "$TMP/b.tsv" && [ "$n_b" -eq $((n_a + 1)) ] && pass "B: $n_b packages = A's $n_a + combdemo" || fail "B: $n_b packages, A has $n_a"
# and equal to a fresh scan of B without the cache
run_sbom "$TMP/b-nocache.json" --insecure "$REG/app:next"
pkgs "$TMP/b-nocache.json" >"$TMP/b2.tsv"
compare "B from the cache equals B read whole" "$TMP/b2.tsv" "$TMP/b.tsv"
finish
