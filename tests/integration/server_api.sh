#!/bin/bash
# comb server's API security: local users with scrypt passwords, tokens that
# expire, every route x every role (the table below must name exactly the
# routes of `comb server --routes` and of docs/openapi.yaml, with the same
# least role), wrong passwords, the audit log, the per-client rate limit
# (429), TLS, records stored and read back (inventory and Falco alert lines),
# and a structural check of docs/openapi.yaml (OpenAPI 3.0: every operation
# documents its responses, every $ref resolves).
# env: COMB_TEST_DB - a PostgreSQL URL to keep the store in (server_api_pg.sh
#      sets it); unset: SQLite in the test's directory
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/server.bash"

make_cert "$TMP"
DATA="$TMP/data"
DB=()   # the store: DATA/server.db, or the database COMB_TEST_DB names
[ -n "${COMB_TEST_DB:-}" ] && DB=(--db "$COMB_TEST_DB")
if [ -n "${COMB_TEST_DB:-}" ]; then info "store: PostgreSQL (COMB_TEST_DB)"; else info "store: SQLite"; fi
# pwhashes: the users table's password hashes, a line each
pwhashes() {
  if [ -n "${COMB_TEST_DB:-}" ]; then
    psql -X -At -d "$COMB_TEST_DB" -c 'SELECT pwhash FROM users'
  else
    $PY -c 'import sqlite3, sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("SELECT pwhash FROM users")]' "$DATA/server.db"
  fi
}
for u in admin:admin operator:operator viewer:viewer; do
  echo "pw-${u%%:*}-secret" | "$COMB" server useradd --data "$DATA" "${DB[@]}" --role "${u#*:}" "${u%%:*}" ||
    { echo "FAIL: useradd ${u%%:*}"; exit 1; }
done
set +e
echo short | "$COMB" server useradd --data "$DATA" "${DB[@]}" --role viewer weak 2>/dev/null; rc_weak=$?
echo "long enough" | "$COMB" server useradd --data "$DATA" "${DB[@]}" --role root bad 2>/dev/null; rc_role=$?
set -e
[ "$rc_weak" != 0 ] && pass "a password of fewer than 8 characters is refused" || fail "weak password accepted"
[ "$rc_role" = 2 ] && pass "an unknown role is a usage error" || fail "role root: exit $rc_role"
if pwhashes | $PY -c 'import sys; rows = sys.stdin.read().split()
sys.exit(0 if len(rows) == 3 and all(r.startswith("scrypt$32768$8$1$") and "secret" not in r for r in rows) else 1)'; then
  pass "passwords are stored as scrypt hashes only"
else
  fail "the users table holds something other than scrypt hashes"
fi

PORT=$(free_port)
start_server main "$DATA" "$PORT" "${DB[@]}" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --rate 1000
"$COMB" server --routes >"$TMP/routes.txt"

$PY - "$PORT" "$TMP/cert.pem" "$TMP/routes.txt" "$COMB_SRC/docs/openapi.yaml" <<'PYEOF' >"$TMP/checks.out" 2>&1
import base64, json, ssl, sys, time, urllib.request, urllib.error
import yaml
port, cert, routes_file, openapi = sys.argv[1:5]
base = "https://127.0.0.1:%s" % port
ctx = ssl.create_default_context(cafile=cert)
def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what, flush=True)
def call(method, path, token=None, basic=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=body)
    if token: req.add_header("Authorization", "Bearer " + token)
    if basic: req.add_header("Authorization", "Basic " + base64.b64encode(basic.encode()).decode())
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

# plain HTTP to the TLS port fails
try:
    urllib.request.urlopen("http://127.0.0.1:%s/api/v1/health" % port, timeout=5).read(); check(False, "plain HTTP is refused")
except Exception:
    check(True, "plain HTTP is refused on the TLS port")

tokens = {}
for u in ("admin", "operator", "viewer"):
    st, b = call("POST", "/api/v1/tokens", basic="%s:pw-%s-secret" % (u, u))
    check(st == 201 and json.loads(b)["role"] == u, "%s logs in with its password (%s)" % (u, st))
    tokens[u] = json.loads(b).get("token") if st == 201 else None
for who, cred in (("wrong password", "admin:pw-admin-secreT"), ("unknown user", "mallory:pw-admin-secret"), ("empty password", "admin:")):
    st, _ = call("POST", "/api/v1/tokens", basic=cred)
    check(st == 401, "%s is refused (%s)" % (who, st))
st, _ = call("GET", "/api/v1/nodes", token="0" * 64)
check(st == 401, "a made-up token is refused (%s)" % st)

ROLES = ["anonymous", "viewer", "operator", "admin"]
# a Harbor scan of a registry nobody listens on: queued (202), its report a 302 or a 500
HARBOR_SCAN = b'{"registry": {"url": "http://127.0.0.1:9"}, "artifact": {"repository": "a/b", "digest": "sha256:' + b"0" * 64 + b'"}}'
st, b = call("POST", "/harbor/api/v1/scan", token=tokens["operator"], body=HARBOR_SCAN)
HARBOR_ID = json.loads(b).get("id", "none") if st == 202 else "none"
# the least role of every route, and a request body that succeeds
TABLE = {
    ("GET", "/api/v1/health"): ("none", None),
    ("POST", "/api/v1/tokens"): ("viewer", None),
    ("GET", "/api/v1/nodes"): ("viewer", None),
    ("GET", "/api/v1/nodes/{node}/{kind}"): ("viewer", None),
    ("POST", "/api/v1/nodes/{node}/{kind}"): ("operator", b'{"containers": []}'),
    ("GET", "/api/v1/users"): ("admin", None),
    ("POST", "/api/v1/users"): ("admin", b'{"name": "carol", "password": "carol-secret", "role": "viewer"}'),
    ("GET", "/api/v1/audit"): ("admin", None),
    # the web console's views (docs/CONSOLE.md)
    ("GET", "/api/v1/overview"): ("viewer", None),
    ("GET", "/api/v1/assets"): ("viewer", None),
    ("GET", "/api/v1/assets/{id}"): ("viewer", None),
    ("GET", "/api/v1/graph"): ("viewer", None),
    ("GET", "/api/v1/images"): ("viewer", None),
    ("GET", "/api/v1/images/{id}/vulnerabilities"): ("viewer", None),
    ("GET", "/api/v1/compliance"): ("viewer", None),
    ("GET", "/api/v1/alerts"): ("viewer", None),
    ("GET", "/harbor/api/v1/metadata"): ("viewer", None),
    ("POST", "/harbor/api/v1/scan"): ("operator", HARBOR_SCAN),
    ("GET", "/harbor/api/v1/scan/{id}/report"): ("viewer", None),
}
served = {}
for line in open(routes_file):
    m, p, r = line.split()
    served[(m, p)] = r
spec = yaml.safe_load(open(openapi))
documented = {(m.upper(), p): op.get("x-comb-role") for p, item in spec["paths"].items()
              for m, op in item.items() if m in ("get", "post", "put", "delete", "patch")}
check(set(TABLE) == set(served), "the test covers every route the server has (%d)" % len(served))
check(set(documented) == set(served), "docs/openapi.yaml documents every route and no other")
check(all(served[k] == TABLE[k][0] == documented.get(k) for k in served), "least roles agree: server, test table, OpenAPI")
rank = {"none": 0, "anonymous": 0, "viewer": 1, "operator": 2, "admin": 3}
for (m, p), (least, body) in sorted(TABLE.items()):
    url = p.replace("{node}", "node-a").replace("{kind}", "inventory").replace("{id}", HARBOR_ID if p.startswith("/harbor/") else "node-x")
    for role in ROLES:
        if (m, p) == ("POST", "/api/v1/tokens"):
            basic = None if role == "anonymous" else "%s:pw-%s-secret" % (role, role)
            st, _ = call(m, url, basic=basic)
        else:
            st, _ = call(m, url, token=tokens.get(role), body=body)
        if rank[role] >= rank[least]:  # allowed: a console view of an {id} nothing has is 404
            want = "2xx"; ok = 200 <= st < 300 or (p.endswith("/report") and st in (302, 500)) or \
                (p.startswith("/api/") and "{id}" in p and st == 404)
        else:
            want = 401 if role == "anonymous" else 403; ok = st == want
        check(ok, "%s %s as %s: %s (want %s)" % (m, p, role, st, want))

# records: an inventory and Falco alert lines, read back by a viewer
inv = json.dumps({"schema_version": 1, "containers": [{"id": "x"}]}).encode()
st, _ = call("POST", "/api/v1/nodes/node-b/inventory", token=tokens["operator"], body=inv)
lines = b'{"rule":"Terminal shell in container","priority":"Notice","output":"a"}\n{"rule":"Read sensitive file","priority":"Warning","output":"b"}\n'
st2, b2 = call("POST", "/api/v1/nodes/node-b/alert", token=tokens["operator"], body=lines)
check(st == 201 and st2 == 201 and json.loads(b2)["stored"] == 2, "an inventory and two Falco alert lines are stored")
st, b = call("GET", "/api/v1/nodes/node-b/alert", token=tokens["viewer"])
check(st == 200 and sorted(r["body"]["rule"] for r in json.loads(b)) == ["Read sensitive file", "Terminal shell in container"], "a viewer reads the alerts back")
def post_rid(rid, body, kind="inventory"):
    req = urllib.request.Request(base + "/api/v1/nodes/node-c/" + kind, method="POST", data=body)
    req.add_header("Authorization", "Bearer " + tokens["operator"]); req.add_header("X-Comb-Record-Id", rid)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=20) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, {}
a, b = post_rid("rec-1", inv), post_rid("rec-1", inv)
c = post_rid("rec-2", lines, "alert"); d = post_rid("rec-2", lines, "alert")
check(a == (201, {"stored": 1, "duplicates": 0}) and b == (201, {"stored": 0, "duplicates": 1}),
      "a record resent with the same X-Comb-Record-Id is stored once (%s, %s)" % (a, b))
check(c[1].get("stored") == 2 and d[1].get("stored") == 0 and d[1].get("duplicates") == 2, "alert lines resent are stored once")
check(post_rid("../x", inv)[0] == 400, "a record id that is not a plain name is refused")
st, _ = call("POST", "/api/v1/nodes/node-b/alert", token=tokens["operator"], body=b'not json\n')
check(st == 400, "alert lines that are not JSON are refused (%s)" % st)
st, _ = call("POST", "/api/v1/nodes/node-b/inventory", token=tokens["operator"], body=b'{"truncated":')
check(st == 400, "a malformed document is refused (%s)" % st)
st, _ = call("GET", "/api/v1/nodes/..%2f/inventory", token=tokens["viewer"])
check(st == 404, "a node name that is not a plain name is not routed (%s)" % st)
st, _ = call("GET", "/api/v1/nodes/node-b/passwords", token=tokens["viewer"])
check(st == 404, "an unknown record kind is 404 (%s)" % st)
st, _ = call("DELETE", "/api/v1/nodes", token=tokens["admin"])
check(st == 405, "an undocumented method is 405 (%s)" % st)

st, b = call("GET", "/api/v1/audit", token=tokens["admin"])
audit = json.loads(b) if st == 200 else []
check(any(a["user"] == "viewer" and a["status"] == 403 and a["path"] == "/api/v1/users" for a in audit),
      "the audit log records a viewer refused on /api/v1/users")
check(any(a["status"] == 401 and a["path"] == "/api/v1/tokens" for a in audit), "the audit log records failed logins")
# stored records are audited once, in the records' own transaction (node-c: the
# two inventory and two alert posts with record ids above, resends included)
posts = [(a["path"], a["status"], a["user"]) for a in audit if a["method"] == "POST" and a["path"].startswith("/api/v1/nodes/node-c/")]
check(sorted(posts) == sorted([("/api/v1/nodes/node-c/inventory", 201, "operator")] * 2 + [("/api/v1/nodes/node-c/alert", 201, "operator")] * 2 + [("/api/v1/nodes/node-c/inventory", 400, "operator")]),
      "each record post is audited exactly once, with its status and user (%s)" % posts)
PYEOF
while read -r line; do
  case $line in ok:*) pass "${line#ok:   }" ;; FAIL:*) fail "${line#FAIL: }" ;; *) info "$line" ;; esac
done <"$TMP/checks.out"

# tokens expire: a server issuing 2-second tokens over the same store
stop_server "$SERVER_PID"
PORT3=$(free_port)
start_server short "$DATA" "$PORT3" "${DB[@]}" --token-ttl 2
TOK=$(curl -s -u viewer:pw-viewer-secret -X POST "http://127.0.0.1:$PORT3/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
nodes() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT3/api/v1/nodes"; }
st=$(nodes)
[ "$st" = 200 ] && pass "a fresh token works ($st)" || fail "fresh token: $st"
sleep 3
st=$(nodes)
[ "$st" = 401 ] && pass "a token past its lifetime is refused ($st)" || fail "expired token: $st"

# the rate limit: 5 requests a second (bursts of 10) from one client
PORT2=$(free_port)
start_server limited "$TMP/data2" "$PORT2" "${DB[@]}" --rate 5
codes=$(for _ in $(seq 30); do curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT2/api/v1/health"; done | sort | uniq -c | tr '\n' ' ')
grep -q ' 429' <<<"$codes" && grep -q ' 200' <<<"$codes" && pass "rate limit: some 200, then 429 ($codes)" || fail "rate limit: $codes"
sleep 1.5
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT2/api/v1/health")" = 200 ] &&
  pass "the budget refills after a pause" || fail "still limited after a pause"

# OpenAPI 3.0 structure
if $PY - "$COMB_SRC/docs/openapi.yaml" <<'PYEOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
errs = []
if not str(d.get("openapi", "")).startswith("3.0."): errs.append("openapi is not 3.0.x")
for k in ("title", "version"):
    if k not in d.get("info", {}): errs.append("info.%s missing" % k)
def resolve(ref):
    node = d
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node
def walk(n, where):
    if isinstance(n, dict):
        if "$ref" in n and resolve(n["$ref"]) is None: errs.append("%s: $ref %s does not resolve" % (where, n["$ref"]))
        for k, v in n.items(): walk(v, where + "/" + str(k))
    elif isinstance(n, list):
        for i, v in enumerate(n): walk(v, where + "/" + str(i))
walk(d, "")
schemes = d.get("components", {}).get("securitySchemes", {})
for p, item in d["paths"].items():
    params = {x["name"] for x in item.get("parameters", [])}
    for seg in [s[1:-1] for s in p.split("/") if s.startswith("{")]:
        if seg not in params: errs.append("%s: path parameter %s not declared" % (p, seg))
    for m, op in item.items():
        if m == "parameters": continue
        if not op.get("responses"): errs.append("%s %s: no responses" % (m, p))
        if not op.get("operationId"): errs.append("%s %s: no operationId" % (m, p))
        for s in op.get("security", d.get("security", [])):
            for name in s:
                if name not in schemes: errs.append("%s %s: unknown security scheme %s" % (m, p, name))
for e in errs: print(e)
sys.exit(1 if errs else 0)
PYEOF
then pass "docs/openapi.yaml: OpenAPI 3.0 structure, every \$ref resolves"; else fail "docs/openapi.yaml"; fi
finish
