#!/usr/bin/env bash
# comb scan on Alpine: (1) the real alpine-310/311 images against the real Alpine secdb; the
# expected (package, vulnerability) set is computed here, independently of comb: installed
# packages read straight from the image's layers, secdb YAML parsed with PyYAML, apk versions
# compared by a small comparator written for this test. (2) self-written secdb and OSV Alpine
# advisories against a synthetic two-layer image: -rN, _rc, _p, fixed-in-0, origin (source)
# matching, a package removed by the upper layer, another release's advisories, introduced
# after the installed version, last_affected, aliases merged into one finding.
. "$(dirname "$0")/lib/common.bash"
SECDB="$COMB_SHARED/data/advisories/alpine-secdb"
IMAGES="$COMB_SHARED/data/images"

if ! "$COMB" db import --help >/dev/null 2>&1; then
  echo "FAIL: comb db import missing"; exit 1
fi

DB="$TMP/secdb.db"
if ! "$COMB" db import --db "$DB" -q "$SECDB" >"$TMP/import.out" 2>&1; then
  fail "comb db import $SECDB failed: $(head -c 400 "$TMP/import.out")"; finish
fi

# run_scan OUT ARGS... : comb scan --format json; sets RC
run_scan() {
  local out=$1; shift
  set +e
  timeout 300 "$COMB" scan --format json -o "$out" "$@" 2>"$out.stderr"
  RC=$?
  set -e
  [ "$RC" -eq 0 ] || info "comb scan $* -> exit $RC: $(head -c 400 "$out.stderr")"
}

cat >"$TMP/apkcmp.py" <<'PYEOF'
import re
SUF = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}
RX = re.compile(r"^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:-r(\d+))?$")
def parse(v):
    m = RX.match(v)
    if not m:
        raise ValueError("not an apk version: %r" % v)
    nums = [int(x) for x in m.group(1).split(".")]
    sufs = [(SUF[a], int(b or 0)) for a, b in re.findall(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)", m.group(3))]
    return nums, m.group(2), sufs, int(m.group(4) or 0)
def cmp(a, b):
    na, la, sa, ra = parse(a)
    nb, lb, sb, rb = parse(b)
    for x, y in zip(na, nb):
        if x != y:
            return -1 if x < y else 1
    if len(na) != len(nb):
        return -1 if len(na) < len(nb) else 1
    if la != lb:
        return -1 if la < lb else 1
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else (0, 0)
        y = sb[i] if i < len(sb) else (0, 0)
        if x != y:
            return -1 if x < y else 1
    return (ra > rb) - (ra < rb)
assert cmp("1.2.3-r1", "1.2.3-r2") < 0 and cmp("1.2.3-r10", "1.2.3-r9") > 0
assert cmp("1.2.3_rc1-r0", "1.2.3-r0") < 0 and cmp("1.2.3_p1-r0", "1.2.3-r5") > 0
assert cmp("1.1.1d-r2", "1.1.1d-r0") > 0 and cmp("1.1.1c-r9", "1.1.1d-r0") < 0
PYEOF

# ---- (1) real images, real secdb
for img in alpine-310 alpine-311; do
  out="$TMP/$img.json"
  run_scan "$out" --db "$DB" "$IMAGES/$img.tar.gz"
  [ "$RC" -eq 0 ] || { fail "$img: comb scan exited $RC"; continue; }
  $PY - "$TMP" "$IMAGES/$img.tar.gz" "$SECDB" "$out" "$img" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys, tarfile, io, os, yaml
sys.path.insert(0, sys.argv[1])
from apkcmp import cmp
image, secdb, out, label = sys.argv[2:6]
# installed packages and release, straight from the layers (top layer wins)
tf = tarfile.open(image)
manifest = json.load(tf.extractfile("manifest.json"))[0]
installed = release = None
for layer in manifest["Layers"]:
    lt = tarfile.open(fileobj=io.BytesIO(tf.extractfile(layer).read()))
    for m in lt.getmembers():
        n = m.name.lstrip("./")
        if n == "lib/apk/db/installed" and m.isfile():
            installed = lt.extractfile(m).read().decode()
        if n == "etc/alpine-release" and m.isfile():
            release = lt.extractfile(m).read().decode().strip()
pkgs = []
cur = {}
for line in installed.split("\n") + [""]:
    if not line.strip():
        if "P" in cur:
            pkgs.append((cur["P"], cur["V"], cur.get("o", cur["P"])))
        cur = {}
    elif line[1:2] == ":":
        cur[line[0]] = line[2:]
branch = "v" + ".".join(release.split(".")[:2])
fixes = {}  # origin -> [(fixed, id)]
for f in ("main.yaml", "community.yaml"):
    p = os.path.join(secdb, branch, f)
    if not os.path.exists(p):
        continue
    doc = yaml.safe_load(open(p))
    for e in doc.get("packages") or []:
        pk = e["pkg"]
        for fv, ids in (pk.get("secfixes") or {}).items():
            for i in ids or []:
                for one in str(i).split():
                    fixes.setdefault(pk["name"], []).append((str(fv), one))
expected = set()
for name, ver, origin in pkgs:
    for fv, vid in fixes.get(origin, []):
        if fv == "0":
            continue
        if cmp(ver, fv) < 0:
            expected.add((name, vid))
got = json.load(open(out))
reported = set()
for f in got["findings"]:
    ids = [f["id"]] + f.get("aliases", [])
    for e in expected:
        pass
    reported.add((f["package"]["name"], f["id"]))
bad = 0
# a finding is right when its package and one of its ids form an expected pair
for f in got["findings"]:
    ids = [f["id"]] + f.get("aliases", [])
    if not any((f["package"]["name"], i) in expected for i in ids):
        print("FAIL: %s: false positive: %s %s %s (fixed %s)" % (label, f["package"]["name"], f["package"]["version"], f["id"], f["fixed_versions"]))
        bad += 1
for name, vid in sorted(expected):
    if not any(f["package"]["name"] == name and vid in [f["id"]] + f.get("aliases", []) for f in got["findings"]):
        print("FAIL: %s: missed: %s %s" % (label, name, vid))
        bad += 1
if got.get("os", {}).get("version_id") != release:
    print("FAIL: %s: os version %r, image says %r" % (label, got.get("os"), release)); bad += 1
if bad:
    sys.exit(1)
print("ok:   %s (Alpine %s, %s): %d installed packages, %d secdb entries for %s, exactly the %d expected findings" % (label, release, branch, len(pkgs), sum(len(v) for v in fixes.values()), branch, len(expected)))
PYEOF
done

# ---- (2) synthetic image and advisories
ADV="$TMP/adv"
mkdir -p "$ADV/secdb/v3.18" "$ADV/secdb/v3.17" "$ADV/osv"
cat >"$ADV/secdb/v3.18/main.yaml" <<'EOF2'
---
distroversion: v3.18
reponame: main
packages:
  - pkg:
      name: zlib
      secfixes:
        1.2.13-r2:
          - CVE-2099-0001
        1.2.13-r1:
          - CVE-2099-0002
        1.2.13-r0:
          - CVE-2099-0003
  - pkg:
      name: busybox
      secfixes:
        1.36.1-r9:
          - CVE-2099-0004
        1.36.1-r11:
          - CVE-2099-0005
  - pkg:
      name: curl
      secfixes:
        8.0.0-r0:
          - CVE-2099-0006
  - pkg:
      name: openssh
      secfixes:
        9.3_p1-r0:
          - CVE-2099-0007
        9.3_p10-r0:
          - CVE-2099-0008
  - pkg:
      name: musl
      secfixes:
        0:
          - CVE-2099-0009
  - pkg:
      name: openssl
      secfixes:
        3.1.2-r0:
          - CVE-2099-0010
  - pkg:
      name: libcrypto3
      secfixes:
        9.9.9-r0:
          - CVE-2099-0011
  - pkg:
      name: removedpkg
      secfixes:
        2.0-r0:
          - CVE-2099-0012
EOF2
cat >"$ADV/secdb/v3.17/main.yaml" <<'EOF2'
---
distroversion: v3.17
reponame: main
packages:
  - pkg:
      name: zlib
      secfixes:
        9.9.9-r0:
          - CVE-2099-0013
EOF2
osv() { # id alias ecosystem name events-json
  cat >"$ADV/osv/$1.json" <<EOF2
{"schema_version": "1.6.0", "id": "$1", "modified": "2024-01-01T00:00:00Z", "aliases": [$2],
 "summary": "test advisory $1",
 "affected": [{"package": {"ecosystem": "$3", "name": "$4"},
               "ranges": [{"type": "ECOSYSTEM", "events": $5}]}]}
EOF2
}
osv ALPINE-TEST-1 '"CVE-2099-0001"' Alpine:v3.18 zlib '[{"introduced": "0"}, {"fixed": "1.2.13-r5"}]'
osv ALPINE-TEST-2 '' Alpine:v3.18 curl '[{"introduced": "8.1.0-r0"}, {"fixed": "8.2.0-r0"}]'
osv ALPINE-TEST-3 '' Alpine:v3.18 busybox '[{"introduced": "0"}, {"last_affected": "1.36.1-r10"}]'
osv ALPINE-TEST-4 '' Alpine:v3.18 busybox '[{"introduced": "0"}, {"last_affected": "1.36.1-r9"}]'
osv ALPINE-TEST-5 '' Alpine:v3.17 busybox '[{"introduced": "0"}]'

DB2="$TMP/edge.db"
if ! "$COMB" db import --db "$DB2" -q "$ADV/secdb" "$ADV/osv" >"$TMP/import2.out" 2>&1; then
  fail "importing the test advisories failed: $(head -c 400 "$TMP/import2.out")"; finish
fi

apkdb() { # name version origin ...
  while [ $# -gt 0 ]; do
    printf 'C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:%s\nV:%s\nA:x86_64\no:%s\nT:test\n\n' "$1" "$2" "$3"
    shift 3
  done
}
LOWER=$(apkdb zlib 1.2.13-r1 zlib busybox 1.36.1-r10 busybox curl 8.0.0_rc1-r0 curl \
  openssh 9.3_p2-r0 openssh musl 1.2.4-r1 musl libcrypto3 3.1.1-r0 openssl removedpkg 1.0-r0 removedpkg)
UPPER=$(apkdb zlib 1.2.13-r1 zlib busybox 1.36.1-r10 busybox curl 8.0.0_rc1-r0 curl \
  openssh 9.3_p2-r0 openssh musl 1.2.4-r1 musl libcrypto3 3.1.1-r0 openssl)
$PY - "$TMP/spec.json" "$LOWER" "$UPPER" <<'PYEOF'
import json, sys
osr = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n'
spec = {"images": [{"repo_tag": "comb/scan-edge:1", "layers": [
    {"compression": "gzip", "entries": [
        {"path": "etc/os-release", "content": osr},
        {"path": "etc/alpine-release", "content": "3.18.4\n"},
        {"path": "lib/apk/db/installed", "content": sys.argv[2] + "\n"}]},
    {"compression": "gzip", "entries": [
        {"path": "lib/apk/db/installed", "content": sys.argv[3] + "\n"}]}]}]}
json.dump(spec, open(sys.argv[1], "w"))
PYEOF
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/spec.json" --oci "$TMP/edge.oci" --docker "$TMP/edge.tar" >/dev/null
out="$TMP/edge.json"
run_scan "$out" --db "$DB2" "$TMP/edge.tar"
if [ "$RC" -ne 0 ]; then
  fail "edge image: comb scan exited $RC"
else
  # package vulnerability-id [fixed versions] ; '!' = must not be reported
  $PY - "$out" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys
got = json.load(open(sys.argv[1]))
fs = got["findings"]
def find(pkg, vid):
    return [f for f in fs if f["package"]["name"] == pkg and (f["id"] == vid or vid in f.get("aliases", []))]
cases = [
    ("zlib", "CVE-2099-0001", True, "-r1 < -r2 (secdb); OSV ALPINE-TEST-1 aliases it"),
    ("zlib", "CVE-2099-0002", False, "fixed in the installed version"),
    ("zlib", "CVE-2099-0003", False, "fixed before the installed version"),
    ("zlib", "CVE-2099-0013", False, "advisory for another release (v3.17)"),
    ("busybox", "CVE-2099-0004", False, "-r10 > -r9 (numeric revision)"),
    ("busybox", "CVE-2099-0005", True, "-r10 < -r11"),
    ("busybox", "ALPINE-TEST-3", True, "last_affected == installed"),
    ("busybox", "ALPINE-TEST-4", False, "installed > last_affected"),
    ("busybox", "ALPINE-TEST-5", False, "OSV record for another release"),
    ("curl", "CVE-2099-0006", True, "8.0.0_rc1 < 8.0.0"),
    ("curl", "ALPINE-TEST-2", False, "introduced after the installed version"),
    ("openssh", "CVE-2099-0007", False, "_p2 > _p1"),
    ("openssh", "CVE-2099-0008", True, "_p2 < _p10 (numeric)"),
    ("musl", "CVE-2099-0009", False, "secdb 'fixed in 0' = never affected"),
    ("libcrypto3", "CVE-2099-0010", True, "matched through its origin openssl"),
    ("libcrypto3", "CVE-2099-0011", False, "binary-name entry; Alpine advisories name origins"),
    ("removedpkg", "CVE-2099-0012", False, "package removed by the upper layer"),
]
bad = 0
for pkg, vid, want, why in cases:
    hit = find(pkg, vid)
    if bool(hit) != want:
        print("FAIL: edge: %s %s: expected %s (%s), got %s" % (pkg, vid, "a finding" if want else "no finding", why, [h["id"] for h in hit]))
        bad += 1
    else:
        print("ok:   edge: %s %s %s (%s)" % (pkg, vid, "reported" if want else "not reported", why))
expect_total = sum(1 for c in cases if c[2])
if len(fs) != expect_total:
    print("FAIL: edge: %d findings, expected exactly %d: %s" % (len(fs), expect_total, sorted((f["package"]["name"], f["id"]) for f in fs)))
    bad += 1
z = find("zlib", "CVE-2099-0001")
if len(z) != 1:
    print("FAIL: edge: CVE-2099-0001 and ALPINE-TEST-1 must be ONE finding, got %d" % len(z)); bad += 1
elif z[0]["id"] != "CVE-2099-0001" or "ALPINE-TEST-1" not in z[0]["aliases"] or z[0]["fixed_versions"] != ["1.2.13-r2", "1.2.13-r5"]:
    print("FAIL: edge: merged finding wrong: id %s aliases %s fixed %s" % (z[0]["id"], z[0]["aliases"], z[0]["fixed_versions"])); bad += 1
else:
    print("ok:   edge: secdb + OSV records merged into one finding, fixed versions %s" % z[0]["fixed_versions"])
lc = find("libcrypto3", "CVE-2099-0010")
if lc and (lc[0]["matched"]["name"] != "openssl" or lc[0]["matched"]["ecosystem"] != "alpine:3.18"):
    print("FAIL: edge: libcrypto3 matched as %s" % lc[0]["matched"]); bad += 1
bb = find("busybox", "ALPINE-TEST-3")
if bb and (bb[0]["fixed_versions"] or bb[0]["status"] != "not_fixed"):
    print("FAIL: edge: last_affected record has no fix: %s %s" % (bb[0]["fixed_versions"], bb[0]["status"])); bad += 1
sys.exit(1 if bad else 0)
PYEOF
fi

# ---- options on the same image: --ignore-unfixed, --ignore (with expiry), --exit-code
run_scan "$TMP/unfixed.json" --db "$DB2" --ignore-unfixed "$TMP/edge.tar"
if $PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; sys.exit(0 if f and all(x["fixed_versions"] for x in f) and not any(x["id"]=="ALPINE-TEST-3" for x in f) else 1)' "$TMP/unfixed.json"; then
  pass "--ignore-unfixed drops the finding without a fix"
else fail "--ignore-unfixed"; fi
printf '# test ignores\nCVE-2099-0005 exp:2999-01-01 accepted risk\nCVE-2099-0006 exp:2000-01-01 expired long ago\nALPINE-TEST-1 aliases work too\n' >"$TMP/ignore.txt"
run_scan "$TMP/ign.json" --db "$DB2" --ignore "$TMP/ignore.txt" "$TMP/edge.tar"
if $PY - "$TMP/ign.json" <<'PYEOF'
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["findings"]}
ok = f["CVE-2099-0005"]["suppressed"] and "accepted risk" in f["CVE-2099-0005"]["suppressed_by"]
ok = ok and not f["CVE-2099-0006"]["suppressed"] and f["CVE-2099-0001"]["suppressed"]
ok = ok and not f["CVE-2099-0008"]["suppressed"]
sys.exit(0 if ok else 1)
PYEOF
then pass "--ignore: ids and aliases suppressed, expired entry no longer applies"
else fail "--ignore suppression wrong"; fi
if grep -q "CVE-2099-0006 expired" "$TMP/ign.json.stderr"; then pass "--ignore: expired entry warned about"; else fail "--ignore: no warning for the expired entry"; fi
set +e
"$COMB" scan --scanners vuln --db "$DB2" -q --exit-code 7 "$TMP/edge.tar" >/dev/null 2>&1; rc1=$?
"$COMB" scan --scanners vuln --db "$DB2" -q --exit-code 7 --severity CRITICAL "$TMP/edge.tar" >/dev/null 2>&1; rc2=$?
"$COMB" scan --scanners vuln --db "$DB" -q --exit-code 7 "$IMAGES/alpine-311.tar.gz" >/dev/null 2>&1; rc3=$?
set -e
[ "$rc1" -eq 7 ] && pass "--exit-code 7 with findings" || fail "--exit-code 7 with findings exited $rc1"
[ "$rc2" -eq 0 ] && pass "--exit-code with no finding at the chosen severity exits 0" || fail "--exit-code, --severity CRITICAL exited $rc2"
[ "$rc3" -eq 0 ] && pass "--exit-code on a clean image exits 0" || fail "--exit-code on alpine-311 exited $rc3"
finish
