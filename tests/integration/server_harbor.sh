#!/usr/bin/env bash
# comb server as Harbor's scanner (pluggable scanner adapter API v1.1 under /harbor): the test acts as
# Harbor with curl against a real comb registry with authentication holding alpine 3.10, scanned against
# the Alpine secdb plus one OSV advisory rating musl CRITICAL. Metadata, a scan request, the report
# polled until 200 (302 with Refresh-After before), validated against the spec's schemas
# (tests/data/schemas/harbor-scanner-adapter-v1.1.json) in both report types, its findings equal to
# `comb scan` of the same image, and the report stored as a "scan" record of node "harbor"; a Bearer
# token handed over (python token front, lib/fakereg.py); wrong registry credentials -> a 500 error
# report; malformed requests -> 400/422; unknown id -> 404; roles; a full queue -> 503.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
. "$(dirname "$0")/lib/server.bash"
trap 'for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; cleanup_registries' EXIT
# a private HOME, runtime and cache dir without inherited registry credentials
export HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG
SCHEMA="$COMB_SRC/tests/data/schemas/harbor-scanner-adapter-v1.1.json"

mkdir -p "$TMP/osv"
cat >"$TMP/osv/TEST-2026-0001.json" <<'JSON'
{"schema_version":"1.6.0","id":"TEST-2026-0001","modified":"2026-01-01T00:00:00Z","summary":"test advisory for musl",
 "details":"musl before 99.0 is affected (test data)",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "references":[{"type":"ADVISORY","url":"https://example.org/TEST-2026-0001"}],
 "affected":[{"package":{"ecosystem":"Alpine:v3.10","name":"musl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"99.0-r0"}]}]}]}
JSON
"$COMB" db import -q --db "$TMP/vuln.db" "$COMB_SHARED/data/advisories/alpine-secdb" "$TMP/osv" >/dev/null
zcat "$COMB_SHARED/data/images/alpine-310.tar.gz" >"$TMP/alpine.tar"

# the registry: user dev pushes alpine to project proj
ROOT="$TMP/regroot"
R() { "$COMB" registry "$@" --root "$ROOT"; }
echo "dev-password-1" | R user add dev --password-stdin
R project set proj
R member set --project proj --user dev --role developer
start_combreg "$ROOT" --auth
skopeo copy -q --dest-tls-verify=false --dest-creds dev:dev-password-1 "docker-archive:$TMP/alpine.tar" "docker://$CREG/proj/alpine:3.10"
DIGEST="sha256:$(skopeo inspect --raw --tls-verify=false --creds dev:dev-password-1 "docker://$CREG/proj/alpine:3.10" | sha256sum | cut -d' ' -f1)"
MT=$(skopeo inspect --raw --tls-verify=false --creds dev:dev-password-1 "docker://$CREG/proj/alpine:3.10" | $PY -c 'import json,sys; print(json.load(sys.stdin).get("mediaType",""))')

# comb scan of the same image: what the report must hold
set +e
echo dev-password-1 | "$COMB" scan --db "$TMP/vuln.db" -f json -o "$TMP/scan.json" --insecure --username dev --password-stdin \
  "registry://$CREG/proj/alpine@$DIGEST" 2>"$TMP/scan.err"
src=$?
set -e
[ -s "$TMP/scan.json" ] || { fail "comb scan of the registry image: exit $src $(cat "$TMP/scan.err")"; finish; }

# the server: an operator (Harbor's registration), a viewer
DATA="$TMP/data"
for u in harbor:operator watcher:viewer; do
  echo "pw-${u%%:*}-secret" | "$COMB" server useradd --data "$DATA" --role "${u#*:}" "${u%%:*}"
done
PORT=$(free_port)
start_server main "$DATA" "$PORT" --vuln-db "$TMP/vuln.db" --rate 1000
BASE="http://127.0.0.1:$PORT"
token() { curl -sf -u "$1:pw-$1-secret" -X POST "$BASE/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
OP=$(token harbor); VIEW=$(token watcher)
B64=$(printf 'dev:dev-password-1' | base64 -w0)
BAD64=$(printf 'dev:wrong-password' | base64 -w0)

$PY - "$BASE" "$OP" "$VIEW" "$SCHEMA" "$TMP/scan.json" "$CREG" "$DIGEST" "$MT" "$B64" "$BAD64" "$DATA/server.db" <<'PYEOF' >"$TMP/checks.out" 2>&1
import json, sqlite3, sys, time, urllib.request, urllib.error
import jsonschema
base, op, view, schema_file, scan_file, creg, digest, mt, b64, bad64, store = sys.argv[1:12]
schema = json.load(open(schema_file))
def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what, flush=True)
def valid(doc, name):
    s = dict(schema); s["$ref"] = "#/definitions/" + name
    errs = sorted(jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker()).iter_errors(doc), key=str)
    return not errs, "; ".join(e.message for e in errs[:3])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def call(method, path, token=None, body=None, accept=None):
    req = urllib.request.Request(base + path, method=method, data=body)
    if token: req.add_header("Authorization", "Bearer " + token)
    if accept: req.add_header("Accept", accept)
    if body is not None: req.add_header("Content-Type", "application/vnd.scanner.adapter.scan.request+json; version=1.0")
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
def scan_request(url, auth=None, repo="proj/alpine", dig=digest):
    reg = {"url": url}
    if auth: reg["authorization"] = auth
    return json.dumps({"registry": reg, "artifact": {"repository": repo, "digest": dig, "tag": "3.10", "mime_type": mt}}).encode()
R11 = "application/vnd.security.vulnerability.report; version=1.1"
R10 = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
def poll(sid, accept=R11):
    """Harbor's loop: 302 with Refresh-After until 200 or 500."""
    seen302 = None
    for _ in range(600):
        st, h, b = call("GET", "/harbor/api/v1/scan/%s/report" % sid, view, accept=accept)
        if st != 302:
            return st, h, b, seen302
        seen302 = h
        time.sleep(0.1)
    return None, None, b"", seen302

# metadata
st, h, b = call("GET", "/harbor/api/v1/metadata", view)
md = json.loads(b) if st == 200 else {}
ok, why = valid(md, "ScannerAdapterMetadata")
check(st == 200 and ok, "metadata: 200, valid ScannerAdapterMetadata %s" % why)
check(h.get("Content-Type") == "application/vnd.scanner.adapter.metadata+json; version=1.0", "metadata Content-Type: %s" % h.get("Content-Type"))
caps = md.get("capabilities", [{}])[0]
check(set(caps.get("consumes_mime_types", [])) == {"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"}
      and set(caps.get("produces_mime_types", [])) == {R11, R10}, "metadata: consumes OCI and Docker v2 manifests, produces both report types")
props = md.get("properties", {})
check(props.get("harbor.scanner-adapter/scanner-type") == "os-package-vulnerability" and
      props.get("harbor.scanner-adapter/vulnerability-database-updated-at", "").startswith("20"),
      "metadata properties: scanner type and the database's update time (%s)" % props)
check(md.get("scanner", {}).get("name") == "comb", "metadata names the scanner comb")

# a scan with Harbor's Basic robot credentials
st, h, b = call("POST", "/harbor/api/v1/scan", op, scan_request("http://" + creg, "Basic " + b64))
sid = json.loads(b).get("id") if st == 202 else None
ok, why = valid(json.loads(b) if st == 202 else {}, "ScanResponse")
check(st == 202 and sid and ok, "scan request accepted: 202 with an id (%s %s)" % (st, b[:200]))
st, h, b, seen302 = poll(sid)
check(seen302 is None or (seen302.get("Refresh-After", "").isdigit() and seen302.get("Location", "").endswith("/scan/%s/report" % sid)),
      "while the scan runs: 302 with Refresh-After and Location")
report = json.loads(b) if st == 200 else {}
check(st == 200, "the report: 200 (%s %s)" % (st, b[:300]))
check(st == 200 and h.get("Content-Type") == R11, "report Content-Type is the one asked for: %s" % (h and h.get("Content-Type")))
ok, why = valid(report, "HarborVulnerabilityReport")
check(ok, "the v1.1 report is a valid HarborVulnerabilityReport %s" % why)
check(report.get("artifact") == {"repository": "proj/alpine", "digest": digest, "tag": "3.10", "mime_type": mt}, "the report names the artifact")
vulns = report.get("vulnerabilities", [])
harbor_sev = {"Unknown", "Low", "Medium", "High", "Critical"}
check(vulns and all(v.get("severity") in harbor_sev for v in vulns), "severities are Harbor's (%d findings)" % len(vulns))
musl = [v for v in vulns if v.get("id") == "TEST-2026-0001" and v.get("package") == "musl"]
check(len(musl) == 1 and musl[0].get("severity") == "Critical" and musl[0].get("fix_version") == "99.0-r0"
      and musl[0].get("links") == ["https://example.org/TEST-2026-0001"]
      and musl[0].get("preferred_cvss", {}).get("score_v3") == 9.8 and musl[0].get("version"),
      "musl: Critical, fix 99.0-r0, the link, CVSS 9.8 (%s)" % (musl[:1],))
check(report.get("severity") == "Critical", "the report's severity is the highest: %s" % report.get("severity"))
# the same findings as comb scan
cs = json.load(open(scan_file))
want = sorted((f["id"], f["package"]["name"], f["package"]["version"]) for f in cs["findings"] if not f.get("suppressed"))
got = sorted((v["id"], v["package"], v["version"]) for v in vulns)
check(want == got and len(want) > 1, "findings equal comb scan's of the same image (%d)" % len(want))
sev_map = {"CRITICAL": "Critical", "HIGH": "High", "MEDIUM": "Medium", "LOW": "Low", "NEGLIGIBLE": "Low", "UNKNOWN": "Unknown"}
ws = sorted((f["id"], f["package"]["name"], sev_map[f["severity"]]) for f in cs["findings"] if not f.get("suppressed"))
check(ws == sorted((v["id"], v["package"], v["severity"]) for v in vulns), "severities map comb's one to one")
# the 1.0 report type: same findings, no v1.1 fields
st, h, b = call("GET", "/harbor/api/v1/scan/%s/report" % sid, view, accept=R10)
r10 = json.loads(b) if st == 200 else {}
ok, why = valid(r10, "HarborVulnerabilityReport")
check(st == 200 and h.get("Content-Type") == R10 and ok and len(r10["vulnerabilities"]) == len(vulns)
      and not any("preferred_cvss" in v or "vendor_attributes" in v for v in r10["vulnerabilities"]),
      "Accept: the Harbor 1.0 report type (%s) %s" % (st, why))
st, _, _ = call("GET", "/harbor/api/v1/scan/%s/report" % sid, view, accept="text/html")
check(st == 422, "an Accept naming neither report type: 422 (%s)" % st)
# stored for the console
rows = sqlite3.connect(store).execute("SELECT body FROM records WHERE node='harbor' AND kind='scan'").fetchall()
check(len(rows) == 1 and json.loads(rows[0][0]).get("artifact", {}).get("digest") == digest,
      "the report is stored once as a scan record of node harbor (%d)" % len(rows))

# wrong registry credentials: the scan fails, the report is Harbor's error
st, h, b = call("POST", "/harbor/api/v1/scan", op, scan_request("http://" + creg, "Basic " + bad64))
bid = json.loads(b).get("id") if st == 202 else None
st, h, b, _ = poll(bid)
err = json.loads(b) if st == 500 else {}
ok, why = valid(err, "ErrorResponse")
check(st == 500 and ok and err.get("error", {}).get("message") and h.get("Content-Type") == "application/vnd.scanner.adapter.error+json; version=1.0",
      "wrong registry credentials: 500 with an error message (%s)" % err.get("error", {}).get("message", b[:200]))
check("dev:wrong" not in json.dumps(err) and bad64 not in json.dumps(err), "the error does not echo the credentials")
st, h, b = call("POST", "/harbor/api/v1/scan", op, scan_request("http://" + creg))
st, h, b, _ = poll(json.loads(b).get("id") if st == 202 else "x")
check(st == 500, "no credentials for a registry that needs them: 500 (%s)" % st)

# malformed and invalid requests
for body, want, what in ((b"{not json", 400, "not JSON"), (b"[1]", 400, "not an object"),
                         (b'{"registry": "x", "artifact": {}}', 400, "registry not an object"),
                         (b'{"registry": {"url": 5}, "artifact": {}}', 400, "url not a string"),
                         (b'{"artifact": {"repository": "a", "digest": "sha256:' + b"0" * 64 + b'"}}', 422, "no registry"),
                         (scan_request("ftp://" + creg), 422, "a URL that is not http(s)"),
                         (scan_request("http://" + creg + "/v2/x"), 422, "a URL with a path"),
                         (scan_request("http://" + creg, "Token abc"), 422, "an Authorization that is neither Basic nor Bearer"),
                         (scan_request("http://" + creg, "Basic a\r\nX-Evil: 1"), 422, "an Authorization with a line break"),
                         (scan_request("http://" + creg, repo="../etc"), 422, "a repository that is not a name"),
                         (scan_request("http://" + creg, dig="sha512:" + "0" * 128), 422, "a digest that is not sha256"),
                         (json.dumps({"registry": {"url": "http://" + creg}, "artifact": {"repository": "proj/alpine", "digest": digest,
                                      "mime_type": "application/vnd.oci.image.index.v1+json"}}).encode(), 422, "an index mime type")):
    st, h, b = call("POST", "/harbor/api/v1/scan", op, body)
    e = json.loads(b) if b.startswith(b"{") else {}
    check(st == want and e.get("error", {}).get("message"), "%s: %s (want %s) %s" % (what, st, want, e.get("error", {}).get("message", "")))
st, _, b = call("GET", "/harbor/api/v1/scan/%s/report" % ("0" * 32), view)
check(st == 404, "an unknown scan id: 404 (%s)" % st)
# roles: Harbor registers with an operator's token; a viewer reads, does not scan
st, _, _ = call("POST", "/harbor/api/v1/scan", view, scan_request("http://" + creg, "Basic " + b64))
check(st == 403, "a viewer may not request scans (%s)" % st)
for m, p in (("GET", "/harbor/api/v1/metadata"), ("POST", "/harbor/api/v1/scan"), ("GET", "/harbor/api/v1/scan/%s/report" % sid)):
    st, _, _ = call(m, p, None, scan_request("http://" + creg) if m == "POST" else None)
    check(st == 401, "%s %s without a token: 401 (%s)" % (m, p, st))
PYEOF
while read -r line; do
  case $line in ok:*) pass "${line#ok:   }" ;; FAIL:*) fail "${line#FAIL: }" ;; *) info "$line" ;; esac
done <"$TMP/checks.out"

# a Bearer token handed over: a token front (lib/fakereg.py) before a second comb registry, open
AUTH_CREG=$CREG
start_combreg "$TMP/openroot"
skopeo copy -q --dest-tls-verify=false "docker-archive:$TMP/alpine.tar" "docker://$CREG/proj/alpine:3.10"
start_fakereg tok --upstream "http://$CREG" --bearer dev:dev-password-1 --log "$TMP/tok.log"
CREG=$AUTH_CREG
TOK=$(curl -sf -u dev:dev-password-1 "http://$FAKE_tok/token?service=fakereg&scope=repository:proj/alpine:pull" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
harbor_scan() { # URL AUTH -> the report status after polling
  local body id st
  body=$($PY -c 'import json,sys; print(json.dumps({"registry": {"url": sys.argv[1], "authorization": sys.argv[2]}, "artifact": {"repository": "proj/alpine", "digest": sys.argv[3]}}))' "$1" "$2" "$DIGEST")
  id=$(curl -s -H "Authorization: Bearer $OP" -d "$body" "$BASE/harbor/api/v1/scan" | $PY -c 'import json,sys; print(json.load(sys.stdin).get("id",""))')
  for _ in $(seq 600); do
    st=$(curl -s -o "$TMP/bearer.json" -w '%{http_code}' -H "Authorization: Bearer $VIEW" "$BASE/harbor/api/v1/scan/$id/report")
    [ "$st" != 302 ] && break
    sleep 0.1
  done
  echo "$st"
}
st=$(harbor_scan "http://$FAKE_tok" "Bearer $TOK")
n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("vulnerabilities",[])))' "$TMP/bearer.json" 2>/dev/null || echo 0)
[ "$st" = 200 ] && [ "$n" -gt 1 ] && pass "a Bearer token handed over pulls through the token front ($n findings)" ||
  fail "Bearer: $st $(head -c 300 "$TMP/bearer.json")"
grep -q "^GET /token" "$TMP/tok.log" && [ "$(grep -c '^GET /token' "$TMP/tok.log")" = 1 ] &&
  pass "the server used the handed-over token (no token exchange of its own)" || fail "token requests: $(grep '^GET /token' "$TMP/tok.log")"
st=$(harbor_scan "http://$FAKE_tok" "Bearer not-the-token")
[ "$st" = 500 ] && pass "a wrong Bearer token: 500 ($(head -c 200 "$TMP/bearer.json"))" || fail "wrong Bearer: $st"

# a full queue: one scan held by a registry that never answers, one waiting, the next refused
$PY -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >"$TMP/hold.port" &
HOLD_PID=$!
REG_PIDS+=("$HOLD_PID")
for _ in $(seq 50); do [ -s "$TMP/hold.port" ] && break; sleep 0.1; done
PORT2=$(free_port)
start_server small "$TMP/data2" "$PORT2" --vuln-db "$TMP/vuln.db" --harbor-queue 1
echo "pw-harbor-secret" | "$COMB" server useradd --data "$TMP/data2" --role operator harbor
T2=$(curl -sf -u harbor:pw-harbor-secret -X POST "http://127.0.0.1:$PORT2/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
HB=$($PY -c 'import json,sys; print(json.dumps({"registry": {"url": "http://127.0.0.1:" + sys.argv[1]}, "artifact": {"repository": "proj/alpine", "digest": sys.argv[2]}}))' "$(head -1 "$TMP/hold.port")" "$DIGEST")
codes=""
for _ in 1 2 3; do
  codes+="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T2" -d "$HB" "http://127.0.0.1:$PORT2/harbor/api/v1/scan") "
done
[[ $codes == "202 "* ]] && grep -q 503 <<<"$codes" && pass "queue of 1: the first scan is accepted, a later one refused with 503 ($codes)" ||
  fail "queue full: $codes"
kill "$HOLD_PID" 2>/dev/null || true  # let the held scan fail so the server stops promptly
# the servers stop cleanly (in a sanitized build: without a report)
for p in "${SERVER_PIDS[@]}"; do stop_server "$p"; done
SERVER_PIDS=()
if grep -q "Sanitizer\|runtime error" "$TMP/main.err" "$TMP/small.err"; then
  fail "the server reported: $(grep -h -m3 "Sanitizer\|runtime error\|#[0-9] " "$TMP/main.err" "$TMP/small.err" | head -c 600)"
else
  pass "both servers stopped without a sanitizer report"
fi
finish
