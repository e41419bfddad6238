#!/usr/bin/env bash
# CycloneDX 1.6 and SPDX 2.3 output of real images validates against the
# official schemas (tests/schemas), and carries every package of comb's own
# JSON inventory with the same purls.
. "$(dirname "$0")/lib/common.bash"
VALIDATE="$COMB_SRC/tests/tools/validate_schema.py"
SCHEMAS="$COMB_SRC/tests/schemas"
need_fixture debian12/docker-archive.tar
need_fixture lang/docker-archive.tar

for img in "$COMB_SHARED/data/images/alpine-310.tar.gz" "$COMB_FIXTURES/debian12/docker-archive.tar" \
           "$COMB_FIXTURES/lang/docker-archive.tar"; do
  name=$(basename "$(dirname "$img")")/$(basename "$img")
  run_sbom "$TMP/inv.json" "$img"
  [ "$RC" = 0 ] || { fail "$name: json exited $RC"; continue; }
  $PY "$SBOMTOOL" pkgs "$TMP/inv.json" purl | LC_ALL=C sort -u >"$TMP/purls.json"
  for fmt in cyclonedx spdx; do
    set +e
    "$COMB" sbom -q --format "$fmt" -o "$TMP/out.$fmt" "$img"; rc=$?
    set -e
    [ "$rc" = 0 ] || { fail "$name: --format $fmt exited $rc"; continue; }
    schema=$SCHEMAS/bom-1.6.schema.json; [ "$fmt" = spdx ] && schema=$SCHEMAS/spdx-2.3.schema.json
    if $PY "$VALIDATE" "$schema" "$TMP/out.$fmt" 2>"$TMP/val.err"; then
      pass "$name: $fmt validates against $(basename "$schema")"
    else
      fail "$name: $fmt does not validate: $(head -c 600 "$TMP/val.err")"
    fi
    $PY - "$fmt" "$TMP/out.$fmt" >"$TMP/purls.$fmt" <<'PYEOF'
import json, sys
fmt, path = sys.argv[1:]
d = json.load(open(path))
if fmt == "cyclonedx":
    purls = [c.get("purl") for c in d.get("components", [])]
else:
    purls = [r["referenceLocator"] for p in d.get("packages", []) for r in p.get("externalRefs", [])
             if r.get("referenceType") == "purl"]
for p in sorted(set(x for x in purls if x)):
    print(p)
PYEOF
    LC_ALL=C sort -u "$TMP/purls.$fmt" -o "$TMP/purls.$fmt"
    compare "$name: $fmt has the inventory's purls" "$TMP/purls.json" "$TMP/purls.$fmt"
  done
done
finish
