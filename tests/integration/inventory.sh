#!/bin/bash
# comb inventory on a live host with real podman containers: one serving on a
# port, one privileged, one with a read-only bind mount and labels, one
# stopped. `podman inspect` is the oracle for ids, names, images, state, pid,
# privileges, effective capabilities, labels and mounts; the ports and
# processes are the ones the containers were started with. The JSON document
# is validated against docs/inventory.schema.json. Needs root, podman with
# runc and busybox-static.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/watch.bash"

busybox_root "$TMP/root"
import_image "$TMP/root"
mkdir -p "$TMP/data"
echo hello >"$TMP/data/index.html"

# run_container runs in a subshell here: the names are recorded for the cleanup
for n in web priv bind stop; do CONTAINERS+=("comb-$TEST_NAME-$n-$$"); done
ID_WEB=$(run_container web -d --label tier=web "$IMAGE" httpd -f -p 8080 -h /tmp)
ID_PRIV=$(run_container priv -d --privileged "$IMAGE" sleep 600)
ID_BIND=$(run_container bind -d -v "$TMP/data:/data:ro" --label team=blue --label env=test "$IMAGE" sleep 600)
ID_STOP=$(run_container stop "$IMAGE" true)
for id in "$ID_WEB" "$ID_PRIV" "$ID_BIND" "$ID_STOP"; do
  [ ${#id} = 64 ] || { echo "FAIL: a container did not start: $(cat "$TMP"/*.out)"; exit 1; }
done
# httpd listens once it has started
for _ in $(seq 50); do
  "${PODMAN[@]}" exec "${CONTAINERS[0]}" netstat -ltn 2>/dev/null | grep -q ':8080 ' && break
  sleep 0.1
done
"${PODMAN[@]}" inspect "${CONTAINERS[@]}" >"$TMP/inspect.json"

set +e
"$COMB" inventory --format json -o "$TMP/inv.json" 2>"$TMP/inv.err"; rc=$?
"$COMB" inventory >"$TMP/inv.txt" 2>&1; rc_table=$?
"$COMB" inventory --format xml >/dev/null 2>&1; rc_usage=$?
set -e
[ "$rc" = 0 ] && pass "inventory --format json exits 0" || { fail "exit $rc: $(cat "$TMP/inv.err")"; finish; }
[ "$rc_table" = 0 ] && grep -q "${ID_WEB:0:12}" "$TMP/inv.txt" && ! grep -q $'\033' "$TMP/inv.txt" &&
  pass "table lists the containers, without colour when not on a terminal" ||
  fail "table: exit $rc_table: $(head -5 "$TMP/inv.txt")"
[ "$rc_usage" = 2 ] && pass "unknown format is a usage error (2)" || fail "--format xml: exit $rc_usage"

if $PY "$COMB_SRC/tests/tools/validate_schema.py" "$COMB_SRC/docs/inventory.schema.json" "$TMP/inv.json" >"$TMP/schema.out" 2>&1; then
  pass "document validates against docs/inventory.schema.json"
else
  fail "schema: $(head -c 600 "$TMP/schema.out")"
fi

$PY - "$TMP/inv.json" "$TMP/inspect.json" "$ID_WEB" "$ID_PRIV" "$ID_BIND" "$ID_STOP" "$TMP/data" <<'PYEOF' >"$TMP/checks.out"
import json, sys
inv = json.load(open(sys.argv[1]))
oracle = {c["Id"]: c for c in json.load(open(sys.argv[2]))}
web, priv, bind, stop, data = sys.argv[3:8]
byid = {c["id"]: c for c in inv["containers"]}
def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
for cid, o in oracle.items():
    c = byid.get(cid)
    if c is None:
        check(False, "container %s is in the inventory" % o["Name"]); continue
    n = o["Name"]
    check(c["engine"] == "podman" and c["name"] == n, "%s: engine and name" % n)
    check(c["image"]["name"] == o["ImageName"] and c["image"]["id"] == o["Image"],
          "%s: image %s (%s)" % (n, c["image"].get("name"), c["image"].get("id", "")[:12]))
    state = "running" if o["State"]["Running"] else "stopped"
    check(c["state"] == state, "%s: state %s (inventory: %s)" % (n, state, c["state"]))
    if state == "running":
        check(c.get("pid") == o["State"]["Pid"], "%s: pid %s (inventory: %s)" % (n, o["State"]["Pid"], c.get("pid")))
        check(sorted(c.get("capabilities", [])) == sorted(o["EffectiveCaps"] or []),
              "%s: effective capabilities (%d)" % (n, len(o["EffectiveCaps"] or [])))
        check(any(p["pid"] == c.get("pid") for p in c.get("processes", [])), "%s: its init is among its processes" % n)
        check(c["network"].get("namespace", "").startswith("net:["), "%s: network namespace %s" % (n, c["network"].get("namespace")))
        ips = [v["IPAddress"] for v in o["NetworkSettings"].get("Networks", {}).values() if v.get("IPAddress")]
        check(all(ip in c["network"].get("addresses", []) for ip in ips), "%s: addresses %s" % (n, ips))
    else:
        check("pid" not in c and not c.get("processes"), "%s: stopped, no pid, no processes" % n)
    check(c["privileged"] == o["HostConfig"]["Privileged"], "%s: privileged=%s" % (n, o["HostConfig"]["Privileged"]))
    check(c["labels"] == (o["Config"]["Labels"] or {}), "%s: labels %s" % (n, c["labels"]))
    for m in o["Mounts"]:
        found = [x for x in c["mounts"] if x["destination"] == m["Destination"]]
        check(len(found) == 1 and found[0]["source"] == m["Source"] and found[0]["rw"] == m["RW"] and found[0]["kind"] == m["Type"],
              "%s: mount %s -> %s rw=%s" % (n, m["Source"], m["Destination"], m["RW"]))
w = byid[web]
ports = [(p["protocol"], p["port"]) for p in w["ports"]]
check(("tcp", 8080) in ports, "web: listening port tcp 8080 (inventory: %s)" % ports)
owner = [p for p in w["ports"] if p["port"] == 8080]
check(owner and any(x["pid"] == owner[0].get("pid") and x["cmdline"][:1] == ["httpd"] for x in w["processes"]),
      "web: port 8080 belongs to the httpd process")
check(all(not byid[i]["ports"] for i in (priv, bind)), "the sleeping containers listen on nothing")
check("CAP_SYS_ADMIN" in byid[priv]["capabilities"] and "CAP_SYS_ADMIN" not in byid[web]["capabilities"],
      "privileged container has CAP_SYS_ADMIN, the others not")
b = [m for m in byid[bind]["mounts"] if m["destination"] == "/data"]
check(b and b[0]["source"] == data and b[0]["kind"] == "bind" and b[0]["rw"] is False, "bind: /data is a read-only bind mount of %s" % data)
check(any(x["cmdline"] == ["sleep", "600"] and x["exe"].endswith("busybox") for x in byid[bind]["processes"]),
      "bind: process 'sleep 600' with exe busybox")
imgs = {i["id"]: i for i in inv["images"]}
img = oracle[web]["Image"]
check(img in imgs and oracle[web]["ImageName"] in imgs[img]["tags"], "the test image is listed with its tag")
check(inv["host"]["live"] is True and "podman" in inv["host"]["engines"] and inv["host"]["kernel"], "host: live, podman found, kernel")
PYEOF
while read -r line; do
  case $line in ok:*) pass "${line#ok:   }" ;; *) fail "${line#FAIL: }" ;; esac
done <"$TMP/checks.out"

# --root: the same containers from the engines' files alone, nothing from /proc
set +e
"$COMB" inventory --root / --format json -o "$TMP/root.json" 2>"$TMP/root.err"; rc=$?
set -e
if [ "$rc" = 0 ] && $PY - "$TMP/root.json" "$ID_WEB" "$ID_PRIV" "$ID_BIND" "$ID_STOP" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
by = {c["id"]: c for c in d["containers"]}
ok = d["host"]["live"] is False and all(i in by for i in sys.argv[2:])
ok = ok and all("processes" not in by[i] and "ports" not in by[i] and "capabilities" not in by[i] for i in sys.argv[2:])
ok = ok and by[sys.argv[3]]["privileged"] is True and by[sys.argv[4]]["labels"].get("team") == "blue"
sys.exit(0 if ok else 1)
PYEOF
then pass "--root /: the four containers from the engines' files, without /proc details"
else fail "--root /: exit $rc $(head -c 300 "$TMP/root.err")"; fi
set +e
"$COMB" inventory --root "$TMP/absent" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && pass "--root of a missing directory exits 1" || fail "--root missing: exit $rc"
finish
