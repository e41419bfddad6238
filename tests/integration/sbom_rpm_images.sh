#!/usr/bin/env bash
# rpm-based images: the shared rpm databases (Berkeley DB, NDB, SQLite) placed
# where each distribution keeps them, inside image layers, must give exactly
# the packages the distribution's own tool reports: `rpm -qa --dbpath` on a
# copy of the database (Debian's rpm reads BDB and SQLite), and go-rpmdb's
# expected list for the NDB one (Debian's rpm cannot read NDB).
. "$(dirname "$0")/lib/common.bash"
command -v rpm >/dev/null || { fail "rpm is not installed (scripts/setup installs it)"; finish; }
DB=$COMB_SHARED/data/rpmdb
QF='%|EPOCH?{%{EPOCH}}:{}|\t%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n'

rpm_expect() { # dbfile -> expected TSV (epoch, name, version-release, arch, source name)
  local d; d=$(mktemp -d "$TMP/rpmdb.XXXX")
  cp "$1" "$d/"
  rpm -qa --dbpath "$d" --qf "$QF" 2>/dev/null | awk -F'\t' 'BEGIN{OFS="\t"} $2 != "gpg-pubkey" {
      src=$5; sub(/-[^-]+-[^-]+\.src\.rpm$/, "", src); print $1, $2, $3, $4, src }'
}

check_image() { # label, db file, path in image, os-release text, expected file
  local label=$1 db=$2 path=$3 osrel=$4 exp=$5 spec="$TMP/$1.json"
  $PY - "$spec" "$db" "$path" "$osrel" <<'PYEOF'
import json, sys
spec, db, path, osrel = sys.argv[1:]
json.dump({"images": [{"layers": [
    {"compression": "gzip", "entries": [{"path": "etc/os-release", "content": osrel},
                                        {"path": path, "content_file": db}]},
    # a later layer that adds an unrelated file must not disturb the database
    {"compression": "zstd", "entries": [{"path": "opt/app/README", "content": "x\n"}]}]}]},
    open(spec, "w"))
PYEOF
  $PY "$COMB_SRC/tests/fixtures/mkimage.py" "$spec" --oci "$TMP/$label.oci" --docker "$TMP/$label.tar" >/dev/null
  for t in "$TMP/$label.oci" "$TMP/$label.tar"; do
    run_sbom "$TMP/out.json" "$t"
    [ "$RC" = 0 ] || { fail "$label: comb sbom $(basename "$t") exited $RC"; continue; }
    $PY "$SBOMTOOL" pkgs "$TMP/out.json" epoch,name,version,arch,source_name rpm >"$TMP/actual"
    cp "$exp" "$TMP/expected"
    compare "$label ($(basename "$t")): rpm packages at $path" "$TMP/expected" "$TMP/actual"
    purl=$($PY "$SBOMTOOL" pkgs "$TMP/out.json" purl rpm | sed -n 1p)
    [[ $purl == pkg:rpm/* ]] && pass "$label: purl $purl" || fail "$label: bad purl '$purl'"
  done
}

rpm_expect "$DB/libuuid/Packages" >"$TMP/exp-bdb"
[ -s "$TMP/exp-bdb" ] || fail "rpm -qa read nothing from the Berkeley DB copy"
check_image bdb "$DB/libuuid/Packages" var/lib/rpm/Packages \
  $'ID="centos"\nVERSION_ID="7"\n' "$TMP/exp-bdb"

rpm_expect "$DB/cbl-mariner-2.0/rpmdb.sqlite" >"$TMP/exp-sqlite"
[ -s "$TMP/exp-sqlite" ] || fail "rpm -qa read nothing from the SQLite copy"
check_image sqlite "$DB/cbl-mariner-2.0/rpmdb.sqlite" var/lib/rpm/rpmdb.sqlite \
  $'ID=mariner\nVERSION_ID="2.0"\n' "$TMP/exp-sqlite"

# expected-packages.tsv: epoch name version release arch sourcerpm
awk -F'\t' 'BEGIN{OFS="\t"} !/^#/ && NF >= 6 { src=$6; sub(/-[^-]+-[^-]+\.src\.rpm$/, "", src);
  print $1, $2, $3 "-" $4, $5, src }' "$DB/sle15-bci/expected-packages.tsv" >"$TMP/exp-ndb"
check_image ndb "$DB/sle15-bci/Packages.db" usr/lib/sysimage/rpm/Packages.db \
  $'ID="sles"\nVERSION_ID="15.3"\n' "$TMP/exp-ndb"
finish
