#!/usr/bin/env bash
# `comb db update` end to end, against a loopback HTTP server started here
# (tests/tools/http_fixture_server.py) that serves real advisories from
# ../shared: first build, 304s, a source cut mid-transfer (the database
# stays intact and usable), plain http refused unless asked for loopback.
. "$(dirname "$0")/lib/common.bash"
FILES="$TMP/files"; DB="$TMP/db/vuln.db"
mkdir -p "$FILES"
(cd "$COMB_SHARED/data/osv/go" && ls | sed -n '1,300p' | zip -q "$FILES/go.zip" -@)
cp "$COMB_SHARED/data/advisories/alpine-secdb/v3.10/main.yaml" "$FILES/alpine.yaml"

coproc SRV { exec $PY "$COMB_SRC/tests/tools/http_fixture_server.py" "$FILES"; }
read -r PORT <&"${SRV[0]}"
trap 'exec {SRV[1]}>&-; wait; rm -rf "$TMP"' EXIT
U="http://127.0.0.1:$PORT"

run() { # expected-exit, args...
  local want=$1; shift
  set +e
  "$COMB" db update --db "$DB" --allow-loopback-http "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
  set -e
  [ "$RC" = "$want" ] || fail "comb db update $* exited $RC, want $want: $(head -c 300 "$TMP/err")"
}

run 0 --source "go=$U/files/go.zip" --source "alpine=$U/files/alpine.yaml"
grep -q "rebuilt" "$TMP/out" && pass "first update builds the database" || fail "no rebuild: $(cat "$TMP/out")"
"$COMB" db status --db "$DB" --format json >"$TMP/status.json"
n=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("vulns", d.get("vulnerabilities", 0)))' "$TMP/status.json")
[ "${n:-0}" -gt 100 ] && pass "status: $n vulnerabilities" || fail "status shows $n vulnerabilities: $(head -c 300 "$TMP/status.json")"
ino=$(stat -c %i "$DB")

run 0 --source "go=$U/files/go.zip" --source "alpine=$U/files/alpine.yaml"
grep -c "not modified" "$TMP/out" | grep -q '^2$' && grep -q "up to date" "$TMP/out" \
  && pass "second update: two 304s, database untouched" || fail "second update: $(cat "$TMP/out")"
[ "$(stat -c %i "$DB")" = "$ino" ] && pass "database file not replaced" || fail "database replaced without a change"

# a source that breaks off mid-transfer: reported, exit 1, previous database intact and usable
run 1 --source "go=$U/files/go.zip" --source "alpine=$U/files/alpine.yaml" --source "broken=$U/cut"
grep -q "broken.*FAILED" "$TMP/out" && grep -q "comb: warning: broken" "$TMP/err" \
  && pass "mid-transfer failure reported" || fail "failure not reported: $(cat "$TMP/out" "$TMP/err")"
[ "$(stat -c %i "$DB")" = "$ino" ] && pass "database intact after the failed source" || fail "database changed"
"$COMB" scan -q --no-cache --db "$DB" -f json -o "$TMP/scan.json" "$COMB_SHARED/data/images/alpine-310.tar.gz" \
  && pass "the database is still usable for a scan" || fail "scan with the database failed"

# changed content upstream: downloaded again and rebuilt
printf 'distroversion: v3.10\nreponame: main\npackages:\n  - pkg:\n      name: musl\n      secfixes:\n        1.1.22-r9:\n          - CVE-2099-0001\n' >"$FILES/alpine.yaml"
run 0 --source "go=$U/files/go.zip" --source "alpine=$U/files/alpine.yaml"
grep -q "alpine *downloaded" "$TMP/out" && grep -q "go *not modified" "$TMP/out" && grep -q rebuilt "$TMP/out" \
  && pass "changed source downloaded, database rebuilt" || fail "changed source: $(cat "$TMP/out")"
"$COMB" scan -q --no-cache --db "$DB" -f json -o "$TMP/scan2.json" "$COMB_SHARED/data/images/alpine-310.tar.gz" || true
grep -q "CVE-2099-0001" "$TMP/scan2.json" && pass "the new advisory is matched (musl 1.1.22-r3 < 1.1.22-r9)" \
  || fail "new advisory not matched"

# plain http is refused without the loopback flag; https-only by default
set +e
"$COMB" db update --db "$DB" --source "go=$U/files/go.zip" >"$TMP/out" 2>"$TMP/err"; rc=$?
set -e
[ "$rc" != 0 ] && grep -q "https" "$TMP/err" && pass "plain http refused by default" \
  || fail "plain http accepted without --allow-loopback-http (exit $rc)"
finish
