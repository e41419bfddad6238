#!/usr/bin/env bash
# Remote images from Debian's docker-registry on loopback with htpasswd Basic auth: 401 without
# credentials (exit 7), credentials from --username/--password-stdin, $REGISTRY_AUTH_FILE and a
# credential helper; pull by tag and by digest; multi-platform index with --platform; plain HTTP
# refused without --insecure; the sbom and scan results equal those of the same image as an OCI
# layout (packages, OS, diff_ids, findings).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/registry.bash"
need_fixture debian12/oci
need_fixture layers/multiarch-nested.oci
D="$COMB_FIXTURES/debian12"
export HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_CACHE_HOME="$TMP/cache"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"

start_registry tester:s3cret
push "oci:$D/oci:bookworm" "$REG/team/debian:12" tester:s3cret
push "oci:$COMB_FIXTURES/layers/multiarch-nested.oci:latest" "$REG/multi:1" tester:s3cret
info "registry at $REG"

# the reference: the local OCI layout
run_sbom "$TMP/local.json" "$D/oci:bookworm"
[ "$RC" -eq 0 ] || fail "local layout: exit $RC"
pkgs "$TMP/local.json" >"$TMP/local.tsv"

# 1. no credentials: a clear error and exit status 7
run_sbom "$TMP/noauth.json" --insecure "$REG/team/debian:12"
[ "$RC" -eq 7 ] && grep -q "authentication required" "$ERR" && [ ! -s "$TMP/noauth.json" ] &&
  pass "no credentials: exit 7, \"$(head -c 160 "$ERR")\"" || fail "no credentials: exit $RC, $(cat "$ERR")"

# 2. wrong password: refused, exit 7
set +e; echo wrong | timeout 60 "$COMB" sbom -f json -o "$TMP/wrong.json" --insecure --username tester --password-stdin "$REG/team/debian:12" 2>"$TMP/wrong.err"; RC=$?; set -e
[ "$RC" -eq 7 ] && [ ! -s "$TMP/wrong.json" ] && pass "wrong password: exit 7" || fail "wrong password: exit $RC, $(cat "$TMP/wrong.err")"

# 3. plain HTTP is refused unless --insecure
set +e; echo s3cret | timeout 60 "$COMB" sbom -f json -o "$TMP/tls.json" --username tester --password-stdin "$REG/team/debian:12" 2>"$TMP/tls.err"; RC=$?; set -e
[ "$RC" -eq 1 ] && grep -q -- "--insecure" "$TMP/tls.err" && pass "https by default; error names --insecure" || fail "no --insecure: exit $RC, $(cat "$TMP/tls.err")"

# 4. by tag with --username/--password-stdin: same packages, OS and layers as the layout
set +e; echo s3cret | timeout 300 "$COMB" sbom -f json -o "$TMP/tag.json" --insecure --username tester --password-stdin "$REG/team/debian:12" 2>"$TMP/tag.err"; RC=$?; set -e
if [ "$RC" -eq 0 ]; then
  pkgs "$TMP/tag.json" >"$TMP/tag.tsv"
  compare "by tag: packages equal the OCI layout's" "$TMP/local.tsv" "$TMP/tag.tsv"
  for k in os.id os.version_id image.config_digest image.manifest_digest; do
    a=$($PY "$SBOMTOOL" get "$TMP/local.json" "$k"); b=$($PY "$SBOMTOOL" get "$TMP/tag.json" "$k")
    [ "$a" = "$b" ] && pass "by tag: $k = $b" || fail "by tag: $k $b != layout's $a"
  done
  [ "$($PY "$SBOMTOOL" get "$TMP/tag.json" source)" = registry ] && pass "source = registry" || fail "source is not registry"
else
  fail "by tag: exit $RC: $(cat "$TMP/tag.err")"
fi

# 5. by digest, credentials from $REGISTRY_AUTH_FILE
digest=$($PY "$SBOMTOOL" get "$TMP/local.json" image.manifest_digest)
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf tester:s3cret | base64)" >"$TMP/auth.json"
REGISTRY_AUTH_FILE="$TMP/auth.json" run_sbom "$TMP/digest.json" --insecure "$REG/team/debian@$digest"
if [ "$RC" -eq 0 ]; then
  pkgs "$TMP/digest.json" >"$TMP/digest.tsv"
  compare "by digest (REGISTRY_AUTH_FILE): packages" "$TMP/local.tsv" "$TMP/digest.tsv"
else fail "by digest: exit $RC"; fi
# a digest that is not there
REGISTRY_AUTH_FILE="$TMP/auth.json" run_sbom "$TMP/nodigest.json" --insecure "$REG/team/debian@sha256:$(printf '%064d' 0)"
[ "$RC" -eq 1 ] && grep -q "not found" "$ERR" && pass "unknown digest: exit 1, not found" || fail "unknown digest: exit $RC"

# 6. containers auth.json under $XDG_RUNTIME_DIR
mkdir -p "$XDG_RUNTIME_DIR/containers" && cp "$TMP/auth.json" "$XDG_RUNTIME_DIR/containers/auth.json"
run_sbom "$TMP/xdg.json" --insecure "$REG/team/debian:12"
[ "$RC" -eq 0 ] && pass "credentials from \$XDG_RUNTIME_DIR/containers/auth.json" || fail "XDG auth.json: exit $RC"
rm "$XDG_RUNTIME_DIR/containers/auth.json"

# 7. a credential helper named by ~/.docker/config.json credHelpers
mkdir -p "$TMP/bin" "$HOME/.docker"
cat >"$TMP/bin/docker-credential-combtest" <<HELPER
#!/bin/sh
read server
echo "\$server" >"$TMP/helper.asked"
echo '{"ServerURL":"'"\$server"'","Username":"tester","Secret":"s3cret"}'
HELPER
chmod +x "$TMP/bin/docker-credential-combtest"
printf '{"credHelpers":{"%s":"combtest"}}' "$REG" >"$HOME/.docker/config.json"
PATH="$TMP/bin:$PATH" run_sbom "$TMP/helper.json" --insecure "$REG/team/debian:12"
[ "$RC" -eq 0 ] && [ "$(cat "$TMP/helper.asked" 2>/dev/null)" = "$REG" ] && pass "credential helper docker-credential-combtest asked for $REG" || fail "credential helper: exit $RC $(cat "$ERR")"
rm "$HOME/.docker/config.json"

# 8. multi-platform index: --platform picks the same image as from the layout
printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf tester:s3cret | base64)" >"$HOME/.docker/config.json"
for plat in linux/amd64 linux/arm64/v8; do
  run_sbom "$TMP/ml.json" --platform "$plat" "$COMB_FIXTURES/layers/multiarch-nested.oci"
  run_sbom "$TMP/mr.json" --platform "$plat" --insecure "$REG/multi:1"
  if [ "$RC" -ne 0 ]; then fail "multi-platform $plat: exit $RC"; continue; fi
  a=$($PY "$SBOMTOOL" get "$TMP/ml.json" image.manifest_digest); b=$($PY "$SBOMTOOL" get "$TMP/mr.json" image.manifest_digest)
  arch=$($PY "$SBOMTOOL" get "$TMP/mr.json" image.arch)
  pkgs "$TMP/ml.json" >"$TMP/ml.tsv"; pkgs "$TMP/mr.json" >"$TMP/mr.tsv"
  [ "$a" = "$b" ] && [ -n "$b" ] && pass "--platform $plat: manifest ${b:0:19} (arch $arch), same as the layout's" || fail "--platform $plat: $b != layout's $a"
  cmp -s <(sort "$TMP/ml.tsv") <(sort "$TMP/mr.tsv") || fail "--platform $plat: packages differ from the layout's"
done
run_sbom "$TMP/mx.json" --platform linux/s390x --insecure "$REG/multi:1"
[ "$RC" -eq 1 ] && grep -q "no image for platform" "$ERR" && pass "absent platform: exit 1, lists the available ones" || fail "absent platform: exit $RC"

# 9. comb scan: the same findings and detections as on the layout
scan_json() { # OUT TARGET...
  local out=$1; shift
  set +e; timeout 300 "$COMB" scan --scanners secret,config --no-cache -f json -o "$out" "$@" 2>"$out.err"; local rc=$?; set -e
  [ "$rc" -eq 0 ] || info "comb scan $* -> exit $rc: $(head -c 300 "$out.err")"
  # the target and the checks of the name the user typed (CMB-IMG-009, "latest") are about the
  # reference, not the image: left out of the comparison
  $PY -c '
import json,sys
d=json.load(open(sys.argv[1])); d.pop("target",None)
d["misconfigurations"]=[m for m in d.get("misconfigurations",[]) if m.get("location")!="image reference"]
d.get("detection_summary",{}).pop("misconfigurations",None)
print(json.dumps(d,sort_keys=True,indent=1))' "$out" >"$out.norm" 2>/dev/null || true
}
scan_json "$TMP/scan-local.json" "$D/oci:bookworm"
scan_json "$TMP/scan-remote.json" --insecure "$REG/team/debian:12"
if [ -s "$TMP/scan-remote.json.norm" ] && cmp -s "$TMP/scan-local.json.norm" "$TMP/scan-remote.json.norm"; then
  pass "comb scan: the JSON report (target aside) equals the layout's ($(grep -c '"rule_id"' "$TMP/scan-remote.json.norm" || true) detections)"
else
  fail "comb scan: remote report differs from the layout's"; diff "$TMP/scan-local.json.norm" "$TMP/scan-remote.json.norm" | head -20
fi

# 10. registry:// forces a registry; an existing path wins over a name
mkdir -p "$TMP/cwd/team" && cd "$TMP/cwd"
run_sbom "$TMP/forced.json" --insecure "registry://$REG/team/debian:12"
[ "$RC" -eq 0 ] && pass "registry://REF" || fail "registry://REF: exit $RC"
cp -r "$D/oci" "$TMP/cwd/alpine"
run_sbom "$TMP/pathwins.json" alpine
[ "$RC" -eq 0 ] && [ "$($PY "$SBOMTOOL" get "$TMP/pathwins.json" source)" = oci-layout ] && pass "an existing path named like an image wins" || fail "path vs name: exit $RC"
finish
