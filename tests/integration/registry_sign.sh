#!/usr/bin/env bash
# comb sign / comb verify on images in registries (registry/store.c over the distribution client):
# against comb registry serve (referrers API; --auth token flow) and Debian's docker-registry (no
# referrers API: the sha256-<hex> tag schema), both the cosign .sig tag and Sigstore bundles as
# referrers: a signature verifies with its key, not with another key; a signature of another digest
# does not verify the image; the signatures are visible to the registry's referrers API.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env
export COMB_PASSWORD=correct-horse
"$COMB" key generate --output "$TMP/a" >/dev/null
"$COMB" key generate --output "$TMP/b" >/dev/null

verify() { # WANT_EXIT LABEL ARGS...
  local want=$1 label=$2; shift 2
  set +e; "$COMB" verify "$@" >"$TMP/v.out" 2>"$TMP/v.err"; local rc=$?; set -e
  [ "$rc" = "$want" ] && pass "$label: exit $rc" || fail "$label: exit $rc (want $want): $(cat "$TMP/v.err" "$TMP/v.out" | head -c 400)"
}

check_registry() { # NAME HOST CREDS-ARGS...
  local name=$1 host=$2; shift 2
  local img="$host/team/app:1"
  skopeo copy -q --dest-tls-verify=false ${DEST_CREDS:+--dest-creds "$DEST_CREDS"} "oci:$D/oci:bookworm" "docker://$img"
  skopeo copy -q --dest-tls-verify=false ${DEST_CREDS:+--dest-creds "$DEST_CREDS"} "oci:$COMB_FIXTURES/debian12/oci:bookworm" "docker://$host/team/other:1" 2>/dev/null || true
  verify 6 "$name: unsigned image is not verified" --insecure "$@" --key "$TMP/a.pub" "$img"
  set +e; "$COMB" sign --insecure "$@" --key "$TMP/a.key" "$img" >"$TMP/s.out" 2>"$TMP/s.err"; rc=$?; set -e
  [ "$rc" = 0 ] && pass "$name: comb sign $img (cosign .sig tag)" || fail "$name: sign: exit $rc $(cat "$TMP/s.err")"
  verify 0 "$name: verifies with the signer's key" --insecure "$@" --key "$TMP/a.pub" "$img"
  verify 6 "$name: another key does not verify" --insecure "$@" --key "$TMP/b.pub" "$img"
  # the .sig tag as cosign names it
  local dig
  dig=$(skopeo inspect --raw --tls-verify=false ${DEST_CREDS:+--creds "$DEST_CREDS"} "docker://$img" | sha256sum | cut -d' ' -f1)
  skopeo inspect --raw --tls-verify=false ${DEST_CREDS:+--creds "$DEST_CREDS"} "docker://$host/team/app:sha256-$dig.sig" >/dev/null 2>&1 &&
    pass "$name: the signature is at tag sha256-<digest>.sig" || fail "$name: no .sig tag"
  # a bundle attached as a referrer (signed by key b)
  set +e; "$COMB" sign --insecure "$@" --bundle-only --key "$TMP/b.key" "$img" >"$TMP/s.out" 2>"$TMP/s.err"; rc=$?; set -e
  [ "$rc" = 0 ] && pass "$name: comb sign --bundle-only (a Sigstore bundle as an OCI referrer)" || fail "$name: bundle sign: $rc $(cat "$TMP/s.err")"
  verify 0 "$name: the bundle verifies with key b through referrers" --insecure "$@" --key "$TMP/b.pub" "$img"
  # the signature of another image's digest does not verify this image: copy app's .sig onto other
  local odig
  odig=$(skopeo inspect --raw --tls-verify=false ${DEST_CREDS:+--creds "$DEST_CREDS"} "docker://$host/team/other:1" | sha256sum | cut -d' ' -f1)
  if [ "$odig" = "$dig" ]; then
    # same content: make other differ by an annotation-free retag of a different image
    skopeo copy -q --src-tls-verify=false --dest-tls-verify=false ${DEST_CREDS:+--src-creds "$DEST_CREDS" --dest-creds "$DEST_CREDS"} \
      --format v2s2 "docker://$img" "docker://$host/team/other:1"
    odig=$(skopeo inspect --raw --tls-verify=false ${DEST_CREDS:+--creds "$DEST_CREDS"} "docker://$host/team/other:1" | sha256sum | cut -d' ' -f1)
  fi
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false ${DEST_CREDS:+--src-creds "$DEST_CREDS" --dest-creds "$DEST_CREDS"} \
    "docker://$host/team/app:sha256-$dig.sig" "docker://$host/team/other:sha256-$odig.sig"
  verify 6 "$name: a signature made for another digest does not verify" --insecure "$@" --key "$TMP/a.pub" "$host/team/other:1"
}

# 1. comb registry serve with --auth (token flow)
ROOT="$TMP/root"
echo "dev-password-1" | "$COMB" registry user add dev --password-stdin --root "$ROOT"
"$COMB" registry project set team --root "$ROOT"
"$COMB" registry member set --project team --user dev --role developer --root "$ROOT"
start_combreg "$ROOT" --auth
DEST_CREDS=dev:dev-password-1
printf 'dev-password-1\n' >"$TMP/pw"
# --password-stdin is read once per command: wrap verify/sign
COMB_REAL=$COMB
COMB="$TMP/combw"
printf '#!/bin/sh\nexec "%s" "$@" --username dev --password-stdin <"%s"\n' "$COMB_REAL" "$TMP/pw" >"$COMB"; chmod +x "$COMB"
check_registry "comb registry" "$CREG"
# the registry's referrers API lists the bundle
dig=$(skopeo inspect --raw --tls-verify=false --creds "$DEST_CREDS" "docker://$CREG/team/app:1" | sha256sum | cut -d' ' -f1)
n=$(curl -s -u "$DEST_CREDS" "http://$CREG/v2/team/app/referrers/sha256:$dig" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["manifests"]))')
[ "$n" -ge 1 ] && pass "comb registry: the bundle is listed by GET /v2/team/app/referrers/<digest> ($n)" || fail "referrers: $n"
set +e; "$COMB_REAL" sign --insecure --key "$TMP/a.key" "$CREG/team/app:1" >/dev/null 2>"$TMP/na.err"; rc=$?; set -e
[ "$rc" = 7 ] && pass "signing without credentials: exit 7" || fail "sign without credentials: exit $rc $(cat "$TMP/na.err")"
stop_combreg
COMB=$COMB_REAL; DEST_CREDS=

# 2. a project that requires signatures: checked cryptographically at each pull
ROOT2="$TMP/root2"
"$COMB" registry project set secure --require-signature "$TMP/a.pub" --root "$ROOT2"
echo "dev-password-1" | "$COMB" registry user add dev --password-stdin --root "$ROOT2"
echo "consumer-pw-1" | "$COMB" registry user add consumer --password-stdin --root "$ROOT2"
"$COMB" registry member set --project secure --user dev --role developer --root "$ROOT2"
"$COMB" registry member set --project secure --user consumer --role guest --root "$ROOT2"
set +e; "$COMB" registry project set bad --require-signature "$TMP/a.key" --root "$ROOT2" 2>/dev/null; rc=$?; set -e
[ "$rc" != 0 ] && pass "a private key or non-key is refused as the trusted key" || fail "project set accepted a non-public key"
start_combreg "$ROOT2" --auth
for t in signed unsigned other; do
  skopeo copy -q --dest-tls-verify=false --dest-creds dev:dev-password-1 "oci:$D/oci:bookworm" "docker://$CREG/secure/$t:1"
done
# the consumer (guest) pulls; the developer pushes and signs
pullp() { skopeo copy -q --src-tls-verify=false --src-creds consumer:consumer-pw-1 "docker://$CREG/secure/$1:1" "oci:$TMP/pp-$1:x" >"$TMP/pp.err" 2>&1; }
COMB_REAL=$COMB; COMB="$TMP/combw"
if pullp unsigned; then fail "an unsigned image was pulled from a signature-requiring project"
else grep -q "no signature that verifies" "$TMP/pp.err" && pass "unsigned image: pull refused (403 DENIED, reason given)" || fail "unsigned refusal: $(cat "$TMP/pp.err")"; fi
"$COMB" sign --insecure --key "$TMP/a.key" "$CREG/secure/signed:1" >/dev/null 2>"$TMP/s.err" || fail "sign secure/signed: $(cat "$TMP/s.err")"
pullp signed && pass "signed by the trusted key: pull allowed" || fail "signed pull refused: $(cat "$TMP/pp.err")"
"$COMB" sign --insecure --key "$TMP/b.key" "$CREG/secure/other:1" >/dev/null 2>"$TMP/s.err" || fail "sign secure/other: $(cat "$TMP/s.err")"
pullp other && fail "signed by an untrusted key: pulled" || pass "signed by another key: pull refused"
"$COMB" sign --insecure --bundle-only --key "$TMP/a.key" "$CREG/secure/other:1" >/dev/null 2>"$TMP/s.err"
pullp other && pass "after a bundle by the trusted key is attached (referrers): pull allowed" || fail "bundle-signed pull refused: $(cat "$TMP/pp.err")"
# a signature payload tampered with in the store: the .sig tag moved to a manifest whose payload blob is changed
COMB=$COMB_REAL
DC=dev:dev-password-1
dig=$(skopeo inspect --raw --tls-verify=false --creds $DC "docker://$CREG/secure/signed:1" | sha256sum | cut -d' ' -f1)
sigman=$(curl -s -u $DC "http://$CREG/v2/secure/signed/manifests/sha256-$dig.sig")
layer=$(printf '%s' "$sigman" | $PY -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
payload=$(curl -s -u $DC "http://$CREG/v2/secure/signed/blobs/$layer" | sed 's/"critical"/"critical" /')
newd="sha256:$(printf '%s' "$payload" | sha256sum | cut -d' ' -f1)"
curl -s -o /dev/null -u $DC -X POST -H 'Content-Type: application/octet-stream' --data-binary "$payload" "http://$CREG/v2/secure/signed/blobs/uploads/?digest=$newd"
tampered=$(printf '%s' "$sigman" | $PY -c 'import json,sys; m=json.load(sys.stdin); n=sys.argv[1]; l=m["layers"][0]; l["digest"]=n; l["size"]=int(sys.argv[2]); print(json.dumps(m))' "$newd" "$(printf '%s' "$payload" | wc -c)")
curl -s -o /dev/null -u $DC -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$tampered" "http://$CREG/v2/secure/signed/manifests/sha256-$dig.sig"
pullp signed && fail "a tampered signature payload still allowed the pull" || pass "tampered signature payload (same signature bytes): pull refused"
# disguises: an unsigned image under a signature-like tag, or carrying a subject, is still an image
um=$(curl -s -u $DC "http://$CREG/v2/secure/unsigned/manifests/1")
umt=$(printf '%s' "$um" | $PY -c 'import json,sys; print(json.load(sys.stdin)["mediaType"])')
curl -s -o /dev/null -u $DC -X PUT -H "Content-Type: $umt" --data-binary "$um" "http://$CREG/v2/secure/unsigned/manifests/sha256-$(printf '%064d' 7).sig"
code=$(curl -s -o /dev/null -w '%{http_code}' -u consumer:consumer-pw-1 "http://$CREG/v2/secure/unsigned/manifests/sha256-$(printf '%064d' 7).sig")
[ "$code" = 403 ] && pass "an unsigned image under a .sig-like tag: still refused" || fail "artifact-tag disguise: $code"
sm=$(printf '%s' "$um" | $PY -c 'import json,sys; m=json.load(sys.stdin); m["subject"]={"mediaType":m["mediaType"],"digest":"sha256:"+"1"*64,"size":1}; print(json.dumps(m))')
smd="sha256:$(printf '%s' "$sm" | sha256sum | cut -d' ' -f1)"
curl -s -o /dev/null -u $DC -X PUT -H "Content-Type: $umt" --data-binary "$sm" "http://$CREG/v2/secure/unsigned/manifests/$smd"
code=$(curl -s -o /dev/null -w '%{http_code}' -u consumer:consumer-pw-1 "http://$CREG/v2/secure/unsigned/manifests/$smd")
[ "$code" = 403 ] && pass "an unsigned image carrying a subject: still refused" || fail "subject disguise: $code"
"$COMB" registry audit --limit 100000 --root "$ROOT2" >"$TMP/audit2"; grep -q "refused: unsigned or untrusted signature" "$TMP/audit2" && pass "audit records the policy refusals" || fail "no policy decision in the audit log"
stop_combreg

# 3. Debian's docker-registry (no referrers API: the tag schema)
start_registry  # docker-registry; sets REG
port=${REG##*:}
check_registry "docker-registry" "127.0.0.1:$port"
finish
