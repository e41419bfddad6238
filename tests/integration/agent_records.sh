#!/bin/bash
# comb agent sends every kind of record through its spool: a comb server
# (HTTPS, mutual TLS) and an agent run in rounds (--count 1, stopped in
# between) with --scan, --alerts and --segment-db, on real podman
# containers of two images. The server's API is the oracle: each running
# image's digest is scanned and sent once across the rounds (and stored in
# --scan-dir); alert lines, including those appended while the agent was
# stopped, arrive exactly once, in order, after a partial line was
# completed, the file truncated and the file rotated; an over-long line is
# skipped; the segmentation graph is sent again only when it changed.
# Needs root, podman with runc and busybox-static.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/watch.bash"
source "$(dirname "$0")/lib/server.bash"
trap 'server_cleanup; watch_cleanup' EXIT # the server first: it removes TMP, the other the containers

# ---- two images: busybox, and busybox with a vulnerable Alpine package database
busybox_root "$TMP/root"
import_image "$TMP/root"
VULN_IMAGE="localhost/comb-test/vuln:$TEST_NAME-$$"
remove_vuln_image() { podman rmi -f "$VULN_IMAGE" >/dev/null 2>&1 || true; }
CLEANUP_EXTRA=remove_vuln_image
cp -a "$TMP/root" "$TMP/vroot"
mkdir -p "$TMP/vroot/lib/apk/db"
printf 'ID=alpine\nVERSION_ID=3.10.2\n' >"$TMP/vroot/etc/os-release"
printf 'P:ansible\nV:2.8.0-r0\nA:x86_64\no:ansible\n\n' >"$TMP/vroot/lib/apk/db/installed"
tar -C "$TMP/vroot" -c . | podman import - "$VULN_IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
for n in a b v; do CONTAINERS+=("comb-$TEST_NAME-$n-$$"); done
ID_A=$(run_container a -d "$IMAGE" sleep 600)
ID_B=$(run_container b -d "$IMAGE" sleep 600)
ID_V=$(run_container v -d "$VULN_IMAGE" sleep 600)
for id in "$ID_A" "$ID_B" "$ID_V"; do
  [ ${#id} = 64 ] || { echo "FAIL: a container did not start: $(cat "$TMP"/*.out)"; exit 1; }
done
DIGESTS="sha256:$(podman image inspect -f '{{.Id}}' "$IMAGE") sha256:$(podman image inspect -f '{{.Id}}' "$VULN_IMAGE")"
DB="$TMP/vuln.db"
"$COMB" db import -q --db "$DB" "$COMB_SHARED/data/advisories/alpine-secdb/v3.10" >"$TMP/import.out" 2>&1 ||
  { echo "FAIL: db import: $(cat "$TMP/import.out")"; exit 1; }
A="comb-$TEST_NAME-a-$$" B="comb-$TEST_NAME-b-$$"
printf 'group %s kind=container addr=10.99.0.1\ngroup %s kind=container addr=10.99.0.2\nflow %s %s tcp/80 count=4\n' \
  "$A" "$B" "$A" "$B" >"$TMP/flows"
"$COMB" segment import --db "$TMP/segment.db" "$TMP/flows" >/dev/null 2>&1 || { echo "FAIL: segment import"; exit 1; }

# ---- the server
make_cert "$TMP"
make_client_ca "$TMP" node
DATA="$TMP/data"
echo "operator-secret" | "$COMB" server useradd --data "$DATA" --role operator op
PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
start_server server "$DATA" "$PORT" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --client-ca "$TMP/ca.pem"
CURL=(curl -s --cacert "$TMP/cert.pem" --cert "$TMP/node.crt" --key "$TMP/node.key")
"${CURL[@]}" -u op:operator-secret -X POST "$URL/api/v1/tokens" |
  $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$TMP/op.token"
TOKEN=$(cat "$TMP/op.token")
NODE=node-$$
api() { "${CURL[@]}" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/$1"; }

ALERTS="$TMP/alerts.jsonl"
alert() { printf '{"output":"alert %s","priority":"Warning","rule":"test","time":"2026-11-28T00:00:00Z"}\n' "$1"; }
SENT=() # the alert numbers written, in order, that must arrive
send() { for n in "$@"; do alert "$n" >>"$ALERTS"; SENT+=("$n"); done; }

# round NAME: one agent run (an inventory, scans, the graph, the alerts), delivered
round() {
  if "$COMB" agent --server "$URL" --cacert "$TMP/cert.pem" --token-file "$TMP/op.token" \
      --client-cert "$TMP/node.crt" --client-key "$TMP/node.key" --spool "$TMP/spool" --node "$NODE" \
      --count 1 --scan --scan-dir "$TMP/scans" --db "$DB" --alerts "$ALERTS" --segment-db "$TMP/segment.db" \
      2>"$TMP/agent-$1.err"; then
    pass "$1: the agent delivered and exited 0"
  else
    fail "$1: agent failed: $(tail -3 "$TMP/agent-$1.err")"
  fi
}
count() { api nodes | $PY -c 'import json,sys
n = [x for x in json.load(sys.stdin) if x["node"] == sys.argv[1]]
print(n[0]["records"].get(sys.argv[2], 0) if n else 0)' "$NODE" "$1"; }
# the alert lines on the server, oldest first, must be exactly SENT
check_alerts() {
  local got
  got=$(api "nodes/$NODE/alert" | $PY -c 'import json,sys
r = sorted(json.load(sys.stdin), key=lambda x: x["id"])
print(" ".join(x["body"]["output"].split()[1] for x in r))')
  [ "$got" = "${SENT[*]}" ] && pass "$1: every alert line arrived once, in order (${#SENT[@]})" ||
    fail "$1: alerts on the server '$got', want '${SENT[*]}'"
}
# each running image's digest is scanned once: one scan record per digest
check_scans() {
  local got
  got=$(api "nodes/$NODE/scan" | $PY -c 'import json,sys,collections
c = collections.Counter(x["body"]["target"]["config_digest"] for x in json.load(sys.stdin))
want = sys.argv[1].split()
print("ok" if all(c[d] == 1 for d in want) and max(c.values()) == 1 else dict(c))' "$DIGESTS")
  [ "$got" = ok ] && pass "$1: one scan record per image digest, none twice" || fail "$1: scan records per digest: $got"
}

# ---- round 1: three lines and a partial one
send 1 2 3
printf '{"output":"alert 4",' >>"$ALERTS"
round first
check_alerts first
check_scans first
for d in $DIGESTS; do [ -f "$TMP/scans/sha256-${d#sha256:}.json" ] || fail "no stored result for $d"; done
inv=$(api "nodes/$NODE/inventory" | $PY -c 'import json,sys
inv = json.load(sys.stdin)[0]["body"]
st = {i["id"]: (i["scan"] or {}).get("status") for i in inv["images"]}
c = {x["name"]: x for x in inv["containers"]}
rel = [(r["direction"], r["peer"]["name"], r["port"], r["count"]) for r in c[sys.argv[2]]["relationships"]]
print(" ".join(st.get(d[7:], "missing") for d in sys.argv[1].split()), rel == [("outbound", sys.argv[3], 80, 4)])' \
  "$DIGESTS" "$A" "$B")
[ "$inv" = "scanned scanned True" ] && pass "the inventory sent shows both images scanned and the learned flow" ||
  fail "inventory record: $inv"
[ "$(count segmentation)" = 1 ] && pass "the segmentation graph was sent" || fail "segmentation records: $(count segmentation)"
graph=$(api "nodes/$NODE/segmentation" | $PY -c 'import json,sys
g = json.load(sys.stdin)[0]["body"]
print([(f["src"], f["dst"], f["port"], f["count"]) for f in g["flows"]] == [(sys.argv[1], sys.argv[2], 80, 4)])' "$A" "$B")
[ "$graph" = True ] && pass "the graph sent is comb segment graph -f json of the database" || fail "graph record: $graph"

# ---- round 2, after the agent was stopped: the partial line completed, more lines
printf '"priority":"Warning","rule":"test","time":"2026-11-28T00:00:00Z"}\n' >>"$ALERTS"; SENT+=(4)
send 5 6
round second
check_alerts second
check_scans second
[ "$(count segmentation)" = 1 ] && pass "an unchanged graph is not sent again" || fail "segmentation records: $(count segmentation)"

# ---- round 3: the file truncated and rewritten, an over-long line, a changed graph
: >"$ALERTS"
send 7
head -c 70000 /dev/zero | tr '\0' x >>"$ALERTS"; echo >>"$ALERTS"
send 8
printf 'flow %s %s udp/53 count=1\n' "$B" "$A" >"$TMP/flows2"
"$COMB" segment import --db "$TMP/segment.db" "$TMP/flows2" >/dev/null 2>&1 || fail "segment import 2"
round third
check_alerts third
grep -q "rotated or truncated" "$TMP/agent-third.err" && grep -q "1 lines skipped" "$TMP/agent-third.err" &&
  pass "truncation noticed, the over-long line skipped and counted" || fail "agent said: $(cat "$TMP/agent-third.err")"
[ "$(count segmentation)" = 2 ] && pass "a changed graph is sent again" || fail "segmentation records: $(count segmentation)"

# ---- round 4: rotation (the old file moved away, a new one)
mv "$ALERTS" "$ALERTS.1"
send 9 10
round fourth
check_alerts fourth
grep -q "rotated or truncated" "$TMP/agent-fourth.err" && pass "rotation noticed" || fail "rotation: $(cat "$TMP/agent-fourth.err")"
check_scans fourth
[ "$(count inventory)" = 4 ] && pass "four inventories, one a round" || fail "inventories: $(count inventory)"
left=$(find "$TMP/spool" -name '*.json' | wc -l)
[ "$left" = 0 ] && pass "the spool is empty" || fail "$left records left in the spool"
finish
