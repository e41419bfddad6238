#!/usr/bin/env bash
# Multi-layer images: whiteouts, opaque directories, replaced package databases, dir->file, the
# layer that introduced each package; platform selection from an index; ref (tag) selection.
# Expectations: build/fixtures/layers/expected.json (written by tests/fixtures/mklayers.py; the final
# filesystems were cross-checked against podman's own layer application).
. "$(dirname "$0")/lib/common.bash"
need_fixture layers/expected.json
L="$COMB_FIXTURES/layers"
EXP="$L/expected.json"

# ---- final filesystem of the whiteout/opaque images
for img in layers apk-layers; do
  for t in $($PY -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[sys.argv[2]]["targets"]))' "$EXP" "$img"); do
    out="$TMP/$img-$(echo "$t" | tr ':/' '__').json"
    run_sbom "$out" "$L/$t"
    if [ "$RC" -ne 0 ]; then fail "$t: comb exited $RC"; continue; fi
    $PY - "$EXP" "$img" "$out" "$t" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys
exp = json.load(open(sys.argv[1]))[sys.argv[2]]
got = json.load(open(sys.argv[3]))
t = sys.argv[4]
bad = 0
def fail(msg):
    global bad
    bad += 1
    print("FAIL: %s: %s" % (t, msg))
pk = got.get("packages", [])
want = sorted((p["type"], p["name"], p["version"]) for p in exp["packages"])
have = sorted((p.get("type"), p.get("name"), p.get("version")) for p in pk)
if want != have:
    fail("packages differ from the final filesystem")
    for x in sorted(set(want) - set(have)): print("    missing (expected, not reported): %s %s %s" % x)
    for x in sorted(set(have) - set(want)): print("    extra (reported, not expected):   %s %s %s" % x)
    if len(have) != len(set(have)): print("    duplicates in the report: %s" % sorted(x for x in set(have) if have.count(x) > 1))
else:
    print("ok:   %s: exactly the %d packages of the final filesystem" % (t, len(want)))
for name in exp["absent"]:
    if any(p.get("name") == name for p in pk):
        fail("%s was deleted/replaced in an upper layer but is reported" % name)
diff_ids = exp["diff_ids"]
for e in exp["packages"]:
    for p in pk:
        if (p.get("type"), p.get("name"), p.get("version")) != (e["type"], e["name"], e["version"]):
            continue
        for k in ("source_name", "source_version"):
            if k in e and p.get(k) != e[k]:
                fail("%s %s: %s is %r, want %r" % (e["type"], e["name"], k, p.get(k), e[k]))
        want_l = diff_ids[e["layer"]]
        if p.get("layer_diff_id") != want_l:
            fail("%s %s %s: layer_diff_id %s, want layer %d %s (the layer that introduced it)" % (
                e["type"], e["name"], e["version"], p.get("layer_diff_id"), e["layer"] + 1, want_l))
osx = got.get("os", {})
if (osx.get("id"), osx.get("version_id")) != (exp["os"]["id"], exp["os"]["version_id"]):
    fail("os is %r, want %r" % (osx, exp["os"]))
layers = [l.get("diff_id") for l in got.get("image", {}).get("layers", [])]
if layers != diff_ids:
    fail("image.layers diff_ids %s, want %s" % (layers, diff_ids))
if bad == 0:
    print("ok:   %s: deletions, sources, layer attribution, os, image.layers" % t)
sys.exit(1 if bad else 0)
PYEOF
  done
done

# ---- platform selection from an image index (flat, nested index, OCI archive)
for t in $($PY -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["multiarch"]["targets"]))' "$EXP"); do
  for plat in linux/amd64 linux/arm64 linux/arm64/v8; do
    key=${plat%/v8}
    out="$TMP/ma-$t-$(echo "$plat" | tr / _).json"
    run_sbom "$out" --platform "$plat" "$L/$t"
    if [ "$RC" -ne 0 ]; then fail "$t --platform $plat: comb exited $RC"; continue; fi
    $PY -c 'import json,sys; [print("\t".join(x)) for x in json.load(open(sys.argv[1]))["multiarch"][sys.argv[2]]]' "$EXP" "$key" >"$out.exp"
    $PY "$SBOMTOOL" pkgs "$out" type,name,version,arch >"$out.act"
    compare "$t --platform $plat" "$out.exp" "$out.act"
    arch=$($PY "$SBOMTOOL" get "$out" image.arch)
    [ "$arch" = "${key#linux/}" ] || fail "$t --platform $plat: image.arch is '$arch'"
  done
  out="$TMP/ma-none.json"
  run_sbom "$out" --platform linux/s390x "$L/$t"
  [ "$RC" = 1 ] && grep -q '^comb: error: ' "$ERR" && pass "$t --platform linux/s390x (absent) -> exit 1" \
    || fail "$t --platform linux/s390x: want exit 1 and 'comb: error: ...', got exit $RC: $(head -c 300 "$ERR")"
done

# ---- ref (tag) selection in a layout with two refs
for tag in v1 v2; do
  out="$TMP/tag-$tag.json"
  run_sbom "$out" "$L/tags.oci:$tag"
  if [ "$RC" -ne 0 ]; then fail "tags.oci:$tag: comb exited $RC"; continue; fi
  $PY -c 'import json,sys; [print("\t".join(x)) for x in json.load(open(sys.argv[1]))["tags"][sys.argv[2]]]' "$EXP" "$tag" >"$out.exp"
  $PY "$SBOMTOOL" pkgs "$out" type,name,version,arch >"$out.act"
  compare "tags.oci:$tag" "$out.exp" "$out.act"
done
run_sbom "$TMP/tag-missing.json" "$L/tags.oci:nope"
[ "$RC" = 1 ] && grep -q '^comb: error: .*nope' "$ERR" && pass "tags.oci:nope -> exit 1 naming the ref" \
  || fail "tags.oci:nope: want exit 1 and an error naming 'nope', got exit $RC: $(head -c 300 "$ERR")"
run_sbom "$TMP/tag-ambiguous.json" "$L/tags.oci"
[ "$RC" -lt 128 ] && info "tags.oci without a ref (two refs): exit $RC" || fail "tags.oci without a ref: exit $RC (signal)"
finish
