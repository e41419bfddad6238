#!/usr/bin/env bash
# Hardlinks inside a layer carry no data of their own: the package a linked
# file describes must be found under the link's path too, and must survive
# when a later layer deletes the original name (but not the link).
. "$(dirname "$0")/lib/common.bash"

META='Metadata-Version: 2.1
Name: linked-pkg
Version: 1.2.3
'
cat >"$TMP/spec.json" <<JSON
{"images": [{"layers": [
  {"compression": "gzip", "entries": [
    {"path": "opt/a/site-packages/linked_pkg-1.2.3.dist-info/METADATA", "content": $(printf '%s' "$META" | $PY -c 'import json,sys; print(json.dumps(sys.stdin.read()))')},
    {"path": "opt/b/site-packages/linked_pkg-1.2.3.dist-info/METADATA", "hardlink": "opt/a/site-packages/linked_pkg-1.2.3.dist-info/METADATA"}
  ]},
  {"compression": "none", "entries": [
    {"path": "opt/a/.wh.site-packages"}
  ]}
]}]}
JSON
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec.json" --oci "$TMP/oci" --docker "$TMP/img.tar" >/dev/null
for t in "$TMP/oci" "$TMP/img.tar"; do
  run_sbom "$TMP/out.json" "$t"
  [ "$RC" = 0 ] || { fail "comb sbom $t exited $RC"; continue; }
  got=$($PY "$SBOMTOOL" pkgs "$TMP/out.json" name,version,found_in python)
  want=$'linked-pkg\t1.2.3\topt/b/site-packages/linked_pkg-1.2.3.dist-info/METADATA'
  [ "$got" = "$want" ] && pass "$(basename "$t"): package found through the surviving hardlink only" \
    || fail "$(basename "$t"): got [$got], want [$want]"
done
finish
