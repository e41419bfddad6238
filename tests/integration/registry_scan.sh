#!/usr/bin/env bash
# Scan on push in comb registry serve: images pushed to a project with --scan-on-push are scanned
# (the library's scan pipeline on a layout view of the stored blobs) against a small vulnerability
# database built here (the Alpine secdb plus one OSV advisory rating musl CRITICAL); the result is
# an OCI referrer (artifactType application/vnd.comb.scan.v1+json) listed by the referrers API;
# --block-severity refuses pulls of images at or above it and of images never scanned; pushers are
# exempt; decisions are audited. `comb registry rescan` after the database gained an advisory finds
# an image that now violates its project's policy; webhooks (push, delete, scan_completed,
# policy_violation) reach a python3 receiver that fails the first attempts (retries).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env
ROOT="$TMP/root"
R() { "$COMB" registry "$@" --root "$ROOT"; }

mkdir -p "$TMP/osv"
cat >"$TMP/osv/TEST-2026-0001.json" <<'JSON'
{"schema_version":"1.6.0","id":"TEST-2026-0001","modified":"2026-01-01T00:00:00Z","summary":"test advisory for musl",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "affected":[{"package":{"ecosystem":"Alpine:v3.10","name":"musl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"99.0-r0"}]}]}]}
JSON
# the registry starts with the secdb alone (alpine 3.10.4 is clean there); the advisory comes later
"$COMB" db import -q --db "$TMP/vuln.db" "$COMB_SHARED/data/advisories/alpine-secdb" >/dev/null
"$COMB" db import -q --db "$TMP/vuln2.db" "$COMB_SHARED/data/advisories/alpine-secdb" "$TMP/osv" >/dev/null
zcat "$COMB_SHARED/data/images/alpine-310.tar.gz" >"$TMP/alpine.tar"

echo "dev-password-1" | R user add dev --password-stdin
echo "consumer-pw-1" | R user add consumer --password-stdin
echo "boss-password-1" | R user add boss --sysadmin --password-stdin
R project set scanp --scan-on-push --block-severity HIGH
R project set noscan --block-severity HIGH
for p in scanp noscan; do
  R member set --project $p --user dev --role developer
  R member set --project $p --user consumer --role guest
done
set +e; R project set x --block-severity SEVERE 2>/dev/null; rc=$?; set -e
[ "$rc" = 2 ] && pass "--block-severity with an unknown severity: exit 2" || fail "bad severity: exit $rc"

$PY "$COMB_SRC/tests/integration/lib/hookrecv.py" "$TMP/hooks.log" 2 >"$TMP/hook.port" 2>/dev/null &
REG_PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$TMP/hook.port" ] && break; sleep 0.1; done
HOOK="http://127.0.0.1:$(head -1 "$TMP/hook.port")/events"
start_combreg "$ROOT" --auth --scan-db "$TMP/vuln.db" --webhook "$HOOK" --webhook-retries 4
DC=dev:dev-password-1; CC=consumer:consumer-pw-1
skopeo copy -q --dest-tls-verify=false --dest-creds $DC "docker-archive:$TMP/alpine.tar" "docker://$CREG/scanp/alpine:3.10"
skopeo copy -q --dest-tls-verify=false --dest-creds $DC "oci:$D/oci:bookworm" "docker://$CREG/scanp/debian:12"
skopeo copy -q --dest-tls-verify=false --dest-creds $DC "docker-archive:$TMP/alpine.tar" "docker://$CREG/noscan/alpine:3.10"
digest_of() { echo "sha256:$(skopeo inspect --raw --tls-verify=false --creds $DC "docker://$CREG/$1" | sha256sum | cut -d' ' -f1)"; }
scan_of() { # REPO DIGEST -> the scan summary JSON, waiting for the worker
  local i ref lay
  for i in $(seq 1 120); do
    ref=$(curl -s -u $DC "http://$CREG/v2/$1/referrers/$2?artifactType=application/vnd.comb.scan.v1%2Bjson" |
          $PY -c 'import json,sys; m=json.load(sys.stdin)["manifests"]; print(m[0]["digest"] if m else "")')
    [ -n "$ref" ] && break
    sleep 0.5
  done
  [ -n "$ref" ] || return 1
  lay=$(curl -s -u $DC "http://$CREG/v2/$1/manifests/$ref" | $PY -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  curl -s -u $DC "http://$CREG/v2/$1/blobs/$lay"
}
adig=$(digest_of scanp/alpine:3.10); ddig=$(digest_of scanp/debian:12)
if scan_of scanp/alpine "$adig" >"$TMP/a0.json"; then
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["max_severity"]=="NONE", d' "$TMP/a0.json" &&
    pass "alpine 3.10 scanned on push: clean against the secdb alone" || fail "alpine first scan: $(head -c 300 "$TMP/a0.json")"
else fail "no scan referrer for scanp/alpine"; fi
pullc() { skopeo copy -q --src-tls-verify=false --src-creds $CC "docker://$CREG/$1" "oci:$TMP/pc:x" >"$TMP/pc.err" 2>&1; }
pullc scanp/alpine:3.10 && pass "the clean image pulls" || fail "clean alpine pull refused: $(cat "$TMP/pc.err")"
# the database gains an advisory: rescan, a webhook names the image now violating the policy
out=$("$COMB" registry rescan --root "$ROOT" --scan-db "$TMP/vuln2.db" --webhook "$HOOK")
info "$out"
$PY - "$ROOT/access.db" "$adig" >"$TMP/a.json" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT summary FROM scans WHERE digest=?", (sys.argv[2],)).fetchone()[0])
PY
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["max_severity"]=="CRITICAL" and d["counts"]["CRITICAL"]==2 and {f["id"] for f in d["findings"]}=={"TEST-2026-0001"}, d' "$TMP/a.json" &&
  pass "rescan with the new database: alpine now CRITICAL (musl, musl-utils)" || fail "rescan result: $(head -c 300 "$TMP/a.json")"
n=$(curl -s -u $DC "http://$CREG/v2/scanp/alpine/referrers/$adig?artifactType=application/vnd.comb.scan.v1%2Bjson" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["manifests"]))')
[ "$n" = 2 ] && pass "both scan results are referrers of the image (filtered by artifactType)" || fail "scan referrers: $n"
if scan_of scanp/debian "$ddig" >"$TMP/d.json"; then
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["max_severity"]=="NONE" and not d["findings"], d' "$TMP/d.json" &&
    pass "debian 12 scanned on push: no findings in this database" || fail "debian scan: $(head -c 300 "$TMP/d.json")"
else fail "no scan referrer for scanp/debian"; fi
if pullc scanp/alpine:3.10; then fail "a CRITICAL image was pulled under --block-severity HIGH"
else grep -q "severity CRITICAL" "$TMP/pc.err" && pass "pull of the CRITICAL image refused, with the reason" || fail "refusal: $(cat "$TMP/pc.err")"; fi
pullc scanp/debian:12 && pass "pull of the clean image allowed" || fail "clean pull refused: $(cat "$TMP/pc.err")"
if pullc noscan/alpine:3.10; then fail "an unscanned image was pulled under --block-severity"
else grep -q "not been scanned" "$TMP/pc.err" && pass "pull of an image never scanned refused" || fail "unscanned: $(cat "$TMP/pc.err")"; fi
skopeo copy -q --src-tls-verify=false --src-creds $DC "docker://$CREG/scanp/alpine:3.10" "oci:$TMP/pd:x" &&
  pass "the pusher (developer) may still pull it (to fix, sign or retag)" || fail "developer pull refused"
R audit --limit 1000 >"$TMP/audit"
grep -q $'\tscan\t'"$adig"$'\tscanned' "$TMP/audit" && grep -q "refused: vulnerabilities" "$TMP/audit" &&
  pass "audit: scans and policy refusals" || fail "audit: $(tail -5 "$TMP/audit")"
ls "$ROOT/scan" 2>/dev/null | grep -q . && fail "scan views left behind" || pass "no layout views left behind"
curl -s -o /dev/null -u boss:boss-password-1 -X DELETE "http://$CREG/v2/scanp/debian/manifests/12"
stop_combreg  # delivers what is pending
for _ in $(seq 1 40); do grep -q '"type":"delete"' "$TMP/hooks.log" 2>/dev/null && break; sleep 0.5; done
H="$TMP/hooks.log"
grep -q '"repository":"scanp/alpine","tag":"3.10","time":"[^"]*","type":"push"' "$H" && pass "webhook: push (after 2 failed attempts: retried)" || fail "webhook push: $(head -3 "$H" 2>/dev/null)"
grep -q "\"digest\":\"$adig\".*\"type\":\"scan_completed\"" "$H" && pass "webhook: scan_completed" || fail "webhook scan_completed"
grep "\"type\":\"policy_violation\"" "$H" | grep -q "was UNKNOWN\|was NONE" && pass "webhook: policy_violation from the rescan (was clean)" || fail "webhook rescan violation: $(grep policy "$H" | head -2)"
grep "\"type\":\"policy_violation\"" "$H" | grep -q "severity CRITICAL, at or above the project" && pass "webhook: policy_violation for a refused pull" || fail "webhook pull violation"
grep -q '"repository":"scanp/debian","tag":"12","time":"[^"]*","type":"delete"' "$H" && pass "webhook: delete" || fail "webhook delete: $(grep delete "$H")"
finish
