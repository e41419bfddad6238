#!/bin/bash
# comb server with LDAP: a real slapd (Debian's, configured in a temporary
# directory, listening on loopback only) holds two users; comb server lets
# them log in by an LDAP simple bind and gives them --ldap-role. Wrong and
# empty passwords, unknown users and names that would change the DN are
# refused; a local user still logs in with its own password; a directory
# user with the viewer role cannot change anything.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/server.bash"
SLAPD=/usr/sbin/slapd
[ -x "$SLAPD" ] && command -v slapadd >/dev/null && command -v slappasswd >/dev/null ||
  { echo "FAIL: slapd and ldap-utils are needed (apt-get install slapd ldap-utils)"; exit 1; }

L="$TMP/ldap"
mkdir -p "$L/db"
LPORT=$(free_port)
cat >"$L/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $L/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
rootpw $(slappasswd -s root-secret)
directory $L/db
access to attrs=userPassword by anonymous auth by * none
access to * by * read
CONF
cat >"$L/data.ldif" <<LDIF
dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: uid=dana,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: dana
cn: Dana
sn: D
userPassword: $(slappasswd -s dana-ldap-pw)

dn: uid=erin,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: erin
cn: Erin
sn: E
userPassword: $(slappasswd -s erin-ldap-pw)
LDIF
slapadd -f "$L/slapd.conf" -l "$L/data.ldif" >"$L/slapadd.log" 2>&1 || { echo "FAIL: slapadd: $(cat "$L/slapadd.log")"; exit 1; }
"$SLAPD" -f "$L/slapd.conf" -h "ldap://127.0.0.1:$LPORT/" -d 0 >"$L/slapd.log" 2>&1 &
SERVER_PIDS+=($!)
for _ in $(seq 50); do
  ldapwhoami -x -H "ldap://127.0.0.1:$LPORT" -D uid=dana,ou=people,dc=example,dc=org -w dana-ldap-pw >/dev/null 2>&1 && break
  sleep 0.2
done
ldapwhoami -x -H "ldap://127.0.0.1:$LPORT" -D uid=dana,ou=people,dc=example,dc=org -w dana-ldap-pw >/dev/null 2>&1 &&
  pass "slapd runs on 127.0.0.1:$LPORT" || { fail "slapd did not start: $(tail -5 "$L/slapd.log")"; finish; }

DATA="$TMP/data"
echo "local-admin-pw" | "$COMB" server useradd --data "$DATA" --role admin root-local
PORT=$(free_port)
start_server ldap "$DATA" "$PORT" --ldap-url "ldap://127.0.0.1:$LPORT" \
  --ldap-user-dn 'uid=%s,ou=people,dc=example,dc=org' --ldap-role viewer
URL="http://127.0.0.1:$PORT"
login() { curl -s -o "$TMP/login.json" -w '%{http_code}' -u "$1" -X POST "$URL/api/v1/tokens"; }
check_login() { # CREDENTIALS WANT LABEL
  local got; got=$(login "$1")
  [ "$got" = "$2" ] && pass "$3 ($got)" || fail "$3: HTTP $got, want $2"
}
check_login dana:dana-ldap-pw 201 "LDAP user dana logs in with the directory's password"
role=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["role"])' "$TMP/login.json")
[ "$role" = viewer ] && pass "an LDAP user gets --ldap-role (viewer)" || fail "role: $role"
TOKEN=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/login.json")
check_login erin:erin-ldap-pw 201 "LDAP user erin logs in"
check_login dana:erin-ldap-pw 401 "a wrong LDAP password is refused"
check_login dana: 401 "an empty password is refused (no unauthenticated bind)"
check_login nobody:dana-ldap-pw 401 "a user the directory does not have is refused"
check_login 'dana,ou=people,dc=example,dc=org:dana-ldap-pw' 401 "a name that would change the DN is refused"
check_login '*:dana-ldap-pw' 401 "a wildcard name is refused"
check_login root-local:local-admin-pw 201 "a local user still logs in"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/nodes")
[ "$st" = 200 ] && pass "the LDAP user's token reads (200)" || fail "read with LDAP token: $st"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -X POST --data-binary '{}' "$URL/api/v1/nodes/n/inventory")
[ "$st" = 403 ] && pass "the viewer from LDAP cannot write (403)" || fail "write with LDAP viewer token: $st"
kill "${SERVER_PIDS[0]}" 2>/dev/null
check_login dana:dana-ldap-pw 401 "with the directory down, LDAP logins fail closed"
finish
