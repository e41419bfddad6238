#!/usr/bin/env bash
# bench_formats: the report formats of `comb bench` on a rich fixture root
# (failures, manual checks, N/A, containers) with hostile host strings:
#  - JSON validates against tests/data/compliance/bench-report.schema.json;
#  - SARIF validates against the SARIF 2.1.0 schema;
#  - JUnit is read by a real JUnit consumer (Debian's python3-junitparser)
#    and its counts agree with the JSON report;
#  - HTML is one self-contained file (no external resource, no script) in
#    which every host string is escaped;
#  - all formats report the same results.
source "$(dirname "$0")/lib/common.bash"
DATA=$COMB_SRC/tests/data/compliance
VALIDATE="$PY $COMB_SRC/tests/tools/validate_schema.py"
bash "$DATA/build-roots.sh" "$TMP/roots" >/dev/null
R=$TMP/roots/docker-bad
# host strings an attacker controls: the host name and file names
printf '<script>alert("host")</script>&x\n' >"$R/etc/hostname"
mkdir -p "$R/etc/docker/certs.d/<img src=x onerror=alert(1)>\"'&"
install -m 666 /dev/null "$R/etc/docker/certs.d/<img src=x onerror=alert(1)>\"'&/ca.crt"
# containers too: copy the insecure container state in
cp -a "$TMP/roots/containers-bad/var/lib/." "$R/var/lib/"
mkdir -p "$R/run" && cp -a "$TMP/roots/containers-bad/run/containerd/io.containerd.runtime.v2.task" "$R/run/containerd/"

for f in json sarif junit html table; do
  "$COMB" bench all --root "$R" -f "$f" -o "$TMP/out.$f" 2>"$TMP/err.$f" || fail "-f $f exited $?: $(head -c 200 "$TMP/err.$f")"
done

if $VALIDATE "$DATA/bench-report.schema.json" "$TMP/out.json"; then pass "JSON validates against its schema"
else fail "JSON does not validate"; fi
if $VALIDATE "$COMB_SRC/tests/schemas/sarif-schema-2.1.0.json" "$TMP/out.sarif"; then pass "SARIF validates against SARIF 2.1.0"
else fail "SARIF does not validate"; fi

$PY - "$TMP/out.json" "$TMP/out.junit" "$TMP/out.sarif" <<'PY' || fail "JUnit or SARIF disagree with the JSON report"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
doc = json.load(open(sys.argv[1]))
counts = doc["summary"]["counts"]
assert counts["FAIL"] > 0 and counts["PASS"] > 0 and counts["WARN"] > 0 and counts["NOT-APPLICABLE"] > 0, counts
xml = JUnitXml.fromfile(sys.argv[2])
seen = {"PASS": 0, "FAIL": 0, "ERROR": 0, "SKIP": 0}
suites = 0
for suite in xml:
    suites += 1
    for case in suite:
        kinds = [type(r) for r in case.result]
        if Failure in kinds: seen["FAIL"] += 1
        elif Error in kinds: seen["ERROR"] += 1
        elif Skipped in kinds: seen["SKIP"] += 1
        else: seen["PASS"] += 1
assert suites == len(doc["benchmarks"]), (suites, len(doc["benchmarks"]))
want = {"PASS": counts["PASS"], "FAIL": counts["FAIL"], "ERROR": counts["ERROR"],
        "SKIP": counts["WARN"] + counts["NOT-APPLICABLE"]}
assert seen == want, (seen, want)
assert xml.failures == counts["FAIL"] and xml.tests == len(doc["results"]), (xml.failures, xml.tests)
# fixes name the file found on this host
r32 = [r for r in doc["results"] if r["id"] == "docker-3.2"][0]
assert r32["file"] == "/lib/systemd/system/docker.service", r32
assert r32["remediation"].strip() == "chmod 644 /lib/systemd/system/docker.service", r32["remediation"]
sarif = json.load(open(sys.argv[3]))
loc = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "docker-3.2"][0]["locations"][0]
assert loc["physicalLocation"]["artifactLocation"]["uri"] == "/lib/systemd/system/docker.service", loc
kinds = {"PASS": "pass", "FAIL": "fail", "WARN": "review", "NOT-APPLICABLE": "notApplicable", "ERROR": "open"}
got = [(r["ruleId"], r["kind"]) for r in sarif["runs"][0]["results"]]
exp = [(r["id"], kinds[r["status"]]) for r in doc["results"]]
assert got == exp, "SARIF results differ from JSON"
print("    %d results: %s" % (len(doc["results"]), want))
PY
[ "$FAILURES" -eq 0 ] && pass "junitparser reads the JUnit report; counts agree with JSON and SARIF"

$PY - "$TMP/out.html" <<'PY' || fail "HTML report is not self-contained or not escaped"
import sys
from html.parser import HTMLParser
text = open(sys.argv[1], encoding="utf-8").read()
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = []; self.refs = []; self.data = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "onerror", "onload") or (v and "://" in v and k != "xmlns"):
                self.refs.append((tag, k, v))
    def handle_data(self, d): self.data.append(d)
p = P(); p.feed(text)
assert "script" not in p.tags and "img" not in p.tags, "host strings became markup: %s" % set(p.tags)
assert not p.refs, "external or active references: %s" % p.refs[:5]
assert p.tags.count("svg") >= 7, "one chart per benchmark and section expected"
alltext = "".join(p.data)
assert '<script>alert("host")</script>&x' in alltext, "hostname not shown as text"
assert "<img src=x onerror=alert(1)>\"'&" in alltext, "file name not shown as text"
print("    %d tags, %d charts" % (len(p.tags), p.tags.count("svg")))
PY
[ "$FAILURES" -eq 0 ] && pass "HTML is self-contained, has charts, shows host strings as text"

grep -q $'\033\[' "$TMP/out.table" && fail "table has colours when not on a terminal" || pass "no colours off a terminal"
# usage errors
set +e
"$COMB" bench nosuch >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown benchmark should exit 2"
"$COMB" bench --check no-such-id --root "$R" >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown --check id should exit 2"
"$COMB" bench --root "$TMP/does-not-exist" >/dev/null 2>&1; [ $? -eq 1 ] || fail "missing --root should exit 1"
set -e
pass "usage errors exit 2, an unreadable root exits 1"
finish
