#!/usr/bin/env bash
# The same Debian 12 image as docker-archive, gzip docker-archive, OCI layout (dir:tag), OCI archive
# and extracted rootfs must give identical package lists (and the right "source" each time).
. "$(dirname "$0")/lib/common.bash"
need_fixture debian12/oci
D="$COMB_FIXTURES/debian12"
FIELDS=type,name,version,epoch,source_name,source_version,arch

ref=""
while IFS='|' read -r label target want_source; do
  out="$TMP/$label.json"
  run_sbom "$out" "$target"
  if [ "$RC" -ne 0 ]; then fail "$label ($target): comb exited $RC"; continue; fi
  src=$($PY "$SBOMTOOL" get "$out" source)
  [ "$src" = "$want_source" ] && pass "$label: source=$src" || fail "$label: source is '$src', want '$want_source'"
  $PY "$SBOMTOOL" pkgs "$out" "$FIELDS" >"$TMP/$label.tsv"
  printf '%s/%s\n' "$($PY "$SBOMTOOL" get "$out" os.id)" "$($PY "$SBOMTOOL" get "$out" os.version_id)" >"$TMP/$label.os"
  n=$(wc -l <"$TMP/$label.tsv")
  [ "$n" -gt 50 ] || fail "$label: only $n packages"
  if [ -z "$ref" ]; then ref=$label; continue; fi
  compare "$label vs $ref: packages ($FIELDS)" "$TMP/$ref.tsv" "$TMP/$label.tsv"
  cmp -s "$TMP/$ref.os" "$TMP/$label.os" || fail "$label: os $(cat "$TMP/$label.os") != $(cat "$TMP/$ref.os")"
done <<LIST
docker-archive|$D/docker-archive.tar|docker-archive
docker-archive-gz|$D/docker-archive.tar.gz|docker-archive
oci-layout-tag|$D/oci:bookworm|oci-layout
oci-layout|$D/oci|oci-layout
oci-archive|$D/oci-archive.tar|oci-archive
rootfs|$D/rootfs|rootfs
LIST

# the image metadata of the three image forms must agree as well (same config digest / diff_ids)
for label in docker-archive-gz oci-layout-tag oci-archive; do
  [ -s "$TMP/$label.json" ] && [ -s "$TMP/docker-archive.json" ] || continue
  a=$($PY "$SBOMTOOL" get "$TMP/docker-archive.json" image.layers | $PY -c 'import json,sys; print([l.get("diff_id") for l in json.load(sys.stdin)])' 2>/dev/null || echo "?")
  b=$($PY "$SBOMTOOL" get "$TMP/$label.json" image.layers | $PY -c 'import json,sys; print([l.get("diff_id") for l in json.load(sys.stdin)])' 2>/dev/null || echo "?")
  [ "$a" = "$b" ] && pass "$label: layer diff_ids equal docker-archive's" || fail "$label: diff_ids $b != docker-archive's $a"
done
finish
