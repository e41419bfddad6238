#!/usr/bin/env bash
# Real true positives and true negatives: the language fixture (real Debian 12 .debs: runc built
# with Go 1.19.8, python3-requests 2.28.1, python3-urllib3 1.26.12) plus a layer with a
# Cargo.lock of known-vulnerable crates, matched against ../shared/data/osv/go,
# ../shared/data/advisories/pypi and ../shared/data/osv/crates. Pinned ids were read from the
# advisories by hand: each "must" has a fixed version above the installed one, each "must not"
# is fixed at or below it (GO-2023-1704 exactly at 1.19.8).
. "$(dirname "$0")/lib/common.bash"
need_fixture lang/rootfs/usr/sbin/runc
if ! "$COMB" db import --help >/dev/null 2>&1; then
  echo "FAIL: comb db import missing"; exit 1
fi
D="$COMB_SHARED/data"
DB="$TMP/tp.db"
if ! "$COMB" db import --db "$DB" -q "$D/osv/go" "$D/advisories/pypi" "$D/osv/crates" >"$TMP/import.out" 2>&1; then
  fail "comb db import failed: $(head -c 400 "$TMP/import.out")"; finish
fi

cat >"$TMP/Cargo.lock" <<'EOF2'
version = 3

[[package]]
name = "vulnapp"
version = "0.1.0"
dependencies = [
 "smallvec",
 "time",
]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "time"
version = "0.1.43"
source = "registry+https://github.com/rust-lang/crates.io-index"
EOF2
$PY - "$TMP/spec.json" "$COMB_FIXTURES/lang/rootfs" "$TMP/Cargo.lock" <<'PYEOF'
import json, sys
spec = {"images": [{"repo_tag": "comb/scan-tp:1", "layers": [
    {"compression": "gzip", "entries": [{"tree": sys.argv[2], "prefix": ""}]},
    {"compression": "gzip", "entries": [{"path": "srv/vulnapp/Cargo.lock", "content_file": sys.argv[3]}]}]}]}
json.dump(spec, open(sys.argv[1], "w"))
PYEOF
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec.json" --oci "$TMP/tp.oci" --docker "$TMP/tp.tar" >/dev/null

out="$TMP/tp.json"
set +e
timeout 300 "$COMB" scan --db "$DB" --format json -o "$out" "$TMP/tp.tar" 2>"$out.stderr"
RC=$?
set -e
if [ "$RC" -ne 0 ]; then
  fail "comb scan exited $RC: $(head -c 400 "$out.stderr")"; finish
fi
$PY - "$out" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
def find(ptype, pkg, vid, where=None):
    return [f for f in fs if f["package"]["type"] == ptype and f["package"]["name"] == pkg
            and (where is None or f["package"].get("found_in") == where)
            and (f["id"] == vid or vid in f.get("aliases", []))]
cases = [
    # type, name, id, expected, installed, note
    ("go-stdlib", "stdlib", "GO-2023-1751", True, "runc: go1.19.8 < 1.19.9"),
    ("go-stdlib", "stdlib", "GO-2023-1752", True, "runc: go1.19.8 < 1.19.9"),
    ("go-stdlib", "stdlib", "GO-2023-1753", True, "runc: go1.19.8 < 1.19.9"),
    ("go-stdlib", "stdlib", "GO-2023-1878", True, "runc: go1.19.8 < 1.19.11"),
    ("go-stdlib", "stdlib", "GO-2023-1704", False, "fixed in exactly 1.19.8"),
    ("go-stdlib", "stdlib", "GO-2023-1621", False, "fixed in 1.19.7"),
    ("python", "requests", "PYSEC-2023-74", True, "2.28.1 in [2.3.0, 2.31.0)"),
    ("python", "requests", "PYSEC-2018-28", False, "fixed in 2.20.0"),
    ("python", "urllib3", "PYSEC-2023-192", True, "1.26.12 < 1.26.17 (second range of an unsorted event list)"),
    ("python", "urllib3", "PYSEC-2023-212", True, "1.26.12 < 1.26.18"),
    ("python", "urllib3", "PYSEC-2021-108", False, "fixed in 1.26.5"),
    ("python", "urllib3", "PYSEC-2023-207", False, "fixed in 1.24.2"),
    ("cargo", "smallvec", "RUSTSEC-2021-0003", True, "1.6.0 in [1.0.0, 1.6.1)"),
    ("cargo", "smallvec", "RUSTSEC-2019-0009", False, "only 0.6.x affected"),
    ("cargo", "smallvec", "RUSTSEC-2018-0003", False, "only 0.3-0.6 affected"),
    ("cargo", "time", "RUSTSEC-2020-0071", True, "0.1.43 < 0.2.0"),
]
bad = 0
for t, name, vid, want, why in cases:
    hit = find(t, name, vid)
    if bool(hit) != want:
        print("FAIL: %s %s %s: expected %s (%s)" % (t, name, vid, "a finding" if want else "no finding", why))
        bad += 1
    else:
        print("ok:   %s %s %s %s (%s)" % (t, name, vid, "reported" if want else "not reported", why))
# one finding per (vulnerability, package): the PYSEC record and its CVE/GHSA aliases are one
seen = {}
for f in fs:
    key = (f["package"]["type"], f["package"]["name"], f["package"]["version"], f["package"].get("found_in"))
    for i in [f["id"]] + f.get("aliases", []):
        if (key, i) in seen and seen[(key, i)] is not f:
            print("FAIL: %s %s appears in two findings (%s and %s)" % (key, i, seen[(key, i)]["id"], f["id"])); bad += 1
        seen[(key, i)] = f
r = find("python", "requests", "PYSEC-2023-74")
if r and (r[0]["id"] != "CVE-2023-32681" or "GHSA-j8r2-6x86-q33q" not in r[0]["aliases"] or r[0]["fixed_versions"] != ["2.31.0"]):
    print("FAIL: requests finding: id %s aliases %s fixed %s" % (r[0]["id"], r[0]["aliases"], r[0]["fixed_versions"])); bad += 1
g = find("go-stdlib", "stdlib", "GO-2023-1751", "usr/sbin/runc")
if not g:
    print("FAIL: GO-2023-1751 not attributed to usr/sbin/runc"); bad += 1
elif g[0]["fixed_versions"] != ["1.19.9"]:
    print("FAIL: GO-2023-1751 fixed versions %s, expected only the 1.19 branch fix 1.19.9" % g[0]["fixed_versions"]); bad += 1
sys.exit(1 if bad else 0)
PYEOF

# the same image through its CycloneDX and SPDX SBOMs gives the same findings
for f in cyclonedx spdx; do
  "$COMB" sbom -q --format $f -o "$TMP/tp.$f.json" "$TMP/tp.tar"
  set +e
  "$COMB" scan --db "$DB" -q --format json -o "$TMP/tp-from-$f.json" "$TMP/tp.$f.json"; rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then fail "scan of the $f SBOM exited $rc"; continue; fi
  key='import json,sys; print("\n".join(sorted("%s %s %s %s" % (f["package"]["type"], f["package"]["name"], f["package"]["version"], f["id"]) for f in json.load(open(sys.argv[1]))["findings"])))'
  $PY -c "$key" "$out" >"$TMP/a.$f"; $PY -c "$key" "$TMP/tp-from-$f.json" >"$TMP/b.$f"
  compare "findings from the $f SBOM equal the image scan" "$TMP/a.$f" "$TMP/b.$f"
done
# the SARIF, CycloneDX and OpenVEX outputs of the real scan, from the CLI, validate against their
# official schemas (two Go binaries share the stdlib purl: OpenVEX must still have unique statements)
for f in "sarif sarif-schema-2.1.0.json" "cyclonedx bom-1.6.schema.json" "openvex openvex_json_schema.json"; do
  set -- $f
  set +e
  "$COMB" scan --db "$DB" -q --format "$1" -o "$TMP/tp.$1" "$TMP/tp.tar"; rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then fail "comb scan --format $1 exited $rc"; continue; fi
  if $PY "$COMB_SRC/tests/tools/validate_schema.py" "$COMB_SRC/tests/schemas/$2" "$TMP/tp.$1" >"$TMP/val.$1" 2>&1; then
    pass "--format $1 validates against $2"
  else fail "--format $1 does not validate against $2: $(head -c 400 "$TMP/val.$1")"; fi
done
finish
