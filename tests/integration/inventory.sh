#!/bin/bash
# comb inventory on a live host with real podman containers: one serving on a
# port, one privileged, one with a read-only bind mount and labels, one
# stopped. `podman inspect` is the oracle for ids, names, images, state, pid,
# privileges, effective capabilities, labels and mounts; the ports and
# processes are the ones the containers were started with. The JSON document
# is validated against docs/inventory.schema.json. Then the images' scan
# status (a result stored by `comb scan --save`: counts equal to the scan's,
# an unscanned image, a stale result, a corrupt file) and the containers'
# relationships (a segment database imported from a flow file naming these
# containers). Needs root, podman with runc and busybox-static.
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
# ---- scan status: an image with vulnerable (Alpine 3.10) packages, scanned and saved
VULN_IMAGE="localhost/comb-test/vuln:$TEST_NAME-$$"
remove_vuln_image() { podman rmi -f "$VULN_IMAGE" >/dev/null 2>&1 || true; }
CLEANUP_EXTRA=remove_vuln_image
busybox_root "$TMP/vroot"
mkdir -p "$TMP/vroot/lib/apk/db"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.2\nPRETTY_NAME="Alpine Linux v3.10"\n' >"$TMP/vroot/etc/os-release"
printf 'P:ansible\nV:2.8.0-r0\nA:x86_64\no:ansible\n\nP:apache2\nV:2.4.38-r0\nA:x86_64\no:apache2\n\n' \
  >"$TMP/vroot/lib/apk/db/installed"
tar -C "$TMP/vroot" -c . | podman import - "$VULN_IMAGE" >/dev/null 2>&1 || { fail "podman import of the vulnerable image"; finish; }
CONTAINERS+=("comb-$TEST_NAME-vuln-$$")
ID_VULN=$(run_container vuln -d "$VULN_IMAGE" sleep 600)
[ ${#ID_VULN} = 64 ] || { fail "the vulnerable container did not start: $(cat "$TMP/vuln.out")"; finish; }
DB="$TMP/vuln.db"
"$COMB" db import -q --db "$DB" "$COMB_SHARED/data/advisories/alpine-secdb/v3.10" >"$TMP/import.out" 2>&1 ||
  { fail "db import: $(head -c 300 "$TMP/import.out")"; finish; }
VULN_ID=$(podman image inspect -f '{{.Id}}' "$VULN_IMAGE")
if "$COMB" scan -q --db "$DB" --save "$TMP/scans" -f json -o "$TMP/scan.json" "podman://$VULN_IMAGE" 2>"$TMP/scan.err" &&
   [ -f "$TMP/scans/sha256-$VULN_ID.json" ]; then
  pass "comb scan --save stores the result as sha256-<image id>.json"
else
  fail "scan --save: $(head -c 300 "$TMP/scan.err"); $(ls "$TMP/scans" 2>&1)"
fi
cmp -s "$TMP/scan.json" "$TMP/scans/sha256-$VULN_ID.json" && pass "the stored result is the JSON report" ||
  fail "the stored result differs from comb scan -f json"

# ---- relationships: flows between the web and bind containers, and to an outside address
WEB="comb-$TEST_NAME-web-$$" BIND="comb-$TEST_NAME-bind-$$"
WEB_IP=$("${PODMAN[@]}" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$WEB")
BIND_IP=$("${PODMAN[@]}" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$BIND")
{
  echo "group $WEB kind=container addr=$WEB_IP"
  echo "group $BIND kind=container addr=$BIND_IP"
  echo "group outside kind=external addr=192.0.2.7"
  echo "flow $BIND $WEB tcp/8080 count=3"
  echo "flow $WEB outside tcp/443 count=2"
  echo "flow $BIND outside udp/53 count=5"
} >"$TMP/flows"
"$COMB" segment import --db "$TMP/segment.db" "$TMP/flows" >"$TMP/seg.out" 2>&1 ||
  { fail "segment import: $(head -c 300 "$TMP/seg.out")"; finish; }

inventory2() { # OUT: the inventory with the scan store, the database and the segment database
  "$COMB" inventory -f json -o "$1" --scan-dir "$TMP/scans" --db "$DB" --segment-db "$TMP/segment.db" 2>"$1.err"
}
inventory2 "$TMP/inv2.json" || { fail "inventory with stores: $(head -c 300 "$TMP/inv2.json.err")"; finish; }
$PY "$COMB_SRC/tests/tools/validate_schema.py" "$COMB_SRC/docs/inventory.schema.json" "$TMP/inv2.json" >"$TMP/schema2.out" 2>&1 &&
  pass "the document with scan status and relationships validates against the schema" ||
  fail "schema: $(head -c 600 "$TMP/schema2.out")"
$PY - "$TMP/inv2.json" "$TMP/scan.json" "$VULN_ID" "$ID_WEB" "$ID_BIND" "$ID_PRIV" "$WEB" "$BIND" "$WEB_IP" "$BIND_IP" <<'PYEOF' >"$TMP/checks2.out"
import json, sys
inv, scan = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
vuln_id, web, bind, priv, web_name, bind_name, web_ip, bind_ip = sys.argv[3:11]
def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
imgs = {i["id"]: i for i in inv["images"]}
by = {c["id"]: c for c in inv["containers"]}
s = imgs.get(vuln_id, {}).get("scan") or {}
want = scan["summary"]
check(want["total"] > 0, "the scanned image has findings (%d)" % want["total"])
check(s.get("status") == "scanned" and s.get("total") == want["total"] and s.get("by_severity") == want["by_severity"],
      "scanned image: status and counts equal the scan result (%s)" % s)
check(s.get("database_built") == scan["database"]["built"] and s.get("scanned_at", "").endswith("Z"),
      "scanned image: scanned_at and the database build recorded")
w = imgs.get(by[web]["image"]["id"], {}).get("scan")
check(w == {"status": "not_scanned"}, "unscanned image: not_scanned (%s)" % w)
def rels(cid):
    return sorted((r["direction"], r["peer"]["name"], r["peer"].get("container_id"), r["peer"]["addresses"],
                   r["protocol"], r["port"], r["count"]) for r in by[cid]["relationships"])
check(rels(web) == [("inbound", bind_name, bind, [bind_ip], "tcp", 8080, 3),
                    ("outbound", "outside", None, ["192.0.2.7"], "tcp", 443, 2)],
      "web: the imported flows, the peer container's id and address (%s)" % rels(web))
check(rels(bind) == sorted([("outbound", "outside", None, ["192.0.2.7"], "udp", 53, 5),
                            ("outbound", web_name, web, [web_ip], "tcp", 8080, 3)]),
      "bind: its two outbound flows (%s)" % rels(bind))
check(by[priv]["relationships"] == [], "a container without flows has no relationships")
# imported flows carry no times (segment/flowfile.c); learned ones do
check(all(r["first_seen"] is None and r["last_seen"] is None and r["peer"]["kind"] in ("container", "external")
          for r in by[web]["relationships"]), "imported flows: no first/last seen, the peer's kind")
PYEOF
while read -r line; do
  case $line in ok:*) pass "${line#ok:   }" ;; *) fail "${line#FAIL: }" ;; esac
done <"$TMP/checks2.out"
"$COMB" inventory --scan-dir "$TMP/scans" --db "$DB" --segment-db "$TMP/segment.db" >"$TMP/inv2.txt" 2>&1
grep -q " scanned " "$TMP/inv2.txt" && grep -q "not_scanned" "$TMP/inv2.txt" && grep -q "flow <- $BIND tcp/8080 x3" "$TMP/inv2.txt" &&
  pass "the table shows scan status and flows" || fail "table: $(grep -E 'flow|scan' "$TMP/inv2.txt" | head -5)"

# a result made with an older build of the database is stale; a corrupt file is a warning
$PY - "$TMP/scans/sha256-$VULN_ID.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); d["database"]["built"] = "2001-01-01T00:00:00Z"
json.dump(d, open(sys.argv[1], "w"))
PYEOF
WEB_IMG=$("${PODMAN[@]}" inspect -f '{{.Image}}' "$WEB")
printf '{"schema": "comb-scan/1", "summ' >"$TMP/scans/sha256-$WEB_IMG.json"
set +e
inventory2 "$TMP/inv3.json"; rc=$?
set -e
st=$($PY -c 'import json,sys; d={i["id"]: i["scan"]["status"] for i in json.load(open(sys.argv[1]))["images"]}; print(d[sys.argv[2]], d[sys.argv[3]])' \
  "$TMP/inv3.json" "$VULN_ID" "$WEB_IMG" 2>&1)
[ "$rc" = 0 ] && [ "$st" = "stale not_scanned" ] && grep -q "sha256-$WEB_IMG.json" "$TMP/inv3.json.err" &&
  pass "older database build: stale; corrupt result: a warning naming it, not_scanned" ||
  fail "stale/corrupt: exit $rc, status '$st', stderr $(head -c 300 "$TMP/inv3.json.err")"
finish
