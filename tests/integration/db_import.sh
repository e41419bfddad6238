#!/usr/bin/env bash
# `comb db import` and `comb db status` on the shared advisories (Go and crates OSV JSON, PyPI OSV
# YAML, Alpine secdb YAML), with --db in a temporary directory: the printed counts must equal an
# independent count (python3), re-importing must not change them, malformed input must be rejected
# with a warning and exit 0, and usage errors must give the documented exit codes.
. "$(dirname "$0")/lib/common.bash"
D="$COMB_SHARED/data"
DB="$TMP/sub/vuln.db"

# Independent counts.
$PY - "$D" >"$TMP/expected" <<'PYEOF'
import json, os, re, sys, yaml
root = sys.argv[1]
osv = 0; withdrawn = 0; ids = set()
def rec(d):
    global osv, withdrawn
    if d.get('withdrawn'): withdrawn += 1
    else: osv += 1; ids.add(d['id'])
for sub in ('osv/go', 'osv/crates'):
    for f in os.listdir(os.path.join(root, sub)):
        if f.endswith('.json'): rec(json.load(open(os.path.join(root, sub, f))))
for dp, dn, fn in os.walk(os.path.join(root, 'advisories/pypi')):
    for f in fn:
        if f.endswith('.yaml'): rec(yaml.safe_load(open(os.path.join(dp, f))))
tuples = set()
sd = os.path.join(root, 'advisories/alpine-secdb')
for rel in os.listdir(sd):
    for repo in os.listdir(os.path.join(sd, rel)):
        d = yaml.safe_load(open(os.path.join(sd, rel, repo)))
        for p in d.get('packages') or []:
            for ver, l in (p['pkg'].get('secfixes') or {}).items():
                for s in l or []:
                    s = re.sub(r'CVE[ _]', 'CVE-', str(s).split('(')[0])
                    got = set('CVE-%s-%s' % m for m in re.findall(r'CVE-(\d{4})-(\d{4,})', s))
                    got |= {t for t in s.split() if not t.upper().startswith('CVE') and t[-1].isdigit()
                            and re.fullmatch(r'[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+', t)}
                    for i in got:
                        tuples.add((rel, p['pkg']['name'], str(ver), i)); ids.add(i)
print(osv, withdrawn, len(tuples), len(ids))
PYEOF
read -r X_OSV X_WD X_SECDB X_VULNS <"$TMP/expected"
info "expected: osv $X_OSV (withdrawn $X_WD), alpine-secdb $X_SECDB, vulnerabilities $X_VULNS"

# import
set +e
"$COMB" db import --db "$DB" "$D/osv/go" "$D/osv/crates" "$D/advisories/pypi" \
  "$D/advisories/alpine-secdb" >"$TMP/import.out" 2>"$TMP/import.err"
RC=$?
set -e
cat "$TMP/import.out"
[ "$RC" -eq 0 ] && pass "import exits 0" || fail "import exited $RC: $(head -c 400 "$TMP/import.err")"
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
[ "$(field osv "$TMP/import.out")" = "$X_OSV" ] && pass "osv records $X_OSV" \
  || fail "osv records: $(field osv "$TMP/import.out"), want $X_OSV"
[ "$(field alpine-secdb "$TMP/import.out")" = "$X_SECDB" ] && pass "alpine-secdb records $X_SECDB" \
  || fail "alpine-secdb records: $(field alpine-secdb "$TMP/import.out"), want $X_SECDB"
[ "$(field withdrawn "$TMP/import.out")" = "$X_WD" ] && pass "withdrawn $X_WD dropped" \
  || fail "withdrawn: $(field withdrawn "$TMP/import.out"), want $X_WD"
[ "$(field rejected "$TMP/import.out")" = "0" ] && pass "nothing rejected" \
  || fail "rejected: $(field rejected "$TMP/import.out"): $(head -c 400 "$TMP/import.err")"
[ -s "$TMP/import.err" ] && fail "warnings on a clean import: $(head -c 300 "$TMP/import.err")" || true

# status (table and json)
status_json() {
  set +e
  "$COMB" db status --db "$DB" --format json >"$TMP/status.json" 2>"$TMP/status.err"
  RC=$?
  set -e
}
status_json
[ "$RC" -eq 0 ] && pass "status exits 0" || fail "status exited $RC: $(cat "$TMP/status.err")"
get() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/status.json" "$1"; }
nsrc() { $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sources"]))' "$TMP/status.json"; }
V1=$(get vulnerabilities); A1=$(get affected)
[ "$V1" = "$X_VULNS" ] && pass "status: $V1 vulnerabilities" || fail "status: $V1 vulnerabilities, want $X_VULNS"
[ "$(nsrc)" = 4 ] && pass "status: 4 sources" || fail "status: $(nsrc) sources, want 4"
[ "$(get path)" = "$DB" ] && pass "status: path" || fail "status: path $(get path), want $DB"
SIZE=$(get size)
[ "$SIZE" = "$(stat -c %s "$DB")" ] && pass "status: size $SIZE bytes" || fail "status: size $SIZE"
"$COMB" db status --db "$DB" >"$TMP/status.txt"
grep -q "^vulnerabilities  *$X_VULNS\$" "$TMP/status.txt" && grep -q '^built  *20' "$TMP/status.txt" \
  && grep -q "osv:.*/osv/go (" "$TMP/status.txt" && pass "status table" \
  || { fail "status table:"; cat "$TMP/status.txt"; }

# re-import: same counts
"$COMB" db import -q --db "$DB" "$D/osv/go" "$D/advisories/alpine-secdb" >/dev/null
status_json
[ "$(get vulnerabilities)" = "$V1" ] && [ "$(get affected)" = "$A1" ] && [ "$(nsrc)" = 4 ] \
  && pass "re-import is idempotent ($V1 vulnerabilities, $A1 affected rows)" \
  || fail "re-import changed counts: $(get vulnerabilities)/$(get affected), was $V1/$A1"

# malformed input: a warning naming the file, exit 0, the good record lands
mkdir -p "$TMP/mixed"
printf '{"id": "GHSA-bad", ' >"$TMP/mixed/bad.json"
printf '{"id": "GHSA-it-good", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "it-pkg"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]}' >"$TMP/mixed/good.json"
set +e
"$COMB" db import --db "$DB" "$TMP/mixed" >"$TMP/mixed.out" 2>"$TMP/mixed.err"
RC=$?
set -e
[ "$RC" -eq 0 ] && grep -q "mixed/bad.json: JSON" "$TMP/mixed.err" \
  && [ "$(field rejected "$TMP/mixed.out")" = 1 ] && [ "$(field osv "$TMP/mixed.out")" = 1 ] \
  && pass "malformed file rejected with a warning, good one imported" \
  || fail "malformed import: rc $RC, $(cat "$TMP/mixed.err" "$TMP/mixed.out")"

# exit codes
expect_rc() {
  local want=$1; shift
  set +e
  "$COMB" "$@" >/dev/null 2>"$TMP/rc.err"
  local rc=$?
  set -e
  [ "$rc" -eq "$want" ] && pass "comb $* -> $rc" || fail "comb $* -> $rc, want $want ($(head -c 200 "$TMP/rc.err"))"
}
expect_rc 1 db status --db "$TMP/none/missing.db"
expect_rc 1 db import --db "$TMP/x.db" "$TMP/does-not-exist"
expect_rc 2 db import --db "$TMP/x.db"
expect_rc 2 db status --db "$DB" --format xml
expect_rc 2 db
expect_rc 2 db frobnicate
expect_rc 0 help db
printf 'not a database at all, just text that sqlite will refuse to read.......\n' >"$TMP/junk.db"
expect_rc 1 db status --db "$TMP/junk.db"
finish
