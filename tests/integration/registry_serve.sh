#!/usr/bin/env bash
# comb registry serve on loopback: the distribution-spec workflows (lib/ocicheck.py: monolithic,
# chunked and resumed uploads, Range reads, manifests, error codes, tags and catalog pagination,
# mount, referrers with artifactType filter, deletes); skopeo copies in both directions (OCI layout
# -> comb -> OCI layout, docker-registry -> comb -> docker-registry) with identical digests; podman
# push and pull; comb's
# own client reading an image from it (same packages as the layout).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env

start_combreg "$TMP/root"
info "comb registry at $CREG"

# 1. the spec's workflows
if $PY "$COMB_SRC/tests/integration/lib/ocicheck.py" "$CREG" >"$TMP/ocicheck.out" 2>&1; then
  pass "distribution-spec workflows: $(grep -c '^ok' "$TMP/ocicheck.out") checks"
else
  fail "distribution-spec workflows:"; grep -v '^ok' "$TMP/ocicheck.out" | sed 's/^/    /'
fi

# 2. skopeo: OCI layout -> comb -> OCI layout
want=$(skopeo inspect --raw "oci:$D/oci:bookworm" | sha256sum | cut -d' ' -f1)
if skopeo copy -q --dest-tls-verify=false "oci:$D/oci:bookworm" "docker://$CREG/proj/debian:12" >"$TMP/push.err" 2>&1; then
  pass "skopeo copy oci -> comb registry"
else fail "skopeo push: $(cat "$TMP/push.err")"; fi
got=$(skopeo inspect --raw --tls-verify=false "docker://$CREG/proj/debian:12" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] && pass "manifest served byte for byte (sha256:$got)" || fail "manifest digest $got != $want"
if skopeo copy -q --src-tls-verify=false "docker://$CREG/proj/debian:12" "oci:$TMP/back:x" >"$TMP/pull.err" 2>&1 &&
   [ "$(skopeo inspect --raw "oci:$TMP/back:x" | sha256sum | cut -d' ' -f1)" = "$want" ]; then
  pass "skopeo copy comb registry -> oci: same manifest, layers verified by skopeo"
else fail "skopeo pull: $(cat "$TMP/pull.err")"; fi
# a second push of the same image mounts/finds every blob: nothing re-uploaded
skopeo copy -q --dest-tls-verify=false "docker://$CREG/proj/debian:12" "docker://$CREG/other/debian:12" --src-tls-verify=false >/dev/null 2>&1 &&
  pass "skopeo copy between two repositories of the registry (cross-repository mount)" || fail "copy between repositories"

# podman push and pull (its own storage under $TMP): the same image id comes back
if command -v podman >/dev/null; then
  PO=(podman --storage-driver vfs --root "$TMP/podman" --runroot "$TMP/podman-run")
  id=$(timeout 300 "${PO[@]}" pull -q "oci:$D/oci:bookworm" 2>"$TMP/po.err") || true
  if [ -n "$id" ] && timeout 300 "${PO[@]}" push -q --tls-verify=false "$id" "docker://$CREG/pod/debian:12" 2>>"$TMP/po.err" &&
     "${PO[@]}" rmi -f "$id" >/dev/null 2>&1 &&
     [ "$(timeout 300 "${PO[@]}" pull -q --tls-verify=false "docker://$CREG/pod/debian:12" 2>>"$TMP/po.err")" = "$id" ]; then
    pass "podman push, then pull back: the same image id"
  else fail "podman push/pull: $(tail -c 400 "$TMP/po.err")"; fi
  # buildah (same storage): a new layer on top, committed and pushed; skopeo reads it back whole
  if [ -n "$id" ]; then
    BU=(buildah --storage-driver vfs --root "$TMP/podman" --runroot "$TMP/podman-run")
    echo "built by buildah" >"$TMP/bu.txt"
    if ctr=$("${BU[@]}" from -q "$id" 2>"$TMP/bu.err") &&
       "${BU[@]}" copy "$ctr" "$TMP/bu.txt" /bu.txt >/dev/null 2>>"$TMP/bu.err" &&
       "${BU[@]}" commit -q "$ctr" localhost/bu:1 >/dev/null 2>>"$TMP/bu.err" &&
       timeout 300 "${BU[@]}" push -q --tls-verify=false localhost/bu:1 "docker://$CREG/bu/app:1" 2>>"$TMP/bu.err" &&
       skopeo copy -q --src-tls-verify=false "docker://$CREG/bu/app:1" "oci:$TMP/bu-back:x" 2>>"$TMP/bu.err" &&
       [ "$(skopeo inspect --config "oci:$TMP/bu-back:x" | jq '.rootfs.diff_ids | length')" = \
         "$(( $(skopeo inspect --config "oci:$D/oci:bookworm" | jq '.rootfs.diff_ids | length') + 1 ))" ]; then
      pass "buildah push of a new layer on the image, read back by skopeo with every blob verified"
    else fail "buildah push: $(tail -c 400 "$TMP/bu.err")"; fi
    "${BU[@]}" rm -a >/dev/null 2>&1 || true
  fi
fi

# 3. both directions with Debian's docker-registry
start_registry  # docker-registry; sets REG
port=${REG##*:}
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$CREG/proj/debian:12" "docker://127.0.0.1:$port/x/debian:12" &&
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://127.0.0.1:$port/x/debian:12" "docker://$CREG/fromdocker/debian:12" &&
[ "$(skopeo inspect --raw --tls-verify=false "docker://$CREG/fromdocker/debian:12" | sha256sum | cut -d' ' -f1)" = "$want" ] &&
  pass "comb -> docker-registry -> comb: same manifest digest" || fail "round trip through docker-registry"

# 4. comb's own client reads it: the same packages as the layout
"$COMB" sbom -f json -o "$TMP/local.json" "$D/oci:bookworm" 2>/dev/null
if timeout 300 "$COMB" sbom -f json -o "$TMP/remote.json" --insecure "$CREG/proj/debian:12" 2>"$TMP/remote.err"; then
  $PY "$SBOMTOOL" pkgs "$TMP/local.json" type,name,version,arch >"$TMP/local.tsv"
  $PY "$SBOMTOOL" pkgs "$TMP/remote.json" type,name,version,arch >"$TMP/remote.tsv"
  compare "comb sbom --insecure $CREG/proj/debian:12: packages equal the layout's" "$TMP/local.tsv" "$TMP/remote.tsv"
else fail "comb sbom from comb registry: $(cat "$TMP/remote.err")"; fi

# 5. the upload limit: refused from Content-Length, or while streaming a chunked body; nothing kept
stop_combreg
start_combreg "$TMP/root-small" --max-upload 1K
head -c 100000 /dev/urandom >"$TMP/big"
d="sha256:$(sha256sum "$TMP/big" | cut -d' ' -f1)"
c1=$(curl -s -o "$TMP/l1" -w '%{http_code}' -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/big" "http://$CREG/v2/a/blobs/uploads/?digest=$d")
c2=$(curl -s -o "$TMP/l2" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/big" "http://$CREG/v2/a/blobs/uploads/?digest=$d")
[ "$c1" = 413 ] && [ "$c2" = 413 ] && grep -q SIZE_INVALID "$TMP/l1" && grep -q SIZE_INVALID "$TMP/l2" &&
  pass "--max-upload: 413 SIZE_INVALID with and without Content-Length" || fail "upload limit: $c1 $c2"
[ -z "$(ls "$TMP/root-small/uploads")" ] && pass "a refused upload leaves nothing behind" || fail "refused upload kept: $(ls "$TMP/root-small/uploads")"

# 6. usage errors
set +e
"$COMB" registry serve --listen 127.0.0.1:0 >/dev/null 2>"$TMP/u.err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q -- "--root" "$TMP/u.err" && pass "serve without --root: exit 2" || fail "serve without --root: exit $rc"
stop_combreg
finish
