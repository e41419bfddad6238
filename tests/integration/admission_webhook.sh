#!/usr/bin/env bash
# comb admission serve: recorded AdmissionReview v1 requests (as the API
# server sends them: a Deployment CREATE, a Pod UPDATE, a request in an
# exempt namespace, an image rule in warn mode, a DELETE) answered over
# HTTPS with a self-signed certificate (curl --cacert); malformed and
# oversized bodies get 400 and the server keeps serving.
. "$(dirname "$0")/lib/common.bash"
DATA="$COMB_SRC/tests/data/admission"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=comb-admission.comb-system.svc" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$COMB" admission serve --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" --listen "127.0.0.1:$PORT" \
  --policy "$DATA/webhook-policy.yaml" 2>"$TMP/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
URL="https://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -sf --cacert "$TMP/tls.crt" "$URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
[ "$(curl -s --cacert "$TMP/tls.crt" "$URL/healthz")" = "ok" ] && pass "GET /healthz over HTTPS" \
  || { fail "server did not come up: $(cat "$TMP/server.err")"; finish; }

post() { # FILE -> body in $TMP/resp, status in CODE
  CODE=$(curl -s --cacert "$TMP/tls.crt" -o "$TMP/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$1" "$URL/validate")
}

# review FILE ALLOWED EXPECTED_RULES(comma, "" none) EXPECTED_WARNINGS(count)
review() {
  local f=$1 allowed=$2 rules=$3 nwarn=$4
  post "$DATA/reviews/$f"
  if [ "$CODE" != 200 ]; then fail "$f: HTTP $CODE: $(head -c 200 "$TMP/resp")"; return; fi
  if $PY - "$DATA/reviews/$f" "$TMP/resp" "$allowed" "$rules" "$nwarn" <<'PYEOF'; then pass "$f: allowed=$allowed ${rules:+denied by $rules }warnings=$nwarn"; else fail "$f: $(head -c 600 "$TMP/resp")"; fi
import json, sys
req = json.load(open(sys.argv[1])); resp = json.load(open(sys.argv[2]))
allowed, rules, nwarn = sys.argv[3] == "true", [r for r in sys.argv[4].split(",") if r], int(sys.argv[5])
assert resp["apiVersion"] == "admission.k8s.io/v1" and resp["kind"] == "AdmissionReview"
r = resp["response"]
assert r["uid"] == req["request"]["uid"], "uid not echoed"
assert r["allowed"] is allowed, r
if not allowed:
    assert r["status"]["code"] == 403
    lines = r["status"]["message"].split("\n")
    got = sorted({l.split(" ")[0] for l in lines})
    assert got == sorted(rules), (got, rules)
    assert all(": spec." in l or ": items[" in l for l in lines), lines   # each line names a field path
else:
    assert "status" not in r or r["status"].get("code") in (None, 200)
assert len(r.get("warnings", [])) == nwarn, r.get("warnings")
PYEOF
}
review deployment-create-denied.json false hostNamespaces,privileged,allowPrivilegeEscalation,runAsNonRoot,seccompProfile_restricted,capabilities_restricted 0
review deployment-create-allowed.json true "" 0
review pod-update-denied.json false runAsUser 0
review pod-create-exempt-namespace.json true "" 0
review pod-create-latest-audit.json true "" 1
review pod-delete.json true "" 0

# malformed and oversized bodies: 400, and the server still answers
printf '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{' >"$TMP/trunc.json"
printf '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"object":{}}}' >"$TMP/nouid.json"
printf 'not json at all' >"$TMP/garbage.json"
$PY -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * (4 << 20) + "\"}")' >"$TMP/big.json"
ok=1
for f in trunc nouid garbage big; do
  post "$TMP/$f.json"
  [ "$CODE" = 400 ] || { ok=0; info "$f: HTTP $CODE"; }
done
CODE=$(curl -s --cacert "$TMP/tls.crt" -o /dev/null -w '%{http_code}' "$URL/validate")
[ "$CODE" = 405 ] || { ok=0; info "GET /validate: HTTP $CODE"; }
[ $ok = 1 ] && pass "malformed, uid-less, non-JSON and 4 MiB bodies -> 400; GET -> 405" || fail "bad requests"
review deployment-create-allowed.json true "" 0
kill -0 $SERVER 2>/dev/null && pass "server alive after bad requests" || fail "server died"

# plain HTTP is refused (TLS only)
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && fail "plain HTTP answered" || pass "plain HTTP not served"

kill $SERVER; wait $SERVER; rc=$?
[ $rc -eq 0 ] && pass "SIGTERM: clean exit" || fail "server exit status $rc"
trap 'rm -rf "$TMP"' EXIT

# ---- image rules that need the image: signature (trust policy) and findings ----
export COMB_PASSWORD=correct-horse
IMG="$COMB_SHARED/data/images/test_image_tag.oci"
cp -r "$IMG" "$TMP/signed"; cp -r "$IMG" "$TMP/unsigned"; chmod -R u+w "$TMP/signed" "$TMP/unsigned"
"$COMB" key generate --output "$TMP/k" >/dev/null 2>&1
"$COMB" key generate --output "$TMP/other" >/dev/null 2>&1
"$COMB" sign --key "$TMP/k.key" --reference registry.example.com/team/signed "$TMP/signed:0.0.1" >/dev/null
cp -r "$IMG" "$TMP/wrongkey"; chmod -R u+w "$TMP/wrongkey"
"$COMB" sign --key "$TMP/other.key" --reference registry.example.com/team/wrongkey "$TMP/wrongkey:0.0.1" >/dev/null
DIGEST=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$IMG/index.json")
cat >"$TMP/trust.yaml" <<YEOF
version: 1
default: reject
rules:
  - match: "registry.example.com/team/**"
    type: signedBy
    keys: [k.pub]
YEOF
mkdir -p "$TMP/scans"
# a scan result as `comb scan -f json` writes it (schema comb-scan/1), one high finding
cat >"$TMP/scans/app.json" <<JEOF
{"schema": "comb-scan/1", "target": {"target": "signed:0.0.1", "manifest_digest": "$DIGEST"},
 "findings": [{"id": "CVE-2024-0001", "severity": "high", "suppressed": false},
              {"id": "CVE-2024-0002", "severity": "critical", "suppressed": true}]}
JEOF
for sev in critical high; do
  cat >"$TMP/img-$sev.yaml" <<YEOF
podSecurity: {level: baseline}
images:
  mode: enforce
  requireSignature: true
  trustPolicy: $TMP/trust.yaml
  maxSeverity: $sev
  scanResults: $TMP/scans
YEOF
done
PORT2=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$COMB" admission serve --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" --listen "127.0.0.1:$PORT2" \
  --policy "$TMP/img-critical.yaml" --image-store "registry.example.com/team/signed*=$TMP/signed" \
  --image-store "registry.example.com/team/unsigned*=$TMP/unsigned" \
  --image-store "registry.example.com/team/wrongkey*=$TMP/wrongkey" 2>"$TMP/server2.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
URL="https://127.0.0.1:$PORT2"
for _ in $(seq 1 100); do curl -sf --cacert "$TMP/tls.crt" "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for img in signed unsigned wrongkey; do
  $PY - "$DATA/reviews/deployment-create-allowed.json" "$TMP/req-$img.json" "registry.example.com/team/$img:0.0.1" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["request"]["uid"] = "uid-" + sys.argv[3].split("/")[-1]
r["request"]["object"]["spec"]["template"]["spec"]["containers"][0]["image"] = sys.argv[3]
json.dump(r, open(sys.argv[2], "w"))
PYEOF
  post "$TMP/req-$img.json"; cp "$TMP/resp" "$TMP/resp-$img.json"
done
$PY - "$TMP" <<'PYEOF' && pass "signature rule: signed layout allowed, unsigned and wrong-key layouts denied (trust policy, verified)" || fail "signature rule: $(cat "$TMP"/resp-*.json | head -c 900)"
import json, sys
t = sys.argv[1]
s, u, w = (json.load(open(f"{t}/resp-{n}.json"))["response"] for n in ("signed", "unsigned", "wrongkey"))
assert s["allowed"] is True, s
assert u["allowed"] is False and u["status"]["message"].startswith("image.signature (image): spec.template.spec.containers[0].image"), u
assert w["allowed"] is False and "image.signature" in w["status"]["message"], w
PYEOF
kill $SERVER; wait $SERVER || true
trap 'rm -rf "$TMP"' EXIT
# severity: the same signed image with a high finding; limit critical passes, limit high denies
sed -i 's/uid-signed/uid-x/' "$TMP/req-signed.json"
$PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"]["object"]))' "$TMP/req-signed.json" >"$TMP/dep.json"
for sev in critical high; do
  "$COMB" policy check -f json --policy "$TMP/img-$sev.yaml" \
    --image-store "registry.example.com/team/signed*=$TMP/signed" "$TMP/dep.json" >"$TMP/sev-$sev.json"
done
$PY - "$TMP" <<'PYEOF' && pass "severity rule from scan results: high finding passes maxSeverity critical, denied at high (suppressed critical ignored)" || fail "severity rule: $(head -c 600 "$TMP/sev-high.json")"
import json, sys
t = sys.argv[1]
c = json.load(open(f"{t}/sev-critical.json"))["results"][0]
h = json.load(open(f"{t}/sev-high.json"))["results"][0]
assert c["allowed"] and not c["violations"], c
assert not h["allowed"] and [v["rule"] for v in h["violations"]] == ["image.severity"], h
assert "has high findings" in h["violations"][0]["message"]
PYEOF
finish
