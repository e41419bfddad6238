#!/usr/bin/env bash
# comb scan on Debian with self-written advisories, through the real importers: OSV "Debian:12"
# records and a Debian security tracker JSON, against a synthetic two-layer dpkg image. Checks
# source-package matching with the source version (a binary versioned apart from its source),
# epochs, '~', '+debNuM' (numeric), no fix yet, "fixed in 0", another release, a package removed
# by the upper layer, a DSA merged into its CVE, and --vex / --severity on the command line.
. "$(dirname "$0")/lib/common.bash"
if ! "$COMB" db import --help >/dev/null 2>&1; then
  echo "FAIL: comb db import missing"; exit 1
fi
ADV="$TMP/adv"
mkdir -p "$ADV/osv"
osv() { # id aliases package events
  cat >"$ADV/osv/$1.json" <<EOF2
{"schema_version": "1.6.0", "id": "$1", "modified": "2024-01-01T00:00:00Z", "aliases": [$2],
 "summary": "test advisory $1",
 "affected": [{"package": {"ecosystem": "Debian:12", "name": "$3"},
               "ranges": [{"type": "ECOSYSTEM", "events": $4}]}]}
EOF2
}
osv DEBIAN-CVE-2099-3001 '"CVE-2099-3001"' foo '[{"introduced": "0"}, {"fixed": "1:2.0-2"}]'
osv DEBIAN-CVE-2099-3002 '"CVE-2099-3002"' foo '[{"introduced": "0"}, {"fixed": "6.0-1"}]'
osv DEBIAN-CVE-2099-3003 '"CVE-2099-3003"' bar '[{"introduced": "0"}, {"fixed": "1.0-1"}]'
osv DEBIAN-CVE-2099-3004 '"CVE-2099-3004"' bar '[{"introduced": "0"}, {"fixed": "1.0~beta1-1"}]'
osv DSA-9999-1 '"CVE-2099-3005"' glibc '[{"introduced": "0"}, {"fixed": "2.36-9+deb12u5"}]'
cat >"$ADV/tracker.json" <<'EOF2'
{"glibc": {
  "CVE-2099-3005": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u4", "urgency": "medium"}}},
  "CVE-2099-3006": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u3", "urgency": "high"}}},
  "CVE-2099-3007": {"releases": {"bookworm": {"status": "open", "urgency": "low"}}},
  "CVE-2099-3008": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "high"}}},
  "CVE-2099-3009": {"releases": {"bullseye": {"status": "open", "urgency": "high"}}},
  "CVE-2099-3010": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u10", "urgency": "high"}}}},
 "gone": {
  "CVE-2099-3011": {"releases": {"bookworm": {"status": "open", "urgency": "high"}}}}}
EOF2
DB="$TMP/deb.db"
if ! "$COMB" db import --db "$DB" -q "$ADV/osv" "$ADV/tracker.json" >"$TMP/import.out" 2>&1; then
  fail "importing the test advisories failed: $(head -c 400 "$TMP/import.out")"; finish
fi

$PY - "$TMP/spec.json" <<'PYEOF'
import json, sys
def para(name, ver, src=None):
    s = "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n" % (name, ver)
    if src:
        s += "Source: %s\n" % src
    return s + "Description: test\n\n"
common = para("libfoo1", "5.0-1", "foo (1:2.0-1)") + para("bar", "1.0~rc1-1") + para("libc6", "2.36-9+deb12u3", "glibc")
osr = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'
spec = {"images": [{"repo_tag": "comb/scan-deb:1", "layers": [
    {"compression": "gzip", "entries": [
        {"path": "etc/os-release", "content": osr},
        {"path": "var/lib/dpkg/status", "content": common + para("libgone0", "1.0-1", "gone")}]},
    {"compression": "gzip", "entries": [
        {"path": "var/lib/dpkg/status", "content": common}]}]}]}
json.dump(spec, open(sys.argv[1], "w"))
PYEOF
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec.json" --oci "$TMP/deb.oci" --docker "$TMP/deb.tar" >/dev/null

scan() { # out args...
  local out=$1; shift
  set +e
  timeout 300 "$COMB" scan --db "$DB" --format json -o "$out" "$@" 2>"$out.stderr"
  RC=$?
  set -e
  [ "$RC" -eq 0 ] || info "comb scan $* -> exit $RC: $(head -c 400 "$out.stderr")"
}
scan "$TMP/deb.json" "$TMP/deb.tar"
if [ "$RC" -ne 0 ]; then fail "comb scan exited $RC"; finish; fi
$PY - "$TMP/deb.json" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
fs = doc["findings"]
def find(pkg, vid):
    return [f for f in fs if f["package"]["name"] == pkg and (f["id"] == vid or vid in f.get("aliases", []))]
cases = [
    ("libfoo1", "CVE-2099-3001", True, "source version 1:2.0-1 < 1:2.0-2"),
    ("libfoo1", "CVE-2099-3002", False, "source 1:2.0-1 > 6.0-1 (epoch), though the binary 5.0-1 is below"),
    ("bar", "CVE-2099-3003", True, "1.0~rc1-1 < 1.0-1"),
    ("bar", "CVE-2099-3004", False, "1.0~rc1-1 > 1.0~beta1-1"),
    ("libc6", "CVE-2099-3005", True, "deb12u3 < deb12u4 (tracker) and DSA-9999-1 (OSV)"),
    ("libc6", "CVE-2099-3006", False, "fixed in the installed deb12u3"),
    ("libc6", "CVE-2099-3007", True, "open, no fix yet"),
    ("libc6", "CVE-2099-3008", False, "tracker 'fixed in 0': never affected"),
    ("libc6", "CVE-2099-3009", False, "bullseye only"),
    ("libc6", "CVE-2099-3010", True, "deb12u3 < deb12u10 (numeric)"),
    ("libgone0", "CVE-2099-3011", False, "package removed by the upper layer"),
]
bad = 0
for pkg, vid, want, why in cases:
    hit = find(pkg, vid)
    if bool(hit) != want:
        print("FAIL: %s %s: expected %s (%s), got %s" % (pkg, vid, "a finding" if want else "no finding", why, [h["id"] for h in hit])); bad += 1
    else:
        print("ok:   %s %s %s (%s)" % (pkg, vid, "reported" if want else "not reported", why))
n_expected = sum(1 for c in cases if c[2])
if len(fs) != n_expected:
    print("FAIL: %d findings, expected %d: %s" % (len(fs), n_expected, sorted((f["package"]["name"], f["id"]) for f in fs))); bad += 1
g = find("libc6", "CVE-2099-3005")
if len(g) == 1:
    g = g[0]
    if g["id"] != "CVE-2099-3005" or "DSA-9999-1" not in g["aliases"] or g["fixed_versions"] != ["2.36-9+deb12u4", "2.36-9+deb12u5"] or g["severity"] != "MEDIUM" or g["matched"] != {"ecosystem": "debian:12", "name": "glibc"}:
        print("FAIL: merged glibc finding: %s" % json.dumps(g)); bad += 1
    else:
        print("ok:   tracker CVE + OSV DSA merged: one finding, fixed %s, severity from the tracker" % g["fixed_versions"])
o = find("libc6", "CVE-2099-3007")
if o and (o[0]["status"] != "not_fixed" or o[0]["fixed_versions"] or o[0]["severity"] != "LOW"):
    print("FAIL: open issue: %s" % json.dumps(o[0])); bad += 1
if doc.get("schema") != "comb-scan/1" or doc["summary"]["total"] != n_expected:
    print("FAIL: schema/summary: %s %s" % (doc.get("schema"), doc.get("summary"))); bad += 1
sys.exit(1 if bad else 0)
PYEOF

# --vex (OpenVEX, product by purl without version) and --severity
cat >"$TMP/vex.json" <<'EOF2'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
 "timestamp": "2024-01-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2099-3010"}, "products": [{"@id": "pkg:deb/debian/libc6"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
EOF2
scan "$TMP/vex.out.json" --vex "$TMP/vex.json" "$TMP/deb.tar"
if $PY -c 'import json,sys; f=[x for x in json.load(open(sys.argv[1]))["findings"] if x["id"]=="CVE-2099-3010"]; sys.exit(0 if len(f)==1 and f[0]["suppressed"] and "vulnerable_code_not_in_execute_path" in f[0]["suppressed_by"] else 1)' "$TMP/vex.out.json"; then
  pass "--vex: not_affected statement suppresses the finding"
else fail "--vex did not suppress CVE-2099-3010"; fi
set +e
"$COMB" scan --scanners vuln --db "$DB" -q --vex "$TMP/vex.json" --severity HIGH --exit-code 3 "$TMP/deb.tar" >"$TMP/high.txt" 2>&1; rc=$?
set -e
# the only HIGH finding (CVE-2099-3010) is suppressed by the VEX: exit 0
[ "$rc" -eq 0 ] && pass "--exit-code ignores suppressed findings" || fail "--severity HIGH --exit-code 3 with the HIGH finding suppressed exited $rc"
set +e
"$COMB" scan --scanners vuln --db "$DB" -q --severity-min MEDIUM --exit-code 3 "$TMP/deb.tar" >"$TMP/med.txt" 2>&1; rc=$?
set -e
[ "$rc" -eq 3 ] && pass "--severity-min MEDIUM --exit-code 3 exits 3" || fail "--severity-min MEDIUM --exit-code 3 exited $rc"
if grep -q "CVE-2099-3010" "$TMP/med.txt" && ! grep -q "CVE-2099-3007" "$TMP/med.txt"; then
  pass "table: --severity-min MEDIUM shows HIGH, hides LOW"
else fail "table with --severity-min MEDIUM: $(head -c 600 "$TMP/med.txt")"; fi
finish
