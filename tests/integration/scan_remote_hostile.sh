#!/usr/bin/env bash
# A hostile registry (lib/fakereg.py serving a small layout with one fault each): wrong digests
# (manifest header, layer content), a truncated blob, a blob longer than its descriptor, a huge
# manifest, a redirect loop, a redirect to another protocol, and a server that stalls (slow loris,
# bounded by --timeout). Each must end with a clear error and a non-zero exit, no crash, no
# sanitizer report, and no output document (never a partial result presented as complete).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/registry.bash"
need_fixture layers/layers.oci
L="$COMB_FIXTURES/layers/layers.oci"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME"

start_fakereg ok --layout "$L" --tag latest
run_sbom "$TMP/ok.json" --insecure "$FAKE_ok/img:latest"
[ "$RC" -eq 0 ] && pass "control: the fake registry serves a good image" || fail "control: exit $RC $(cat "$ERR")"

while IFS='|' read -r fault want_rc want_msg; do
  start_fakereg f --layout "$L" --tag latest --fault "$fault"
  out="$TMP/$fault.json"
  start=$(date +%s)
  set +e
  timeout 120 "$COMB" sbom -f json -o "$out" --insecure --timeout 2 "$FAKE_f/img:latest" 2>"$out.err"
  RC=$?
  set -e
  took=$(( $(date +%s) - start ))
  msg=$(head -c 300 "$out.err")
  if [ "$RC" -eq "$want_rc" ] && grep -q -- "$want_msg" "$out.err" && [ ! -s "$out" ] && ! grep -q "Sanitizer\|runtime error" "$out.err"; then
    pass "$fault: exit $RC in ${took}s: $msg"
  else
    fail "$fault: exit $RC (want $want_rc, \"$want_msg\"), output $( [ -s "$out" ] && echo present || echo absent): $msg"
  fi
done <<CASES
manifest-digest|4|digest mismatch: Docker-Content-Digest says
blob-digest|4|blob digest mismatch
config-digest|4|digest mismatch: content is
schema1|1|Docker schema 1 is not supported
teapot|1|HTTP 418: short and stout \[31m red
truncated-blob|1|truncated
long-blob|3|larger than
huge-manifest|3|larger than 4194304 bytes
redirect-loop|1|more than 5 redirects
http-redirect|1|only https
slow|1|timed out
CASES
# a transfer cut in the middle is resumed (Range), or read again from the start when the server
# ignores Range; the digests decide, and the result equals the control's
for fault in drop-once drop-norange; do
  start_fakereg "$fault" --layout "$L" --tag latest --fault "$fault" --log "$TMP/$fault.log"
  port_var="FAKE_${fault//-/_}"
  run_sbom "$TMP/$fault.json" --insecure "${!port_var}/img:latest"
  cuts=$(grep -c ' 200-cut$' "$TMP/$fault.log" || true); ranged=$(grep -c ' 206$' "$TMP/$fault.log" || true)
  if [ "$RC" -eq 0 ] && [ "$cuts" -gt 0 ] && cmp -s <(pkgs "$TMP/ok.json" | sort) <(pkgs "$TMP/$fault.json" | sort); then
    pass "$fault: $cuts cut transfers resumed ($ranged answered 206), same packages as the control"
  else fail "$fault: exit $RC, $cuts cuts: $(head -c 300 "$ERR")"; fi
done
finish
