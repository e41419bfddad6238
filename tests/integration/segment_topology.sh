#!/usr/bin/env bash
# segment_topology.sh - `comb segment` on a topology the test builds itself:
# network namespaces frontend, backend and database, each with a veth pair
# on a test bridge that lives in its own "switch" namespace (nothing touches
# the host's namespace). Traffic (bounded loops, only to addresses created
# here) is learned; the generated NetworkPolicies must match the observed
# flows exactly and validate against the networking.k8s.io/v1 schema; the
# nftables ruleset is applied on the bridge: allowed flows still work, the new
# flow frontend -> database is alerted in monitor mode and blocked in protect
# mode; quarantine cuts a workload completely and release restores it;
# --diff and --rollback work. Needs root (BPF, netns, nftables).
. "$(dirname "$0")/lib/common.bash"

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
SCHEMA="$COMB_SRC/tests/data/schemas/networkpolicy-networking-v1.json"
ID=$(( $$ % 100000 ))
P="sg$ID"                         # prefix of every name created here
SW="$P-sw" FE="$P-frontend" BE="$P-backend" DB="$P-database" BIG="$P-big"
NET="10.$(( 200 + ID % 50 )).$(( ID % 250 ))"
FE_IP="$NET.1" BE_IP="$NET.2" DB_IP="$NET.3"
SEGDB="$TMP/segment.db"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "$FE" "$BE" "$DB" "$SW" "$BIG"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- topology ---
ip netns add "$SW"
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
i=0
for pair in "$FE:$FE_IP" "$BE:$BE_IP" "$DB:$DB_IP"; do
  ns=${pair%%:*} ip=${pair#*:}; i=$((i + 1))
  ip netns add "$ns"
  ip link add "${P}a$i" type veth peer name "${P}b$i"
  ip link set "${P}a$i" netns "$ns"
  ip link set "${P}b$i" netns "$SW"
  ip -n "$ns" link set "${P}a$i" name eth0
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$SW" link set "${P}b$i" master br0
  ip -n "$SW" link set "${P}b$i" up
done

# A TCP server (bounded: exits after 300 s) answering "ok" to each connection.
server() { # ns port
  ip netns exec "$1" "$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(64); s.settimeout(1.0)
end = time.time() + 300
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    try:
        c.sendall(b"ok\n")
    finally:
        c.close()
' "$2" &
  PIDS+=($!)
}
# connect NS ADDR PORT: 0 when the server answered within 2 s
connect() {
  ip netns exec "$1" "$PY" -c '
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    sys.exit(0 if c.recv(8).startswith(b"ok") else 1)
except OSError:
    sys.exit(1)
' "$2" "$3"
}
traffic() { # NS ADDR PORT COUNT
  local n=0
  for _ in $(seq 1 "$4"); do connect "$1" "$2" "$3" && n=$((n + 1)); done
  echo "$n"
}

# --- learn (the learner first: it also sees the servers' listening sockets) ---
"$COMB" segment run --db "$SEGDB" --duration 120 -o "$TMP/alerts.json" 2>"$TMP/run.err" &
RUN=$!
PIDS+=($RUN)
for _ in $(seq 1 100); do grep -q 'ready' "$TMP/run.err" 2>/dev/null && break; sleep 0.1; done
grep -q 'ready' "$TMP/run.err" || { echo "FAIL: learner not ready: $(cat "$TMP/run.err")"; exit 1; }
server "$BE" 8080
server "$DB" 5432
sleep 0.5
[ "$(traffic "$FE" "$BE_IP" 8080 5)" = 5 ] && pass "learn: frontend -> backend:8080 (5 connections)" || fail "learn: frontend -> backend"
[ "$(traffic "$BE" "$DB_IP" 5432 5)" = 5 ] && pass "learn: backend -> database:5432 (5 connections)" || fail "learn: backend -> database"
# UDP: three datagrams to backend:5353 (one record: repeats within a second are counted, not sent)
ip netns exec "$FE" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"x", (sys.argv[1], 5353))' "$BE_IP"
sleep 2

"$COMB" segment graph --db "$SEGDB" --format json >"$TMP/graph.json"
"$PY" - "$TMP/graph.json" "$P-" >"$TMP/flows.got" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1])); p = sys.argv[2]
for f in g["flows"]:
    if f["src"].startswith(p) or f["dst"].startswith(p):
        print(f'{f["src"]} {f["dst"]} {f["proto"]}/{f["port"]} count>={min(f["count"], 5)}')
PYEOF
printf '%s\n' "$FE $BE tcp/8080 count>=5" "$BE $DB tcp/5432 count>=5" "$FE $BE udp/5353 count>=1" >"$TMP/flows.exp"
compare "learned flows among the test's workloads" "$TMP/flows.exp" "$TMP/flows.got"
"$PY" -c '
import json, sys
g = {x["name"]: x for x in json.load(open(sys.argv[1]))["groups"]}
assert "tcp/8080" in g[sys.argv[2]]["listening"].split(","), g[sys.argv[2]]
assert "tcp/5432" in g[sys.argv[3]]["listening"].split(","), g[sys.argv[3]]
assert g[sys.argv[4]]["listening"] == "", g[sys.argv[4]]' "$TMP/graph.json" "$BE" "$DB" "$FE" \
  && pass "listening sockets recorded (backend tcp/8080, database tcp/5432)" || fail "listening sockets: $(head -c 400 "$TMP/graph.json")"
"$COMB" segment graph --db "$SEGDB" --format dot >"$TMP/graph.dot"
grep -q "digraph" "$TMP/graph.dot" && pass "graph --format dot" || fail "graph --format dot"
"$COMB" segment graph --db "$SEGDB" >"$TMP/graph.txt"
grep -q "$FE" "$TMP/graph.txt" && pass "graph --format table" || fail "graph --format table"

# --- NetworkPolicy: exactly the observed flows, valid networking.k8s.io/v1 ---
"$COMB" segment policy --db "$SEGDB" --format k8s -o "$TMP/np.yaml"
"$PY" - "$TMP/np.yaml" "$P-" "$SCHEMA" "$TMP/graph.json" >"$TMP/np.got" 2>"$TMP/np.err" <<'PYEOF'
import json, sys, yaml, jsonschema
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
prefix, schema = sys.argv[2], json.load(open(sys.argv[3]))
graph = json.load(open(sys.argv[4]))
v = jsonschema.Draft7Validator(schema)
bad = 0
for d in docs:
    for e in v.iter_errors(d):
        bad += 1
        print("schema:", d["metadata"]["name"], e.message, file=sys.stderr)
# label set -> workload, for the test's groups
mine = {d["metadata"]["annotations"]["comb.dev/workload"]: d for d in docs
        if d["metadata"]["annotations"]["comb.dev/workload"].startswith(prefix)}
def who(sel):
    return [w for w, d in mine.items() if d["spec"]["podSelector"]["matchLabels"] == sel["matchLabels"]]
allowed = set()
for w, d in mine.items():
    spec = d["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    for r in spec.get("ingress") or []:
        for peer in r.get("from", []):
            for src in who(peer["podSelector"]):
                for p in r["ports"]:
                    allowed.add(("in", src, w, p["protocol"].lower(), p["port"]))
    for r in spec.get("egress") or []:
        if "to" not in r:  # the DNS rule: no peer, port 53 only
            assert sorted((p["protocol"], p["port"]) for p in r["ports"]) == [("TCP", 53), ("UDP", 53)], r
            continue
        for peer in r["to"]:
            for dst in who(peer["podSelector"]):
                for p in r["ports"]:
                    allowed.add(("out", w, dst, p["protocol"].lower(), p["port"]))
for a in sorted(allowed):
    print(*a)
print("schema errors:", bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PYEOF
[ $? = 0 ] && pass "NetworkPolicies validate against networking.k8s.io/v1 ($(grep -c '^kind: NetworkPolicy' "$TMP/np.yaml") documents)" || fail "NetworkPolicy schema: $(head -c 600 "$TMP/np.err")"
printf '%s\n' "in $FE $BE tcp 8080" "out $FE $BE tcp 8080" "in $BE $DB tcp 5432" "out $BE $DB tcp 5432" \
  "in $FE $BE udp 5353" "out $FE $BE udp 5353" >"$TMP/np.exp"
compare "NetworkPolicy allows exactly the observed flows (ingress and egress)" "$TMP/np.exp" "$TMP/np.got"

# --- monitor: a new flow is alerted, not blocked ---
"$COMB" segment mode monitor "$FE" "$BE" "$DB" --db "$SEGDB"
sleep 1.5  # the learner re-reads modes every second
[ "$(traffic "$FE" "$DB_IP" 5432 1)" = 1 ] && pass "monitor: frontend -> database still connects" || fail "monitor: frontend -> database blocked"
for _ in $(seq 1 30); do grep -q "$DB" "$TMP/alerts.json" 2>/dev/null && break; sleep 0.1; done
"$PY" - "$TMP/alerts.json" "$FE" "$DB" "$DB_IP" <<'PYEOF' && pass "monitor: Falco JSON alert for frontend -> database" || fail "monitor: no valid alert: $(head -c 600 "$TMP/alerts.json")"
import json, sys
src, dst, ip = sys.argv[2:5]
for line in open(sys.argv[1]):
    a = json.loads(line)
    assert set(a) == {"time", "rule", "priority", "source", "hostname", "output", "output_fields", "tags"}, a.keys()
    f = a["output_fields"]
    if f["comb.segment.src"] == src and f["comb.segment.dst"] == dst:
        assert f["fd.sip"] == ip and f["fd.sport"] == 5432 and f["fd.l4proto"] == "tcp", f
        assert a["priority"] == "Warning" and f["comb.segment.action"] == "alerted", a
        assert a["time"].endswith("Z") and "segment" in a["tags"], a
        sys.exit(0)
sys.exit(1)
PYEOF
"$COMB" segment graph --db "$SEGDB" --format json | "$PY" -c '
import json, sys
g = json.load(sys.stdin)
sys.exit(any(f["src"] == sys.argv[1] and f["dst"] == sys.argv[2] for f in g["flows"]))' "$FE" "$DB" \
  && pass "monitor: the violation was not learned" || fail "monitor: the violation was learned as a flow"

# --- protect: enforced on the bridge with nftables ---
"$COMB" segment policy --db "$SEGDB" --apply --netns "$SW" 2>"$TMP/apply.err" && pass "policy --apply in netns $SW" || fail "policy --apply: $(cat "$TMP/apply.err")"
"$COMB" segment mode protect "$FE" "$BE" "$DB" --db "$SEGDB" 2>/dev/null  # re-applies
ip netns exec "$SW" nft list table bridge comb_segment >"$TMP/nft.txt"
grep -q "$FE_IP . $BE_IP . tcp . 8080" "$TMP/nft.txt" && pass "nftables: allowed flow in the allow set" || fail "nftables: allow set: $(head -c 800 "$TMP/nft.txt")"
[ "$(grep -c 'ip saddr\|ip daddr' "$TMP/nft.txt")" -le 12 ] && pass "nftables: a fixed handful of rules (sets, not a rule per flow)" || fail "nftables: too many rules"
sleep 1.5
[ "$(traffic "$FE" "$BE_IP" 8080 3)" = 3 ] && pass "protect: frontend -> backend allowed" || fail "protect: frontend -> backend blocked"
[ "$(traffic "$BE" "$DB_IP" 5432 3)" = 3 ] && pass "protect: backend -> database allowed" || fail "protect: backend -> database blocked"
[ "$(traffic "$FE" "$DB_IP" 5432 2)" = 0 ] && pass "protect: frontend -> database blocked" || fail "protect: frontend -> database NOT blocked"
for _ in $(seq 1 30); do grep -q '"blocked"' "$TMP/alerts.json" 2>/dev/null && break; sleep 0.1; done
grep '"blocked"' "$TMP/alerts.json" | grep "$DB" >/dev/null && pass "protect: blocked attempt alerted" || fail "protect: no alert for the blocked attempt"

# --- diff ---
"$COMB" segment mode monitor "$DB" --db "$SEGDB" 2>/dev/null
ip netns exec "$SW" nft list set bridge comb_segment protect >"$TMP/protect.set"
grep -q "$DB_IP" "$TMP/protect.set" && fail "mode monitor: database still in the protect set" || pass "mode change re-applied (database left the protect set)"
"$COMB" segment mode protect "$DB" --db "$SEGDB" 2>/dev/null
"$COMB" segment quarantine "$BE" --db "$SEGDB"
ip netns exec "$SW" nft list set bridge comb_segment quarantine >"$TMP/quarantine.set"
grep -q "$BE_IP" "$TMP/quarantine.set" && pass "quarantine: backend in the quarantine set" || fail "quarantine: set: $(cat "$TMP/quarantine.set")"
[ "$(traffic "$FE" "$BE_IP" 8080 2)" = 0 ] && pass "quarantine: frontend -> backend cut" || fail "quarantine: frontend -> backend still works"
[ "$(traffic "$BE" "$DB_IP" 5432 2)" = 0 ] && pass "quarantine: backend -> database cut" || fail "quarantine: backend -> database still works"
"$COMB" segment policy --db "$SEGDB" --diff >"$TMP/diff0.txt"
[ ! -s "$TMP/diff0.txt" ] && pass "policy --diff: nothing to change after an apply" || fail "policy --diff not empty: $(head -c 300 "$TMP/diff0.txt")"
"$COMB" segment quarantine "$BE" --allow "$FE_IP" --db "$SEGDB"
[ "$(traffic "$FE" "$BE_IP" 8080 2)" = 2 ] && pass "quarantine --allow frontend: frontend -> backend kept" || fail "quarantine --allow: frontend -> backend cut"
[ "$(traffic "$BE" "$DB_IP" 5432 2)" = 0 ] && pass "quarantine --allow frontend: backend -> database cut" || fail "quarantine --allow: backend -> database works"
"$COMB" segment quarantine "$BE" --allow "not-an-address" --db "$SEGDB" 2>/dev/null && fail "quarantine accepted a bad allowlist" || pass "quarantine: a bad allowlist is a usage error"
"$COMB" segment release "$BE" --db "$SEGDB"
[ "$(traffic "$FE" "$BE_IP" 8080 2)" = 2 ] && pass "release: frontend -> backend restored" || fail "release: frontend -> backend still cut"
[ "$(traffic "$BE" "$DB_IP" 5432 2)" = 2 ] && pass "release: backend -> database restored" || fail "release: backend -> database still cut"
[ "$(traffic "$FE" "$DB_IP" 5432 1)" = 0 ] && pass "release: frontend -> database still blocked" || fail "release: frontend -> database open"

# --- rollback: back to the (allowlisted) quarantine ruleset the release replaced ---
"$COMB" segment policy --db "$SEGDB" --rollback 2>/dev/null && pass "policy --rollback" || fail "policy --rollback"
[ "$(traffic "$BE" "$DB_IP" 5432 1)" = 0 ] && pass "rollback: the previous (quarantine) ruleset is back" || fail "rollback: ruleset not restored"
"$COMB" segment release "$BE" --db "$SEGDB"
"$COMB" segment status --db "$SEGDB" >"$TMP/status.txt"
grep -q "enforcement: nftables bridge table comb_segment in netns $SW" "$TMP/status.txt" && pass "status names the enforcement point" || fail "status"

# --- diff: a flow added to the graph (not applied yet) shows up as one added element ---
"$COMB" segment policy --db "$SEGDB" --apply 2>/dev/null
printf 'flow %s %s tcp/6000\n' "$FE" "$DB" >"$TMP/extra.flows"
"$COMB" segment import --db "$SEGDB" "$TMP/extra.flows" 2>/dev/null
"$COMB" segment policy --db "$SEGDB" --diff >"$TMP/diff1.txt"
[ "$(cat "$TMP/diff1.txt")" = "+ $FE_IP . $DB_IP . tcp . 6000" ] && pass "policy --diff shows the one new allowed flow" || fail "policy --diff: $(head -c 400 "$TMP/diff1.txt")"

# --- a large first apply (staged: elements through libnftnl) equals the generated ruleset ---
ip netns add "$BIG"
"$PY" - >"$TMP/big.flows" <<'PYEOF'
for i in range(500):
    print(f"group b{i} addr=10.251.{i // 250}.{i % 250 + 1} mode=protect")
for i in range(6000):
    print(f"flow b{i % 500} b{(i * 7 + 3) % 500} {'udp' if i % 5 == 0 else 'tcp'}/{1000 + i // 500}")
PYEOF
"$COMB" segment import --db "$TMP/big.db" "$TMP/big.flows" 2>/dev/null
"$COMB" segment policy --db "$TMP/big.db" -o "$TMP/big.nft"
"$COMB" segment policy --db "$TMP/big.db" --apply --netns "$BIG" 2>/dev/null || fail "large apply"
sleep 1  # a set dump during the hash table's resize may repeat elements
ip netns exec "$BIG" nft list table bridge comb_segment >"$TMP/big.live"
"$PY" - "$TMP/big.nft" "$TMP/big.live" <<'PYEOF' && pass "large first apply: the kernel holds exactly the generated sets" || fail "large first apply differs"
import re, sys
def sets(t):
    out = {}
    for m in re.finditer(r"set (\w+) \{(.*?)\n\t\}", t, re.S):
        e = re.search(r"elements = \{(.*?)\}", m.group(2), re.S)
        out[m.group(1)] = sorted(x.strip() for x in e.group(1).replace("\n", " ").split(",")) if e else []
    return out
a, b = sets(open(sys.argv[1]).read()), sets(open(sys.argv[2]).read())
print("    sets:", {k: len(v) for k, v in a.items()})
assert len(a["allow"]) > 5000 and a == b, {k: (len(a[k]), len(b.get(k, []))) for k in a}
PYEOF

# --- learner counters ---
kill -INT "$RUN"; wait "$RUN" || true
grep -q 'ring drops [0-9]' "$TMP/run.err" && pass "run: counters reported ($(tail -n 1 "$TMP/run.err" | cut -c1-160)...)" || fail "run: no counters: $(cat "$TMP/run.err")"
finish
