#!/usr/bin/env bash
# comb sign / comb verify on images in registries (registry/store.c over the distribution client):
# against comb registry serve (referrers API; --auth token flow) and Debian's docker-registry (no
# referrers API: the sha256-<hex> tag schema), both the cosign .sig tag and Sigstore bundles as
# referrers: a signature verifies with its key, not with another key; a signature of another digest
# does not verify the image; the signatures are visible to the registry's referrers API.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
need_fixture debian12/oci
D="$COMB_FIXTURES/debian12"
export HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run"; mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG
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

# 2. Debian's docker-registry (no referrers API: the tag schema)
if command -v docker-registry >/dev/null; then
  port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$TMP/dreg"
  printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:%s}\n' "$TMP/dreg" "$port" >"$TMP/dreg.yml"
  docker-registry serve "$TMP/dreg.yml" >"$TMP/dreg.log" 2>&1 &
  CREG_PIDS+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  check_registry "docker-registry" "127.0.0.1:$port"
fi
finish
