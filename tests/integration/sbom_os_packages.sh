#!/usr/bin/env bash
# OS packages: apk (real Alpine 3.10/3.11 images) and dpkg (Debian 12 minbase fixture) must equal an
# independent oracle exactly — every package, nothing extra — and the OS must be identified.
. "$(dirname "$0")/lib/common.bash"
need_fixture debian12/expected-dpkg.tsv

# ---- Alpine: oracle = lib/apk/db/installed pulled out of the image's layers with tar
for img in alpine-310 alpine-311; do
  IMG="$COMB_SHARED/data/images/$img.tar.gz"
  [ -s "$IMG" ] || { fail "$IMG missing"; continue; }
  W="$TMP/$img"; mkdir -p "$W"
  tar -xzOf "$IMG" manifest.json >"$W/manifest.json"
  : >"$W/installed"; : >"$W/os-release"
  for layer in $($PY -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$W/manifest.json"); do
    tar -xzOf "$IMG" "$layer" >"$W/layer.tar"
    # a later layer replaces the whole file (overlay semantics for a regular file)
    if tar -tf "$W/layer.tar" | grep -xE '(\./)?lib/apk/db/installed' >/dev/null; then
      tar -xOf "$W/layer.tar" --wildcards '*lib/apk/db/installed' >"$W/installed"
    fi
    if tar -tf "$W/layer.tar" | grep -xE '(\./)?etc/os-release|(\./)?usr/lib/os-release' >/dev/null; then
      tar -xOf "$W/layer.tar" --wildcards '*etc/os-release' >"$W/os-release" 2>/dev/null \
        || tar -xOf "$W/layer.tar" --wildcards '*usr/lib/os-release' >"$W/os-release"
    fi
  done
  [ -s "$W/installed" ] || { fail "$img: oracle found no lib/apk/db/installed"; continue; }
  # independent parse: P: name, V: version, o: origin, A: arch; blank line ends a record
  awk 'BEGIN{FS=":"} /^$/ {if (p!="") print p "\t" v "\t" o "\t" a; p=v=o=a=""; next}
       /^P:/ {p=substr($0,3)} /^V:/ {v=substr($0,3)} /^o:/ {o=substr($0,3)} /^A:/ {a=substr($0,3)}
       END {if (p!="") print p "\t" v "\t" o "\t" a}' "$W/installed" >"$W/expected"
  run_sbom "$W/out.json" "$IMG"
  if [ "$RC" -ne 0 ]; then fail "$img: comb exited $RC"; continue; fi
  $PY "$SBOMTOOL" check "$W/out.json" | sed 's/^/    /' || fail "$img: JSON top level invalid"
  $PY "$SBOMTOOL" pkgs "$W/out.json" name,version,source_name,arch apk >"$W/actual"
  compare "$img apk packages (name, version, origin, arch)" "$W/expected" "$W/actual"
  n_other=$($PY "$SBOMTOOL" pkgs "$W/out.json" type,name,version | grep -vc '^apk	' || true)
  [ "$n_other" = 0 ] || { fail "$img: $n_other non-apk packages reported"; $PY "$SBOMTOOL" pkgs "$W/out.json" type,name,version,found_in | grep -v '^apk	' | head | sed 's/^/    /'; }
  exp_id=$(. "$W/os-release"; echo "$ID"); exp_ver=$(. "$W/os-release"; echo "$VERSION_ID")
  got_id=$($PY "$SBOMTOOL" get "$W/out.json" os.id); got_ver=$($PY "$SBOMTOOL" get "$W/out.json" os.version_id)
  if [ "$got_id/$got_ver" = "$exp_id/$exp_ver" ]; then pass "$img os $got_id $got_ver"
  else fail "$img os: expected $exp_id/$exp_ver, got '$got_id/$got_ver'"; fi
done

# ---- Debian 12: oracle = dpkg-query --admindir on the debootstrapped rootfs
D="$COMB_FIXTURES/debian12"
W="$TMP/debian12"; mkdir -p "$W"
run_sbom "$W/out.json" "$D/docker-archive.tar"
if [ "$RC" -ne 0 ]; then
  fail "debian12: comb exited $RC"
else
  $PY "$SBOMTOOL" check "$W/out.json" | sed 's/^/    /' || fail "debian12: JSON top level invalid"
  $PY "$SBOMTOOL" pkgs "$W/out.json" name,version,source_name,source_version,arch dpkg >"$W/actual"
  compare "debian12 dpkg packages (name, version, source, source version, arch)" "$D/expected-dpkg.tsv" "$W/actual"
  n_other=$($PY "$SBOMTOOL" pkgs "$W/out.json" type | grep -vc '^dpkg$' || true)
  [ "$n_other" = 0 ] || { fail "debian12: $n_other non-dpkg packages reported (minbase has none)"; $PY "$SBOMTOOL" pkgs "$W/out.json" type,name,version,found_in | grep -v '^dpkg	' | head | sed 's/^/    /'; }
  IFS=$'\t' read -r exp_id exp_ver exp_pretty <"$D/expected-os.tsv"
  got="$($PY "$SBOMTOOL" get "$W/out.json" os.id)/$($PY "$SBOMTOOL" get "$W/out.json" os.version_id)/$($PY "$SBOMTOOL" get "$W/out.json" os.pretty_name)"
  if [ "$got" = "$exp_id/$exp_ver/$exp_pretty" ]; then pass "debian12 os $got"
  else fail "debian12 os: expected '$exp_id/$exp_ver/$exp_pretty', got '$got'"; fi
  # a dpkg package with an epoch must keep it in "version" (e.g. none in minbase? report only)
  if grep -qP '\t[0-9]+:' "$D/expected-dpkg.tsv"; then info "epoch versions present in the oracle: $(grep -cP '\t[0-9]+:' "$D/expected-dpkg.tsv")"; fi
fi
finish
