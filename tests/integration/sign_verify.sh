#!/usr/bin/env bash
# comb key / sign / verify on OCI layouts (docs/TRUST.md):
#  - keys of every type; encrypted at rest; comb key public re-derives the public key
#  - sign + verify with the right key; fails (exit 6) with a wrong key, a tampered payload, a payload
#    naming another digest, a modified image, a removed signature; several signatures, any trusted one
#  - the trust policy picks keys per repository (most specific pattern), reject / insecureAcceptAnything
#  - independent implementations agree: openssl(1) verifies comb's raw signatures over the payload and
#    signs cosign payloads that comb verifies; the sigstore-js npm packages (@sigstore/sign, /bundle,
#    /verify) verify comb's bundles and make bundles that comb verifies; comb's bundle validates against
#    the official Sigstore Bundle JSON schema (tests/data/schemas/)
#  - exit codes: 0 verified, 6 not verified, 1 unreadable input, 2 usage
. "$(dirname "$0")/lib/common.bash"
OCI="$COMB_SRC/tests/integration/lib/ocilayout.py"
SCHEMA="$COMB_SRC/tests/data/schemas/sigstore-bundle.schema.json"
export COMB_PASSWORD=correct-horse
REPO=registry.example.com/team/app
cd "$TMP"

# verify_rc WANT LABEL comb-verify-args... : runs comb verify, checks the exit code
verify_rc() {
  local want=$1 label=$2; shift 2
  set +e
  "$COMB" verify "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  set -e
  if [ "$rc" -eq "$want" ]; then pass "$label (exit $rc)"; else
    fail "$label: exit $rc, want $want"; sed 's/^/    /' "$TMP/out" "$TMP/err" | head -20; fi
}
expect_out() { # LABEL PATTERN : the last verify's stdout matches
  if grep -qE -- "$2" "$TMP/out"; then pass "$1"; else fail "$1: no /$2/ in output"; sed 's/^/    /' "$TMP/out" | head; fi
}
fresh() { rm -rf "$1"; cp -r "$COMB_SHARED/data/images/test_image_tag.oci" "$1"; chmod -R u+w "$1"; }
digest_of() { $PY -c 'import json,sys; print([m["digest"] for m in json.load(open(sys.argv[1]+"/index.json"))["manifests"] if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name")==sys.argv[2]][0])' "$1" "$2"; }
sig_layer() { # DIR DIGEST N -> "payload-file sig-file" extracted from layer N of the .sig manifest
  $PY - "$@" <<'PYEOF'
import base64, json, sys
d, dg, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
tag = "sha256-%s.sig" % dg.split(":")[1]
idx = json.load(open(d + "/index.json"))
m = [m for m in idx["manifests"] if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == tag][0]
man = json.load(open(d + "/blobs/sha256/" + m["digest"].split(":")[1]))
l = man["layers"][n]
open("payload.bin", "wb").write(open(d + "/blobs/sha256/" + l["digest"].split(":")[1], "rb").read())
open("sig.bin", "wb").write(base64.b64decode(l["annotations"]["dev.cosignproject.cosign/signature"]))
PYEOF
}

# ---- keys
for t in ecdsa-p256 ed25519 rsa-3072; do
  if "$COMB" key generate --type "$t" --output "$TMP/$t" >/dev/null 2>"$TMP/err"; then
    pass "key generate --type $t"
  else fail "key generate --type $t: $(cat "$TMP/err")"; continue; fi
  head -1 "$TMP/$t.key" | grep -q "BEGIN ENCRYPTED PRIVATE KEY" && pass "$t: private key is encrypted PKCS#8" \
    || fail "$t: private key is not encrypted"
  [ "$(stat -c %a "$TMP/$t.key")" = 600 ] && pass "$t: private key mode 0600" || fail "$t: key mode $(stat -c %a "$TMP/$t.key")"
  openssl pkey -in "$TMP/$t.key" -passin pass:$COMB_PASSWORD -noout 2>/dev/null && pass "$t: openssl decrypts it with the password" \
    || fail "$t: openssl cannot read the encrypted key"
  openssl pkey -in "$TMP/$t.key" -passin pass:wrong -noout 2>/dev/null && fail "$t: openssl decrypts it with a wrong password" || true
  "$COMB" key public --key "$TMP/$t.key" >"$TMP/$t.pub2" && cmp -s "$TMP/$t.pub" "$TMP/$t.pub2" \
    && pass "$t: key public re-derives the .pub" || fail "$t: key public differs"
  openssl pkey -pubin -in "$TMP/$t.pub" -noout 2>/dev/null && pass "$t: .pub is a SubjectPublicKeyInfo PEM" || fail "$t: .pub unreadable"
done
COMB_PASSWORD=wrong "$COMB" key public --key "$TMP/ecdsa-p256.key" >/dev/null 2>&1 && fail "key public with a wrong password succeeded" \
  || pass "a wrong password does not decrypt the key"
"$COMB" key generate --output "$TMP/ecdsa-p256" >/dev/null 2>&1 && fail "key generate overwrote a key" || pass "existing keys are not overwritten"
"$COMB" key generate --type ecdsa-p256 --output "$TMP/other" >/dev/null

# ---- sign + verify, every key type, on a copy of a real image layout
for t in ecdsa-p256 ed25519 rsa-3072; do
  fresh "img-$t"
  if "$COMB" sign --key "$TMP/$t.key" --reference "$REPO" "img-$t:0.0.1" >"$TMP/out" 2>"$TMP/err"; then pass "$t: sign"
  else fail "$t: sign: $(cat "$TMP/err")"; continue; fi
  verify_rc 0 "$t: verifies with its key" --key "$TMP/$t.pub" --reference "$REPO" "img-$t:0.0.1"
  expect_out "$t: reports the key that verified" "verified by $t key $TMP/$t.pub"
  verify_rc 6 "$t: fails with a wrong key" --key "$TMP/other.pub" --reference "$REPO" "img-$t:0.0.1"
  # independent check of the raw signature over the payload (cosign's algorithms)
  D=$(digest_of "img-$t" 0.0.1)
  sig_layer "img-$t" "$D" 0
  case $t in
    ed25519) ok=$(openssl pkeyutl -verify -pubin -inkey "$TMP/$t.pub" -rawin -in payload.bin -sigfile sig.bin 2>&1) ;;
    *) ok=$(openssl dgst -sha256 -verify "$TMP/$t.pub" -signature sig.bin payload.bin 2>&1) ;;
  esac
  case $ok in *"Verified OK"*|*"Signature Verified Successfully"*) pass "$t: openssl verifies comb's signature over the payload" ;;
    *) fail "$t: openssl does not verify comb's signature: $ok" ;; esac
  $PY - "$D" "$REPO" <<'PYEOF' && pass "$t: payload is cosign's simple-signing JSON for the image" || fail "$t: payload content"
import json, sys
p = json.load(open("payload.bin"))
c = p["critical"]
assert c["type"] == "cosign container image signature", c
assert c["image"]["docker-manifest-digest"] == sys.argv[1], c
assert c["identity"]["docker-reference"] == sys.argv[2], c
assert "optional" in p
PYEOF
done
# the signed layout is still a readable image for the rest of comb
"$COMB" sbom --format json -o "$TMP/sbom.json" img-ecdsa-p256:0.0.1 2>"$TMP/err" && "$COMB" sbom -o /dev/null img-ecdsa-p256 2>>"$TMP/err" \
  && pass "comb sbom still reads the signed layout (with and without the tag)" || fail "sbom on a signed layout: $(cat "$TMP/err")"

# ---- an independent cosign-format signature (openssl + python) verifies with comb, and a bad one does not
fresh ext
D=$(digest_of ext 0.0.1)
$PY "$OCI" payload "$REPO" "$D" >ext-payload.json
openssl dgst -sha256 -sign <(openssl pkey -in ecdsa-p256.key -passin pass:$COMB_PASSWORD) -out ext.sig ext-payload.json
$PY "$OCI" attach-sig ext "$D" ext-payload.json ext.sig >/dev/null
verify_rc 0 "a signature made by openssl in cosign's format verifies with comb" --key ecdsa-p256.pub --reference "$REPO" ext:0.0.1
$PY "$OCI" payload "$REPO" "$D" >ed-payload.json
openssl pkeyutl -sign -inkey <(openssl pkey -in ed25519.key -passin pass:$COMB_PASSWORD) -rawin -in ed-payload.json -out ed.sig
$PY "$OCI" attach-sig ext "$D" ed-payload.json ed.sig >/dev/null
verify_rc 0 "an Ed25519 signature by openssl verifies with comb" --key ed25519.pub --reference "$REPO" ext:0.0.1
openssl dgst -sha256 -sign <(openssl pkey -in rsa-3072.key -passin pass:$COMB_PASSWORD) -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:32 -out pss.sig ed-payload.json
$PY "$OCI" attach-sig ext "$D" ed-payload.json pss.sig >/dev/null
verify_rc 0 "an RSA-PSS signature by openssl verifies with comb" --key rsa-3072.pub --reference "$REPO" ext:0.0.1

# ---- failures
# tampered payload: a new payload blob with the old signature
fresh tp; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" tp:0.0.1 >/dev/null
D=$(digest_of tp 0.0.1); sig_layer tp "$D" 0
sed 's/team\/app/team\/evil/' payload.bin >tampered.json
$PY "$OCI" edit-sig-layer tp "$D" 0 payload tampered.json >/dev/null
verify_rc 6 "a tampered payload fails" --key ecdsa-p256.pub --reference "$REPO" tp:0.0.1
expect_out "the tampered payload is reported as not verifying" "does not verify with any trusted key"
# tampered payload blob in place (digest no longer matches)
fresh tb; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" tb:0.0.1 >/dev/null
D=$(digest_of tb 0.0.1); $PY - tb "$D" <<'PYEOF'
import json, sys
d, dg = sys.argv[1], sys.argv[2]
idx = json.load(open(d + "/index.json"))
m = [m for m in idx["manifests"] if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == "sha256-%s.sig" % dg[7:]][0]
man = json.load(open(d + "/blobs/sha256/" + m["digest"][7:]))
p = d + "/blobs/sha256/" + man["layers"][0]["digest"][7:]
s = open(p).read().replace("team/app", "team/bad")
open(p, "w").write(s)
PYEOF
verify_rc 6 "a payload blob changed in place fails" --key ecdsa-p256.pub --reference "$REPO" tb:0.0.1
expect_out "the changed blob is reported as a digest mismatch" "content digest is"
# a validly signed payload naming another digest
fresh od; D=$(digest_of od 0.0.1)
$PY "$OCI" payload "$REPO" "sha256:$(printf other | sha256sum | cut -d' ' -f1)" >other-payload.json
openssl dgst -sha256 -sign <(openssl pkey -in ecdsa-p256.key -passin pass:$COMB_PASSWORD) -out other.sig other-payload.json
$PY "$OCI" attach-sig od "$D" other-payload.json other.sig >/dev/null
verify_rc 6 "a signed payload naming another digest fails" --key ecdsa-p256.pub --reference "$REPO" od:0.0.1
expect_out "the other digest is reported" "not this image"
# signed for another repository
fresh orp; "$COMB" sign --key ecdsa-p256.key --reference registry.example.com/team/other orp:0.0.1 >/dev/null
verify_rc 6 "a signature for another repository fails" --key ecdsa-p256.pub --reference "$REPO" orp:0.0.1
expect_out "the other repository is reported" "signed for repository registry.example.com/team/other"
verify_rc 0 "... unless the identity check is off (--identity any)" --key ecdsa-p256.pub --reference "$REPO" --identity any orp:0.0.1
# the image changed after signing
fresh mi; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" mi:0.0.1 >/dev/null
OLD=$(digest_of mi 0.0.1); NEW=$($PY "$OCI" retag-image mi 0.0.1)
verify_rc 6 "an image modified after signing fails (no signature for the new digest)" --key ecdsa-p256.pub --reference "$REPO" mi:0.0.1
$PY "$OCI" move-tag mi "sha256-${OLD#sha256:}.sig" "sha256-${NEW#sha256:}.sig"
verify_rc 6 "an image modified after signing fails (old signature moved to the new digest)" --key ecdsa-p256.pub --reference "$REPO" mi:0.0.1
expect_out "the signed digest is reported" "names $OLD, not this image"
# signatures removed
fresh rm1; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" rm1:0.0.1 >/dev/null
D=$(digest_of rm1 0.0.1); $PY "$OCI" edit-sig-layer rm1 "$D" 0 drop-annotation >/dev/null
verify_rc 6 "a signature annotation removed fails" --key ecdsa-p256.pub --reference "$REPO" rm1:0.0.1
fresh rm2; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" rm2:0.0.1 >/dev/null
$PY "$OCI" untag rm2 "sha256-$(digest_of rm2 0.0.1 | cut -c8-).sig"
verify_rc 6 "the signature manifest removed fails" --key ecdsa-p256.pub --reference "$REPO" rm2:0.0.1
expect_out "no signatures is reported" "no signatures found"

# ---- several signatures: any trusted one suffices, all are reported
fresh multi
"$COMB" sign --key other.key --reference "$REPO" multi:0.0.1 >/dev/null
"$COMB" sign --key ed25519.key --reference "$REPO" multi:0.0.1 >/dev/null
verify_rc 0 "two signatures, verified by the second key" --key ed25519.pub --reference "$REPO" multi:0.0.1
expect_out "both signatures are reported" "signature 2 .*verified by ed25519"
"$COMB" verify --format json --key ed25519.pub --reference "$REPO" multi:0.0.1 >multi.json || true
$PY - <<'PYEOF' && pass "JSON report: 2 signatures, one verified, key named" || fail "JSON report of two signatures"
import json
r = json.load(open("multi.json"))
s = r["signatures"]
assert r["verified"] is True and len(s) == 2, r
assert [x["verified"] for x in s] == [False, True], s
assert s[1]["key"]["type"] == "ed25519" and s[1]["key"]["id"].startswith("sha256:"), s
assert "not checked" in r["transparency_log"]
PYEOF

# ---- concurrent signers do not lose each other's signatures (the layout is locked)
fresh conc
for i in 1 2 3 4 5 6; do "$COMB" sign --key ecdsa-p256.key --reference "$REPO" conc:0.0.1 >/dev/null 2>&1 & done
wait
"$COMB" verify --format json --key ecdsa-p256.pub --reference "$REPO" conc:0.0.1 >conc.json || true
n=$($PY -c 'import json; r=json.load(open("conc.json")); print(sum(1 for s in r["signatures"] if s["verified"]))')
[ "$n" = 6 ] && pass "6 concurrent signers: 6 signatures, all verify" || fail "6 concurrent signers: $n signatures verified"
ls conc/blobs/sha256 | grep -q '^\.tmp' && fail "temporary files left in the layout" || pass "no temporary files left in the layout"

# ---- a real distribution image (build/fixtures, when built): sign, verify, the image still scans
if [ -d "$COMB_FIXTURES/debian12/oci" ]; then
  cp -r "$COMB_FIXTURES/debian12/oci" deb; chmod -R u+w deb
  "$COMB" sign --bundle --key rsa-3072.key --reference docker.io/library/debian deb:bookworm >/dev/null
  verify_rc 0 "debian12 layout: signature and bundle verify" --key rsa-3072.pub --reference debian:bookworm deb:bookworm
  expect_out "debian12 layout: two signatures verified" "signature 2 \\(bundle.*verified by"
  "$COMB" sbom --format json -o deb.json deb:bookworm 2>/dev/null && $PY -c 'import json,sys; assert len(json.load(open("deb.json"))["packages"]) > 50' \
    && pass "debian12 layout: comb sbom reads the signed image" || fail "debian12 layout: sbom after signing"
else
  info "skipped: $COMB_FIXTURES/debian12/oci not built (tests/fixtures/build-fixtures.sh)"
fi
# multi-platform layouts: one manifest per platform in index.json (--platform picks one), or an
# image index blob (signed as itself, as cosign signs the digest a tag names)
if [ -d "$COMB_FIXTURES/layers/multiarch.oci" ]; then
  cp -r "$COMB_FIXTURES/layers/multiarch.oci" ma; cp -r "$COMB_FIXTURES/layers/multiarch-nested.oci" man; chmod -R u+w ma man
  set +e; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" ma >/dev/null 2>"$TMP/err"; rc=$?; set -e
  [ "$rc" -eq 2 ] && grep -q -- "--platform" "$TMP/err" && pass "several platform manifests without --platform: usage error naming --platform" \
    || fail "multiarch without --platform: exit $rc: $(cat "$TMP/err")"
  "$COMB" sign --platform linux/arm64 --key ecdsa-p256.key --reference "$REPO" ma >/dev/null
  verify_rc 0 "multiarch: the arm64 manifest verifies" --platform linux/arm64 --key ecdsa-p256.pub --reference "$REPO" ma
  verify_rc 6 "multiarch: the amd64 manifest is not signed" --platform linux/amd64 --key ecdsa-p256.pub --reference "$REPO" ma
  "$COMB" sign --key ecdsa-p256.key --reference "$REPO" man:latest >/dev/null
  verify_rc 0 "nested index: the index digest is signed and verifies" --key ecdsa-p256.pub --reference "$REPO" man:latest
  "$COMB" sbom -o /dev/null --platform linux/arm64 man:latest 2>/dev/null && "$COMB" sbom -o /dev/null --platform linux/arm64 ma 2>/dev/null \
    && pass "signed multi-platform layouts still read with comb sbom" || fail "sbom on signed multi-platform layouts"
else
  info "skipped: $COMB_FIXTURES/layers not built"
fi

# ---- Sigstore bundles as OCI referrers
fresh bun
"$COMB" sign --bundle-only --key ecdsa-p256.key --reference "$REPO" bun:0.0.1 >/dev/null
verify_rc 0 "a bundle (referrer) made by comb verifies" --key ecdsa-p256.pub --reference "$REPO" bun:0.0.1
expect_out "the bundle is reported" "bundle, referrer sha256:"
verify_rc 6 "a bundle fails with a wrong key" --key other.pub --reference "$REPO" bun:0.0.1
BD=$(digest_of bun 0.0.1)
BUNDLE=$($PY - bun <<'PYEOF'
import json, sys
d = sys.argv[1]
for m in json.load(open(d + "/index.json"))["manifests"]:
    if m.get("artifactType") == "application/vnd.dev.sigstore.bundle.v0.3+json":
        man = json.load(open(d + "/blobs/sha256/" + m["digest"][7:]))
        print(d + "/blobs/sha256/" + man["layers"][0]["digest"][7:])
PYEOF
)
if [ -f "$SCHEMA" ]; then
  # the generated schema's "required" lists use proto field names (tests/data/schemas/README.md):
  # converted to the JSON names its "properties" use, in a temporary copy
  mkdir -p schema; $PY - "$SCHEMA" schema/bundle.schema.json <<'PYEOF'
import json, re, sys
def fix(o):
    if isinstance(o, dict):
        return {k: ([re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), x) for x in v] if k == "required" else fix(v)) for k, v in o.items()}
    if isinstance(o, list):
        return [fix(x) for x in o]
    return o
json.dump(fix(json.load(open(sys.argv[1]))), open(sys.argv[2], "w"))
PYEOF
  $PY "$COMB_SRC/tests/tools/validate_schema.py" schema/bundle.schema.json "$BUNDLE" >"$TMP/err" 2>&1 \
    && pass "comb's bundle validates against the Sigstore Bundle JSON schema" || fail "bundle schema: $(head -5 "$TMP/err")"
  echo '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{"payload":"e30=","payloadType":"x","signatures":[]},"extra":1}' >bad.bundle
  $PY "$COMB_SRC/tests/tools/validate_schema.py" schema/bundle.schema.json bad.bundle >/dev/null 2>&1 \
    && fail "the schema check accepts a bundle with an unknown field" || pass "the schema check rejects a bundle with an unknown field"
else fail "schema $SCHEMA missing"; fi
# an in-toto statement about another image
fresh bo; D=$(digest_of bo 0.0.1)
NPM_DIR=${COMB_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comb/npm-sigstore}
SIGJS=""
if command -v npm >/dev/null && command -v node >/dev/null; then
  if [ ! -d "$NPM_DIR/node_modules/@sigstore/verify" ] || [ ! -d "$NPM_DIR/node_modules/tweetnacl" ]; then
    mkdir -p "$NPM_DIR"
    (cd "$NPM_DIR" && [ -f package.json ] || echo '{"name":"comb-test-sigstore","private":true}' >"$NPM_DIR/package.json"
     cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --silent \
       @sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 @sigstore/sign@4.1.1 tweetnacl@1.0.3 >"$TMP/npm.log" 2>&1) || true
  fi
  [ -d "$NPM_DIR/node_modules/@sigstore/verify" ] && [ -d "$NPM_DIR/node_modules/tweetnacl" ] && SIGJS="$NPM_DIR/node_modules"
fi
if [ -n "$SIGJS" ]; then
  JS="$COMB_SRC/tests/integration/lib/sigstore_interop.js"
  for t in ecdsa-p256 ed25519; do
    fresh "js-$t"; "$COMB" sign --bundle-only --key "$t.key" --reference "$REPO" "js-$t:0.0.1" >/dev/null
    B=$($PY - "js-$t" <<'PYEOF'
import json, sys
d = sys.argv[1]
for m in json.load(open(d + "/index.json"))["manifests"]:
    if m.get("artifactType"):
        print(d + "/blobs/sha256/" + json.load(open(d + "/blobs/sha256/" + m["digest"][7:]))["layers"][0]["digest"][7:])
PYEOF
)
    out=$(NODE_PATH=$SIGJS node "$JS" verify "$B" "$t.pub" "$(digest_of "js-$t" 0.0.1)" 2>&1) \
      && pass "$t: sigstore-js (@sigstore/verify) verifies comb's bundle: $out" || fail "$t: sigstore-js rejects comb's bundle: $out"
    NODE_PATH=$SIGJS node "$JS" verify "$B" other.pub "$(digest_of "js-$t" 0.0.1)" >/dev/null 2>&1 \
      && fail "$t: sigstore-js accepts comb's bundle with a wrong key" || pass "$t: sigstore-js rejects it with a wrong key"
    # a bundle made by sigstore-js, attached by an independent script, verifies with comb
    fresh "jsb-$t"; D=$(digest_of "jsb-$t" 0.0.1)
    openssl pkey -in "$t.key" -passin pass:$COMB_PASSWORD -out "$t.plain.pem"
    NODE_PATH=$SIGJS node "$JS" sign "$t.plain.pem" "$D" "$REPO" >"js-$t.bundle" 2>"$TMP/err" || fail "sigstore-js sign: $(cat "$TMP/err")"
    rm -f "$t.plain.pem"
    $PY "$OCI" attach-referrer "jsb-$t" "$D" application/vnd.dev.sigstore.bundle.v0.3+json "js-$t.bundle" >/dev/null
    verify_rc 0 "$t: a bundle made by sigstore-js (@sigstore/sign) verifies with comb" --key "$t.pub" --reference "$REPO" "jsb-$t:0.0.1"
    verify_rc 6 "$t: ... and fails with a wrong key" --key other.pub --reference "$REPO" "jsb-$t:0.0.1"
  done
  # a message-signature bundle (sigstore-js) over the image manifest's bytes
  for t in ecdsa-p256 rsa-3072; do
    fresh "msg-$t"; D=$(digest_of "msg-$t" 0.0.1)
    openssl pkey -in "$t.key" -passin pass:$COMB_PASSWORD -out p.pem
    NODE_PATH=$SIGJS node "$JS" sign-message p.pem "msg-$t/blobs/sha256/${D#sha256:}" >"msg-$t.bundle" 2>"$TMP/err" || fail "sigstore-js sign-message: $(cat "$TMP/err")"
    rm -f p.pem
    $PY "$OCI" attach-referrer "msg-$t" "$D" application/vnd.dev.sigstore.bundle.v0.3+json "msg-$t.bundle" >/dev/null
    verify_rc 0 "$t: a message-signature bundle by sigstore-js verifies with comb" --key "$t.pub" --reference "$REPO" "msg-$t:0.0.1"
    verify_rc 6 "$t: ... and fails with a wrong key" --key other.pub --reference "$REPO" "msg-$t:0.0.1"
  done
  # the same bundle attached to a changed image: the signature no longer covers its manifest
  NEW=$($PY "$OCI" retag-image msg-ecdsa-p256 0.0.1)
  $PY "$OCI" attach-referrer msg-ecdsa-p256 "$NEW" application/vnd.dev.sigstore.bundle.v0.3+json msg-ecdsa-p256.bundle >/dev/null
  verify_rc 6 "a message-signature bundle moved to a changed image fails" --key ecdsa-p256.pub --reference "$REPO" msg-ecdsa-p256:0.0.1
  # cosign's encrypted key format ("ENCRYPTED SIGSTORE PRIVATE KEY", scrypt + NaCl secretbox), written
  # by node's scrypt and tweetnacl: comb signs with it
  for t in ecdsa-p256 ed25519; do
    openssl pkey -in "$t.key" -passin pass:$COMB_PASSWORD -out p.pem
    NODE_PATH=$SIGJS node "$JS" cosign-key p.pem "cosign pass" >"cosign-$t.key"; rm -f p.pem
    fresh "ck-$t"
    if COMB_PASSWORD="cosign pass" "$COMB" sign --key "cosign-$t.key" --reference "$REPO" "ck-$t:0.0.1" >/dev/null 2>"$TMP/err"; then
      verify_rc 0 "$t: comb signs with a cosign-encrypted key; verifies with the .pub" --key "$t.pub" --reference "$REPO" "ck-$t:0.0.1"
    else fail "$t: comb cannot sign with a cosign-encrypted key: $(cat "$TMP/err")"; fi
    COMB_PASSWORD="wrong" "$COMB" sign --key "cosign-$t.key" --reference "$REPO" "ck-$t:0.0.1" >/dev/null 2>&1 \
      && fail "$t: a cosign key opened with a wrong password" || pass "$t: a wrong password does not open the cosign key"
  done
  # a sigstore-js bundle about another image, attached to this one
  fresh bo2; D=$(digest_of bo2 0.0.1)
  openssl pkey -in ecdsa-p256.key -passin pass:$COMB_PASSWORD -out p.pem
  NODE_PATH=$SIGJS node "$JS" sign p.pem "sha256:$(printf x | sha256sum | cut -d' ' -f1)" "$REPO" >bo2.bundle; rm -f p.pem
  $PY "$OCI" attach-referrer bo2 "$D" application/vnd.dev.sigstore.bundle.v0.3+json bo2.bundle >/dev/null
  verify_rc 6 "a validly signed bundle about another digest fails" --key ecdsa-p256.pub --reference "$REPO" bo2:0.0.1
  expect_out "the statement's subject is reported" "subject is not this image"
else
  fail "npm packages @sigstore/* unavailable (npm missing or offline): sigstore-js interop not checked; $(tail -3 "$TMP/npm.log" 2>/dev/null)"
fi

# ---- trust policy
mkdir -p pol/keys; cp ecdsa-p256.pub pol/keys/team.pub; cp ed25519.pub pol/keys/ops.pub
cat >pol/policy.yaml <<'EOF'
version: 1
default: reject
rules:
  - match: "registry.example.com/**"
    type: signedBy
    keys: [keys/ops.pub]
  - match: "registry.example.com/team/*"
    type: signedBy
    keys: [keys/team.pub]
  - match: "docker.io/library/*"
    type: insecureAcceptAnything
EOF
fresh pimg; "$COMB" sign --key ecdsa-p256.key --reference "$REPO" pimg:0.0.1 >/dev/null
verify_rc 0 "policy: team/* (more specific) trusts the team key" --trust-policy pol/policy.yaml --reference "$REPO" pimg:0.0.1
expect_out "policy: the rule is reported" "policy: registry.example.com/team/\* rule signedBy"
verify_rc 6 "policy: registry.example.com/** does not trust the team key" --trust-policy pol/policy.yaml \
  --reference registry.example.com/platform/app --identity any pimg:0.0.1
fresh unsigned
verify_rc 0 "policy: insecureAcceptAnything accepts an unsigned image" --trust-policy pol/policy.yaml --reference alpine unsigned:0.0.1
verify_rc 6 "policy: the default rejects other registries" --trust-policy pol/policy.yaml --reference quay.io/x/y pimg:0.0.1
printf '{"default": "reject", "rules": [{"match": "registry.example.com/team/app", "type": "signedBy", "keys": ["keys/ops.pub"]}]}' >pol/exact.json
verify_rc 6 "policy (JSON): an exact rule wins over globs and trusts only its keys" --trust-policy pol/exact.json --reference "$REPO" pimg:0.0.1
printf 'default: reject\nrules:\n  - match: x\n    type: signedBy\n    kyes: [a]\n' >pol/typo.yaml
verify_rc 1 "policy: an unknown field is an input error, not a verdict" --trust-policy pol/typo.yaml --reference "$REPO" pimg:0.0.1

# ---- usage and input errors are distinct from "not verified"
verify_rc 2 "verify without --key or --trust-policy is a usage error" --reference "$REPO" pimg:0.0.1
verify_rc 1 "verify of a missing layout is an input error" --key ecdsa-p256.pub "$TMP/nope"
verify_rc 1 "verify with an unreadable key is an input error" --key "$TMP/nope.pub" pimg:0.0.1
set +e; "$COMB" sign --key ecdsa-p256.key pimg:0.0.1 >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] && pass "sign without a repository name is a usage error" || fail "sign without --reference: exit $rc"
finish
