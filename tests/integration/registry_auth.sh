#!/usr/bin/env bash
# Access control of comb registry serve --auth: the Docker/OCI token flow (401 + WWW-Authenticate
# Bearer challenge, GET /token, ES256 bearer tokens scoped per repository), Basic auth of users and
# robot accounts, the role matrix (guest, developer, maintainer, admin, outsider, anonymous, robot
# scopes; pull, push, delete, promote, catalog), public projects, immutable tags, tampered or
# foreign tokens, the audit log, per-client rate limiting (429 + Retry-After); skopeo and comb's
# client against it.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env
ROOT="$TMP/root"
R() { "$COMB" registry "$@" --root "$ROOT"; }

for u in boss maint dev guest outsider; do echo "pw-$u-secret" | R user add "$u" --password-stdin $([ $u = boss ] && echo --sysadmin); done
R project set proj
R project set pub --public
R project set imm --immutable-tags
R member set --project proj --user maint --role maintainer
R member set --project proj --user dev --role developer
R member set --project proj --user guest --role guest
R member set --project imm --user dev --role developer
robot_pull=$(R robot add cipull --project proj --actions pull | cut -f2)
robot_push=$(R robot add cipush --project proj --actions pull,push | cut -f2)
[ -n "$robot_pull" ] && pass "robot accounts created with generated secrets" || fail "robot add"
set +e; R member set --project proj --user dev --role owner 2>/dev/null; rc=$?; set -e
[ "$rc" = 2 ] && pass "an unknown role is a usage error" || fail "unknown role: exit $rc"
grep -q 'pw-dev-secret' "$ROOT/access.db" && fail "a password is stored in clear" || pass "no password stored in clear (scrypt)"

start_combreg "$ROOT" --auth
U="http://$CREG"
cred() { echo "$1:pw-$1-secret"; }
push() { skopeo copy -q --dest-tls-verify=false --dest-creds "$1" "oci:$D/oci:bookworm" "docker://$CREG/$2" >"$TMP/p.err" 2>&1; }
pull() { if [ -n "$1" ]; then skopeo inspect --raw --tls-verify=false --creds "$1" "docker://$CREG/$2"; else skopeo inspect --raw --tls-verify=false "docker://$CREG/$2"; fi >"$TMP/pl.out" 2>"$TMP/pl.err"; }
expect() { # LABEL WANT(0 ok/1 refused) CMD...
  local label=$1 want=$2; shift 2
  if "$@"; then got=0; else got=1; fi
  [ "$got" = "$want" ] && pass "$label" || fail "$label (got $([ $got = 0 ] && echo allowed || echo refused))"
}

# 1. the challenge
hdrs=$(curl -s -D - -o "$TMP/b" "$U/v2/" | tr -d '\r')
echo "$hdrs" | grep -q '^HTTP/1.1 401' && echo "$hdrs" | grep -q "^WWW-Authenticate: Bearer realm=\"http://$CREG/token\",service=\"comb-registry\"" &&
  pass "anonymous /v2/: 401 with a Bearer challenge naming realm and service" || fail "challenge: $hdrs"
hdrs=$(curl -s -D - -o /dev/null "$U/v2/proj/app/manifests/1" | tr -d '\r')
echo "$hdrs" | grep -q 'scope="repository:proj/app:pull"' && pass "the challenge names the scope needed" || fail "scope in challenge: $hdrs"

# 2. the role matrix through skopeo (token flow)
expect "developer pushes to its project" 0 push "$(cred dev)" proj/app:1
expect "maintainer pushes" 0 push "$(cred maint)" proj/app:2
expect "guest cannot push" 1 push "$(cred guest)" proj/app:3
expect "outsider cannot push" 1 push "$(cred outsider)" proj/app:3
expect "anonymous cannot push" 1 push "" proj/app:3
expect "wrong password cannot push" 1 push "dev:wrong" proj/app:3
expect "sysadmin pushes anywhere" 0 push "$(cred boss)" pub/app:1
expect "guest pulls" 0 pull "$(cred guest)" proj/app:1
expect "developer pulls" 0 pull "$(cred dev)" proj/app:1
expect "outsider cannot pull a private project" 1 pull "$(cred outsider)" proj/app:1
expect "anonymous cannot pull a private project" 1 pull "" proj/app:1
expect "anonymous pulls from a public project" 0 pull "" pub/app:1
expect "outsider pulls from a public project" 0 pull "$(cred outsider)" pub/app:1
expect "developer cannot push to a public project it is not in" 1 push "$(cred dev)" pub/app:2
expect "robot with pull pulls" 0 pull "robot\$cipull:$robot_pull" proj/app:1
expect "robot with pull cannot push" 1 push "robot\$cipull:$robot_pull" proj/app:9
expect "robot with push pushes" 0 push "robot\$cipush:$robot_push" proj/app:9
expect "robot of proj cannot pull elsewhere" 1 pull "robot\$cipush:$robot_push" imm/app:1

# 3. delete and promote by Basic auth (curl)
man=$(skopeo inspect --raw --tls-verify=false --creds "$(cred dev)" "docker://$CREG/proj/app:1")
dig="sha256:$(printf '%s' "$man" | sha256sum | cut -d' ' -f1)"
mt=$(printf '%s' "$man" | $PY -c 'import json,sys; print(json.load(sys.stdin)["mediaType"])')
code() { curl -s -o "$TMP/c.out" -w '%{http_code}' "$@"; }
putm() { code -u "$1" -X PUT -H "Content-Type: $mt" --data-binary "$man" "$U/v2/$2"; }
[ "$(code -u "$(cred dev)" -X DELETE "$U/v2/proj/app/manifests/2")" = 403 ] && grep -q DENIED "$TMP/c.out" &&
  pass "developer cannot delete: 403 DENIED" || fail "developer delete: $(cat "$TMP/c.out")"
[ "$(code -u "$(cred guest)" -X DELETE "$U/v2/proj/app/manifests/2")" = 403 ] && pass "guest cannot delete: 403" || fail "guest delete"
[ "$(code -u "$(cred maint)" -X DELETE "$U/v2/proj/app/manifests/2")" = 202 ] && pass "maintainer deletes: 202" || fail "maintainer delete: $(cat "$TMP/c.out")"
[ "$(putm "$(cred dev)" proj/app/manifests/prod)" = 403 ] && pass "developer cannot promote to prod: 403" || fail "developer promote: $(cat "$TMP/c.out")"
[ "$(putm "$(cred dev)" proj/app/manifests/feature-x)" = 201 ] && pass "developer may set an ordinary tag" || fail "developer tag: $(cat "$TMP/c.out")"
[ "$(putm "$(cred maint)" proj/app/manifests/prod)" = 201 ] && pass "maintainer promotes to prod: 201" || fail "maintainer promote: $(cat "$TMP/c.out")"
set +e
echo "pw-dev-secret" | "$COMB" registry promote --insecure --username dev --password-stdin "$CREG/proj/app@$dig" --to test >/dev/null 2>"$TMP/pr.err"; rc=$?
echo "pw-maint-secret" | "$COMB" registry promote --insecure --username maint --password-stdin "$CREG/proj/app@$dig" --to test >"$TMP/pr.out" 2>&1; rc2=$?
set -e
[ "$rc" = 7 ] && pass "comb registry promote as a developer: refused, exit 7" || fail "developer promote CLI: exit $rc $(cat "$TMP/pr.err")"
[ "$rc2" = 0 ] && [ "$(skopeo inspect --raw --tls-verify=false --creds "$(cred maint)" "docker://$CREG/proj/app:test" | sha256sum | cut -d' ' -f1)" = "${dig#sha256:}" ] &&
  pass "comb registry promote as a maintainer (token flow): test names the digest" || fail "maintainer promote CLI: exit $rc2 $(cat "$TMP/pr.out")"
[ "$(putm "robot\$cipush:$robot_push" proj/app/manifests/test)" = 403 ] && pass "push robot cannot promote" || fail "robot promote"
[ "$(code -u "$(cred dev)" "$U/v2/_catalog")" = 403 ] && pass "developer cannot list the catalog" || fail "dev catalog: $(cat "$TMP/c.out")"
[ "$(code -u "$(cred boss)" "$U/v2/_catalog")" = 200 ] && grep -q proj/app "$TMP/c.out" && pass "sysadmin lists the catalog" || fail "boss catalog"

# 4. immutable tags
expect "developer pushes imm/app:1" 0 push "$(cred dev)" imm/app:1
other=$(printf '%s' "$man" | $PY -c 'import json,sys; m=json.load(sys.stdin); m.setdefault("annotations",{})["x"]="y"; print(json.dumps(m))')
[ "$(code -u "$(cred dev)" -X PUT -H "Content-Type: $mt" --data-binary "$other" "$U/v2/imm/app/manifests/1")" = 403 ] &&
  grep -q immutable "$TMP/c.out" && pass "an immutable tag is not moved: 403" || fail "immutable move: $(cat "$TMP/c.out")"
[ "$(putm "$(cred dev)" imm/app/manifests/1)" = 201 ] && pass "re-pushing the same manifest to an immutable tag is fine" || fail "immutable same"
[ "$(code -u "$(cred boss)" -X DELETE "$U/v2/imm/app/manifests/1")" = 403 ] && pass "an immutable tag is not deleted, even by a sysadmin" || fail "immutable delete"

# 5. tokens by hand
tok=$(curl -s -u "$(cred guest)" "$U/token?service=comb-registry&scope=repository:proj/app:pull,push" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
claims=$(printf '%s' "$tok" | cut -d. -f2 | tr '_-' '/+' | $PY -c 'import base64,sys; s=sys.stdin.read().strip(); print(base64.b64decode(s+"="*(-len(s)%4)).decode())')
echo "$claims" | $PY -c 'import json,sys; c=json.load(sys.stdin); assert c["access"]==[{"type":"repository","name":"proj/app","actions":["pull"]}], c' &&
  pass "a token grants only what the role allows (guest asked pull,push, got pull)" || fail "token claims: $claims"
[ "$(code -H "Authorization: Bearer $tok" "$U/v2/proj/app/manifests/1")" = 200 ] && pass "bearer token pulls" || fail "bearer pull: $(cat "$TMP/c.out")"
h=$(curl -s -D - -o /dev/null -X POST -H "Authorization: Bearer $tok" "$U/v2/proj/app/blobs/uploads/" | tr -d '\r')
echo "$h" | grep -q '^HTTP/1.1 401' && echo "$h" | grep -q 'scope="repository:proj/app:pull,push"' && pass "bearer without push: 401 asking for the push scope" || fail "bearer push: $h"
bad="${tok%?}A"; [ "${tok: -1}" = A ] && bad="${tok%?}B"
[ "$(code -H "Authorization: Bearer $bad" "$U/v2/proj/app/manifests/1")" = 401 ] && pass "a tampered token: 401" || fail "tampered token accepted"
forged=$(printf '%s' "$tok" | cut -d. -f1).$(printf '{"iss":"comb-registry","sub":"boss","aud":"comb-registry","exp":9999999999,"nbf":0,"access":[{"type":"repository","name":"proj/app","actions":["delete"]}]}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(printf '%s' "$tok" | cut -d. -f3)
[ "$(code -X DELETE -H "Authorization: Bearer $forged" "$U/v2/proj/app/manifests/1")" = 401 ] && pass "a forged payload under a real signature: 401" || fail "forged token accepted"
none=$(printf '{"alg":"none"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(printf '%s' "$tok" | cut -d. -f2).
[ "$(code -H "Authorization: Bearer $none" "$U/v2/proj/app/manifests/1")" = 401 ] && pass "alg none: 401" || fail "alg none accepted"
[ "$(code "$U/token?service=other&scope=repository:proj/app:pull")" = 400 ] && pass "a token for another service: refused" || fail "other service"
[ "$(code -u "dev:wrong" "$U/token?service=comb-registry")" = 401 ] && pass "/token with a wrong password: 401" || fail "token wrong password"

# 6. comb's own client: token flow with --username/--password-stdin
set +e
echo "pw-guest-secret" | timeout 300 "$COMB" sbom -f json -o "$TMP/s.json" --insecure --username guest --password-stdin "$CREG/proj/app:1" 2>"$TMP/s.err"; rc=$?
timeout 300 "$COMB" sbom -f json -o "$TMP/s2.json" --insecure "$CREG/proj/app:1" 2>"$TMP/s2.err"; rc2=$?
set -e
[ "$rc" = 0 ] && pass "comb sbom with credentials through the token flow" || fail "comb sbom: $rc $(cat "$TMP/s.err")"
[ "$rc2" = 7 ] && pass "comb sbom without credentials: exit 7" || fail "comb sbom anonymous: exit $rc2"

# 7. the audit log
R audit --limit 10000 >"$TMP/audit"
for pat in $'\tlogin\ttoken\tallowed' $'\tpush\tproj/app:1\tallowed' $'\tpull\tproj/app:1\tallowed' $'\tdelete\tproj/app:2\tallowed' 'denied: lacks push' 'denied: lacks delete' $'\tlogin\ttoken\tdenied' $'\timm/app:1\trefused\t403'; do
  grep -qF "$pat" "$TMP/audit" && pass "audit has \"$(printf '%s' "$pat" | tr '\t' ' ')\"" || fail "audit lacks \"$pat\""
done
grep -q $'\tdev\t' "$TMP/audit" && pass "audit entries name the user" || fail "audit users"
stop_combreg

# 8. rate limiting
start_combreg "$ROOT" --auth --rate 2 --burst 3
U="http://$CREG"
n429=0; ra=""
for i in $(seq 1 10); do
  h=$(curl -s -D - -o /dev/null -u "$(cred guest)" "$U/v2/proj/app/tags/list" | tr -d '\r')
  if echo "$h" | grep -q '^HTTP/1.1 429'; then n429=$((n429 + 1)); ra=$(echo "$h" | sed -n 's/^Retry-After: //p'); fi
done
[ "$n429" -ge 5 ] && [ -n "$ra" ] && pass "rate limit: $n429 of 10 quick requests got 429, Retry-After: $ra" || fail "rate limit: $n429 429s"
sleep 2
[ "$(code -u "$(cred guest)" "$U/v2/proj/app/tags/list")" = 200 ] && pass "after waiting, requests pass again" || fail "rate limit recovery"
R audit >"$TMP/audit3"; grep -q rate-limited "$TMP/audit3" && pass "audit records rate limiting" || fail "audit lacks rate-limited"
stop_combreg

# 9. TLS with a self-signed certificate made by openssl(1); the token realm is https
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/tls.key" -out "$TMP/tls.crt" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
start_combreg "$ROOT" --auth --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key"
hdrs=$(curl -s --cacert "$TMP/tls.crt" -D - -o /dev/null "https://$CREG/v2/" | tr -d '\r')
echo "$hdrs" | grep -q "realm=\"https://$CREG/token\"" && pass "HTTPS: verified by curl against the certificate; realm is https" || fail "https: $hdrs"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$CREG/v2/")" != 401 ] && pass "plain HTTP is not served on the TLS port" || fail "plain http answered"
mkdir -p "$TMP/certs" && cp "$TMP/tls.crt" "$TMP/certs/ca.crt"
skopeo copy -q --dest-cert-dir "$TMP/certs" --dest-creds "$(cred dev)" "oci:$D/oci:bookworm" "docker://$CREG/proj/tls:1" >"$TMP/t.err" 2>&1 &&
  pass "skopeo pushes over HTTPS (certificate verified) with the token flow" || fail "skopeo https: $(cat "$TMP/t.err")"
stop_combreg
finish
