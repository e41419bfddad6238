#!/usr/bin/env bash
# Language packages in an image built from real Debian .debs (python egg-info, pip dist-info, jars with
# pom.properties, Debian node modules, a real gemspec, Go binaries) plus hand-made node_modules,
# package-lock v3, Cargo.lock, composer.lock and gemspec. Oracles (recorded at fixture build time in
# build/fixtures/lang/expected-packages.tsv): PKG-INFO/METADATA, `unzip -p JAR '*pom.properties'`,
# `go version -m`, package.json, the lock files. "optional" rows (root projects, dev deps, the Go main
# module) may be reported or not; everything "required" must be, and nothing else may be.
. "$(dirname "$0")/lib/common.bash"
need_fixture lang/expected-packages.tsv
G="$COMB_FIXTURES/lang"
EXP="$G/expected-packages.tsv"

norm() {  # type name version found_in -> comparable key
  # python: PEP 503 names; go: keyed by the binary (found_in); go-stdlib: version without go/v prefix
  awk -F'\t' 'BEGIN{OFS="\t"} {
    t=$1; n=$2; v=$3; f=$4; sub(/ .*/, "", f)
    if (t=="python") { n=tolower(n); gsub(/[-_.]+/, "-", n) }
    if (t=="go-stdlib") { n="stdlib"; sub(/^go/, "", v); sub(/^v/, "", v) }
    if (t ~ /^go-/) n = n " in " f
    print t, n, v }'
}
grep -P '\trequired\t' "$EXP" | cut -f1-3,5 | norm | LC_ALL=C sort -u >"$TMP/required"
cut -f1-3,5 "$EXP" | norm | LC_ALL=C sort -u >"$TMP/allowed"

for t in docker-archive.tar oci:latest rootfs; do
  out="$TMP/$(echo "$t" | tr ':/' '__').json"
  run_sbom "$out" "$G/$t"
  if [ "$RC" -ne 0 ]; then fail "lang $t: comb exited $RC"; continue; fi
  $PY "$SBOMTOOL" pkgs "$out" type,gname,version,found_in | norm | LC_ALL=C sort -u >"$out.all"
  LC_ALL=C comm -23 "$TMP/required" "$out.all" >"$out.missing"
  LC_ALL=C comm -13 "$TMP/allowed" "$out.all" >"$out.extra"
  for ty in python java npm go-module go-stdlib gem cargo composer; do
    m=$(grep -c "^$ty	" "$out.missing" || true); x=$(grep -c "^$ty	" "$out.extra" || true)
    n=$(grep -c "^$ty	" "$TMP/required" || true)
    if [ "$m" = 0 ] && [ "$x" = 0 ]; then pass "lang $t: $ty ($n required packages, nothing extra)"
    else
      fail "lang $t: $ty: $m missing, $x extra"
      grep "^$ty	" "$out.missing" | head -n 30 | sed 's/^/    missing (expected, not reported): /'
      grep "^$ty	" "$out.extra" | head -n 30 | sed 's/^/    extra (reported, not expected):   /'
    fi
  done
  other=$(grep -vE '^(python|java|npm|go-module|go-stdlib|gem|cargo|composer)	' "$out.all" || true)
  [ -z "$other" ] || { fail "lang $t: unexpected package types (no dpkg database in this image)"; echo "$other" | head | sed 's/^/    /'; }
  # Go deps exactly as `go version -m`, attributed to the right binary
  $PY "$SBOMTOOL" pkgs "$out" type,name,version,found_in go-module | grep -P '\tusr/local/bin/gohello$' \
    | cut -f2,3 | LC_ALL=C sort >"$out.godeps" || true
  awk -F'\t' '$2=="dep" {print $3 "\t" $4}' "$G/gohello.goversion" | LC_ALL=C sort >"$TMP/godeps.exp"
  awk -F'\t' '$2=="mod" {print $3 "\t" $4}' "$G/gohello.goversion" >"$TMP/gomain"
  grep -v -F -x -f "$TMP/gomain" "$out.godeps" >"$out.godeps2" || true
  compare "lang $t: go deps of usr/local/bin/gohello == go version -m" "$TMP/godeps.exp" "$out.godeps2"
  # every package must say where it was found
  nofound=$($PY "$SBOMTOOL" pkgs "$out" type,name,found_in | awk -F'\t' '$3==""' | head -n 5)
  [ -z "$nofound" ] || { fail "lang $t: packages without found_in"; echo "$nofound" | sed 's/^/    /'; }
  # java packages carry their Maven group
  nogroup=$($PY "$SBOMTOOL" pkgs "$out" type,name,group java | awk -F'\t' '$3==""' | head -n 5)
  [ -z "$nogroup" ] || { fail "lang $t: java packages without group"; echo "$nogroup" | sed 's/^/    /'; }
done
finish
