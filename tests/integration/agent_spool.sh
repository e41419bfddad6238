#!/bin/bash
# comb agent: a server and two agents (separate processes and spool
# directories, standing for two nodes) on loopback over HTTPS with mutual
# TLS (each agent presents a client certificate the server's client CA
# signed; clients without one, or with another CA's, are refused). The server is
# stopped while the agents keep producing inventories and restarted: every
# inventory arrives (counted per node on the server), the spools end empty,
# and the agents report the outage and the recovery.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/server.bash"

N=12
make_cert "$TMP"
make_client_ca "$TMP" node-a node-b viewer
DATA="$TMP/data"
echo "operator-secret" | "$COMB" server useradd --data "$DATA" --role operator op
echo "viewer-secret" | "$COMB" server useradd --data "$DATA" --role viewer view
PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
MTLS=(--tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --client-ca "$TMP/ca.pem")
start_server first "$DATA" "$PORT" "${MTLS[@]}"
CURL=(curl -s --cacert "$TMP/cert.pem" --cert "$TMP/viewer.crt" --key "$TMP/viewer.key")
token() { "${CURL[@]}" -u "$1" -X POST "$URL/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
token op:operator-secret >"$TMP/op.token"
VIEW=$(token view:viewer-secret)
[ ${#VIEW} = 64 ] && pass "a client with a certificate from the client CA logs in" || fail "no token with a client certificate"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" -u view:viewer-secret -X POST "$URL/api/v1/tokens")
[ "$st" != 201 ] && pass "without a client certificate: refused ($st)" || fail "no client certificate, yet 201"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" --cert "$TMP/rogue.crt" --key "$TMP/rogue.key" -u view:viewer-secret -X POST "$URL/api/v1/tokens")
[ "$st" != 201 ] && pass "a certificate from another CA: refused ($st)" || fail "rogue client certificate, yet 201"

AGENTS=()
for node in node-a node-b; do
  "$COMB" agent --server "$URL" --cacert "$TMP/cert.pem" --token-file "$TMP/op.token" \
    --client-cert "$TMP/$node.crt" --client-key "$TMP/$node.key" \
    --spool "$TMP/spool-$node" --node "$node" --interval 0.4 --count "$N" 2>"$TMP/$node.err" &
  AGENTS+=($!)
  SERVER_PIDS+=($!)
done
sleep 1.5
stop_server "$SERVER_PID"
info "server stopped; agents keep producing"
sleep 3
waiting=$(( $(ls "$TMP/spool-node-a" | wc -l) + $(ls "$TMP/spool-node-b" | wc -l) ))
[ "$waiting" -gt 2 ] && pass "records pile up in the spools while the server is away ($waiting)" ||
  fail "only $waiting records spooled during the outage"
start_server second "$DATA" "$PORT" "${MTLS[@]}"
for i in 0 1; do
  if timeout 120 tail --pid="${AGENTS[$i]}" -f /dev/null; then
    wait "${AGENTS[$i]}" && rc=0 || rc=$?
    [ "$rc" = 0 ] && pass "agent $i exits 0 after --count $N, delivered" || fail "agent $i: exit $rc: $(tail -3 "$TMP"/node-*.err)"
  else
    fail "agent $i still running after 120 s: $(tail -3 "$TMP"/node-*.err)"
  fi
done
counts=$("${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes" |
  $PY -c 'import json,sys; print(" ".join("%s=%d" % (n["node"], n["records"].get("inventory", 0)) for n in json.load(sys.stdin)))')
[ "$counts" = "node-a=$N node-b=$N" ] && pass "nothing lost: $counts" || fail "records on the server: '$counts' (want $N each)"
left=$(find "$TMP"/spool-node-* -type f | wc -l)
[ "$left" = 0 ] && pass "spools are empty" || fail "$left files left in the spools"
grep -q 'retry in' "$TMP/node-a.err" && grep -q 'server back' "$TMP/node-a.err" &&
  pass "the agent backed off and recovered: $(grep -m1 'retry in' "$TMP/node-a.err" | cut -c1-120)" ||
  fail "no backoff/recovery messages: $(tail -5 "$TMP/node-a.err")"
body=$("${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes/node-b/inventory" |
  $PY -c 'import json,sys; r=json.load(sys.stdin)[0]["body"]; print(r["schema_version"], "host" in r, isinstance(r["containers"], list))')
[ "$body" = "1 True True" ] && pass "the stored records are inventory documents" || fail "stored body: $body"
# --bench: the bench report travels the same way
"$COMB" agent --server "$URL" --cacert "$TMP/cert.pem" --token-file "$TMP/op.token" -q \
  --client-cert "$TMP/node-a.crt" --client-key "$TMP/node-a.key" \
  --spool "$TMP/spool-node-c" --node node-c --interval 0.2 --count 2 --bench 2>"$TMP/node-c.err" &&
  got=$("${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes/node-c/bench" |
    $PY -c 'import json,sys; r=json.load(sys.stdin); print(len(r), all("summary" in x["body"] and "results" in x["body"] for x in r))') ||
  got="agent failed: $(cat "$TMP/node-c.err")"
[ "$got" = "2 True" ] && pass "--bench: two bench reports delivered" || fail "--bench: $got"
finish
