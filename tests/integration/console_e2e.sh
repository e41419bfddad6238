#!/bin/bash
# The web console end to end on loopback: comb server (HTTPS, --console) and
# two comb agent processes (separate spools, node names and state, standing
# for two nodes) while real podman containers run an image of busybox and a
# real Go binary with known vulnerabilities. Each agent sends its inventory,
# bench report, the scan of the running images (--scan, against the Go
# advisories of ../shared), the lines of an alert file with a response
# outcome (--alerts) and the segmentation graph of flows between the two
# containers (--segment-db, from comb segment import). Headless Chromium
# (playwright-core from web/node_modules, Debian's chromium) then logs in as
# a viewer and checks every page (console/e2e.mjs), saving screenshots to
# $COMB_ARTIFACTS/console or build/test-artifacts/console/. The static file
# server's safety (traversal, symlinks, headers, no --console) is checked
# with curl.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/server.bash"

WEB="$COMB_SRC/web"
[ -d "$WEB/node_modules/playwright-core" ] && [ -d "$WEB/node_modules/esbuild" ] ||
  { echo "FAIL: $WEB/node_modules missing (run scripts/setup, or: cd web && npm ci)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing (apt-get install chromium)"; exit 1; }
command -v node >/dev/null || { echo "FAIL: node missing (apt-get install nodejs)"; exit 1; }
command -v podman >/dev/null || { echo "FAIL: podman missing"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (podman containers)"; exit 1; }
need_fixture lang/rootfs/usr/sbin/runc
ARTIFACTS=${COMB_ARTIFACTS:-$COMB_SRC/build/test-artifacts}/console
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png

IMAGE="localhost/comb-test/console:$$"
PODMAN=(podman --runtime runc)
RUNOPTS=(--ulimit nofile=1024:20000 --ulimit nproc=1024:1024)
CONTAINERS=()
console_cleanup() {
  for c in "${CONTAINERS[@]}"; do "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  server_cleanup
}
trap console_cleanup EXIT

# the console, bundled from web/ as `npm run build` does
COMB_CONSOLE_OUT="$TMP/console" node "$WEB/build.mjs" >"$TMP/build.log" 2>&1 ||
  { echo "FAIL: building the console: $(cat "$TMP/build.log")"; exit 1; }

# an image of busybox and a real Go binary (runc, built with Go 1.19.8)
root="$TMP/imageroot"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr/sbin"
cp /bin/busybox "$root/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
cp "$COMB_FIXTURES/lang/rootfs/usr/sbin/runc" "$root/usr/sbin/runc"
tar -C "$root" -c . | podman import - "$IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
IMAGE_ID=$(podman image inspect -f '{{.Id}}' "$IMAGE")
SUFFIX=$$
for c in web db; do
  name="console-$c-$SUFFIX"
  "${PODMAN[@]}" run -d --name "$name" "${RUNOPTS[@]}" "$IMAGE" /bin/sleep 600 >/dev/null ||
    { echo "FAIL: podman run $name"; exit 1; }
  CONTAINERS+=("$name")
done
WEB_ID=$(podman inspect -f '{{.Id}}' "console-web-$SUFFIX")
DB_ID=$(podman inspect -f '{{.Id}}' "console-db-$SUFFIX")
info "containers console-web-$SUFFIX ($WEB_ID) and console-db-$SUFFIX of $IMAGE"

# the server, with a viewer (the console's user) and an operator (agents)
make_cert "$TMP"
DATA="$TMP/data"
echo "operator-secret" | "$COMB" server useradd --data "$DATA" --role operator op
echo "viewer-secret" | "$COMB" server useradd --data "$DATA" --role viewer view
PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
start_server console "$DATA" "$PORT" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --console "$TMP/console" --rate 1000
CURL=(curl -s --cacert "$TMP/cert.pem")
token() { "${CURL[@]}" -u "$1" -X POST "$URL/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
token op:operator-secret >"$TMP/op.token"
VIEW=$(token view:viewer-secret)

# the static files: content, headers, and nothing outside the directory
hdr=$("${CURL[@]}" -D - -o "$TMP/index.html" "$URL/")
grep -q 'app.js' "$TMP/index.html" && pass "GET / is the console's index.html" || fail "GET /: $(head -c 200 "$TMP/index.html")"
for h in "Content-Security-Policy: default-src 'self'" "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY" \
  "Referrer-Policy: no-referrer" "Content-Type: text/html"; do
  grep -qi "^$h" <<<"$hdr" && pass "header $h" || fail "header $h missing: $hdr"
done
ctype=$("${CURL[@]}" -o /dev/null -w '%{content_type}' "$URL/app.js")
[[ $ctype == text/javascript* ]] && pass "app.js is text/javascript" || fail "app.js: $ctype"
ln -s /etc/passwd "$TMP/console/passwd.txt"
mkdir -p "$TMP/console/sub" && ln -s /etc "$TMP/console/sub/etc"
for p in /../../../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /passwd.txt /sub/etc/passwd /sub/ /./index.html '//etc/passwd' /sub/../index.html; do
  st=$("${CURL[@]}" --path-as-is -o "$TMP/trav" -w '%{http_code}' "$URL$p")
  [ "$st" = 404 ] && ! grep -q 'root:' "$TMP/trav" && pass "GET $p: 404" || fail "GET $p: $st $(head -c 100 "$TMP/trav")"
done
st=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST "$URL/index.html")
[ "$st" != 200 ] && pass "POST /index.html: $st" || fail "POST /index.html: 200"
st=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$URL/api/v1/overview")
[ "$st" = 401 ] && pass "the views need a token (401)" || fail "GET /api/v1/overview without a token: $st"

# what each node's agent sends besides its inventory and bench report: the
# scan of the running images (against the Go advisories), the lines of a
# comb watch alert file (with a response outcome) and the segmentation graph
# of a comb segment database holding flows between the two containers
"$COMB" db import --db "$TMP/go.db" -q "$COMB_SHARED/data/osv/go" >"$TMP/import.out" 2>&1 ||
  { fail "comb db import: $(head -c 300 "$TMP/import.out")"; finish; }
NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)
alert() { # RULE PRIORITY CONTAINER_ID PID PROC
  printf '{"time":"%s","rule":"%s","priority":"%s","source":"syscall","output":"%s by %s (container %s)","output_fields":{"container.id":"%s","proc.pid":%s,"proc.name":"%s"},"tags":["test"]}\n' \
    "$NOW" "$1" "$2" "$1" "$5" "${3:0:12}" "${3:0:12}" "$4" "$5"
}
response() { # RULE CONTAINER_ID PID PROC
  printf '{"time":"%s","rule":"%s","priority":"Warning","source":"comb.response","response":"kill","outcome":"ok","detail":"pid %s killed","output_fields":{"container.id":"%s","proc.pid":%s,"proc.name":"%s"}}\n' \
    "$NOW" "$1" "$3" "${2:0:12}" "$3" "$4"
}
{ alert "Read sensitive file untrusted" Warning "$WEB_ID" 4242 cat; response "Read sensitive file untrusted" "$WEB_ID" 4242 cat; } >"$TMP/alerts-node-a"
alert "Terminal shell in container" Notice "$DB_ID" 4343 sh >"$TMP/alerts-node-b"
printf 'group console-web-%s kind=container\ngroup console-db-%s kind=container\nflow console-web-%s console-db-%s tcp/5432 count=7\nflow console-web-%s ext:192.0.2.0/24 tcp/443\n' \
  $SUFFIX $SUFFIX $SUFFIX $SUFFIX $SUFFIX >"$TMP/flows"

# two agents, standing for two nodes
AGENTS=()
for node in node-a node-b; do
  "$COMB" segment import --db "$TMP/seg-$node.db" "$TMP/flows" >/dev/null 2>&1 || fail "comb segment import"
  "$COMB" agent --server "$URL" --cacert "$TMP/cert.pem" --token-file "$TMP/op.token" -q \
    --spool "$TMP/spool-$node" --node "$node" --interval 0.5 --count 1 --bench \
    --scan --scan-dir "$TMP/scans-$node" --db "$TMP/go.db" --alerts "$TMP/alerts-$node" \
    --segment-db "$TMP/seg-$node.db" 2>"$TMP/$node.err" &
  AGENTS+=($!)
  SERVER_PIDS+=($!)
done
for i in 0 1; do
  wait "${AGENTS[$i]}" && rc=0 || rc=$?
  [ "$rc" = 0 ] && pass "agent $i delivered its records" || fail "agent $i: exit $rc: $(tail -3 "$TMP"/node-*.err)"
done
for node in node-a node-b; do
  got=$("${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes" |
    $PY -c 'import json,sys; r=[n["records"] for n in json.load(sys.stdin) if n["node"]==sys.argv[1]][0]; print(" ".join(k for k in ("inventory","bench","scan","alert","segmentation") if r.get(k)))' "$node")
  [ "$got" = "inventory bench scan alert segmentation" ] && pass "$node: the agent sent $got" || fail "$node: records from the agent: '$got'"
done
# the scan of the test's image, as the agent sent it
"${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes/node-a/scan" |
  $PY -c 'import json,sys; r=[x["body"] for x in json.load(sys.stdin) if (x["body"].get("target") or {}).get("config_digest") == "sha256:" + sys.argv[1]]; json.dump(r[0] if r else {}, sys.stdout)' "$IMAGE_ID" >"$TMP/scan.json"

# what the pages must show
$PY - "$TMP/scan.json" "$DATA" "$TMP/expect.json" "$SUFFIX" "$WEB_ID" "$DB_ID" "$IMAGE" <<'PYEOF' || { fail "expectations"; finish; }
import json, sys, urllib.request, ssl
scan, data, out, suffix, web_id, db_id, image = sys.argv[1:8]
s = json.load(open(scan))
cves = sorted({f["id"] for f in s["findings"] if f["id"].startswith("CVE-")})
assert len(cves) >= 3, "the agent's scan of %s found %d CVEs" % (image, len(cves))
json.dump({
    "user": "view", "password": "viewer-secret", "nodes": ["node-a", "node-b"],
    "containers": [{"name": "console-web-" + suffix, "id": web_id, "process": "sleep"},
                   {"name": "console-db-" + suffix, "id": db_id, "process": "sleep"}],
    "image": {"id": s["target"]["config_digest"].split(":")[1], "name": image, "cves": cves[:3]},
    "alerts": [{"rule": "Read sensitive file untrusted", "node": "node-a"}, {"rule": "Terminal shell in container", "node": "node-b"}],
    "response": "response: kill \u2192 ok",
    "flows": [{"node": n, "src": "console-web-" + suffix, "dst": "console-db-" + suffix} for n in ("node-a", "node-b")],
}, open(out, "w"))
PYEOF
# a fix to look for: the first failed check of node-a's stored bench report
"${CURL[@]}" -H "Authorization: Bearer $VIEW" "$URL/api/v1/nodes/node-a/bench" >"$TMP/bench.json"
$PY - "$TMP/bench.json" "$TMP/expect.json" <<'PYEOF' || fail "node-a's bench report has no failed check with a fix"
import json, sys
r = json.load(open(sys.argv[1]))[0]["body"]["results"]
fix = next(x for x in r if x["status"] == "FAIL" and x.get("remediation"))
e = json.load(open(sys.argv[2]))
e["fix"] = {"id": fix["id"], "remediation": fix["remediation"].strip().splitlines()[0]}
# the sections with a check that is not NOT-APPLICABLE: each has a chart
e["sections"] = len({(x["benchmark"], x["section"]) for x in r if x["status"] != "NOT-APPLICABLE"})
json.dump(e, open(sys.argv[2], "w"))
PYEOF

if BASE="$URL" ARTIFACTS="$ARTIFACTS" EXPECT="$TMP/expect.json" COMB_WEB="$WEB" OP_TOKEN="$(cat "$TMP/op.token")" \
  timeout 300 node "$COMB_SRC/tests/integration/console/e2e.mjs" >"$TMP/e2e.out" 2>&1; then
  cat "$TMP/e2e.out"
else
  cat "$TMP/e2e.out"
  fail "the console in Chromium (above)"
fi
n=$(ls "$ARTIFACTS"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && pass "$n screenshots in $ARTIFACTS" || fail "only $n screenshots in $ARTIFACTS"

# without --console: no console
stop_server "$SERVER_PID"
! grep -E 'Sanitizer|runtime error' "$TMP/console.err" && pass "the server stopped without a sanitizer report" ||
  fail "sanitizer report: $(grep -m3 -E 'Sanitizer|runtime error' "$TMP/console.err")"
start_server plain "$DATA" "$PORT" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
st=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$URL/")
[ "$st" = 404 ] && pass "no --console: GET / is 404" || fail "no --console: GET / is $st"
finish
