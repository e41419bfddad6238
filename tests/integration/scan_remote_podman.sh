#!/usr/bin/env bash
# Images held by a local engine: a fixture archive imported with `podman load` is scanned as
# podman://NAME, as a bare NAME (found in podman's storage), and as docker://NAME through the
# Docker Engine API (podman's API socket speaks it); each gives the same packages, OS and layers
# as the archive itself. Unknown images and containerd:// give clear errors.
. "$(dirname "$0")/lib/common.bash"
command -v podman >/dev/null || { echo "SKIP: podman not installed"; exit 0; }
need_fixture debian12/docker-archive.tar
A="$COMB_FIXTURES/debian12/docker-archive.tar"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME"
NAME="localhost/comb-it-podman-$$:t1"
SVC=""
cleanup() {
  [ -n "$SVC" ] && kill "$SVC" 2>/dev/null && wait "$SVC" 2>/dev/null
  podman untag "$NAME" "$NAME" >/dev/null 2>&1 || true  # only this name (no name: all of them)
  [ -n "${LOADED_NEW:-}" ] && podman rmi "$LOADED_NEW" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fixture_name=$($PY -c 'import json,sys,tarfile; print(json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))[0]["RepoTags"][0])' "$A" 2>/dev/null || true)
had=0; [ -n "$fixture_name" ] && podman image exists "$fixture_name" && had=1
id=$(podman load -q -i "$A" 2>/dev/null | sed -n 's/^Loaded image: //p' | head -1)
[ -n "$id" ] || { fail "podman load $A"; finish; }
[ "$had" = 1 ] || LOADED_NEW=$id  # leave podman's storage as it was
podman tag "$id" "$NAME"
info "podman image $NAME"

run_sbom "$TMP/archive.json" "$A"
$PY "$SBOMTOOL" pkgs "$TMP/archive.json" type,name,version,epoch,source_name,source_version,arch >"$TMP/archive.tsv"
layers() { $PY "$SBOMTOOL" get "$1" image.layers | $PY -c 'import json,sys; print([l.get("diff_id") for l in json.load(sys.stdin)])'; }

check_same() { # LABEL JSON WANT_SOURCE
  local label=$1 out=$2 want=$3
  $PY "$SBOMTOOL" pkgs "$out" type,name,version,epoch,source_name,source_version,arch >"$out.tsv"
  compare "$label: packages equal the archive's" "$TMP/archive.tsv" "$out.tsv"
  [ "$(layers "$out")" = "$(layers "$TMP/archive.json")" ] && pass "$label: same diff_ids" || fail "$label: diff_ids differ"
  for k in os.id os.version_id image.config_digest; do
    [ "$($PY "$SBOMTOOL" get "$out" $k)" = "$($PY "$SBOMTOOL" get "$TMP/archive.json" $k)" ] || fail "$label: $k differs"
  done
  src=$($PY "$SBOMTOOL" get "$out" source)
  [ "$src" = "$want" ] && pass "$label: source=$src" || fail "$label: source=$src, want $want"
}

run_sbom "$TMP/podman.json" "podman://$NAME"
[ "$RC" -eq 0 ] && check_same "podman://$NAME" "$TMP/podman.json" podman || fail "podman://: exit $RC"

mkdir -p "$TMP/cwd" && cd "$TMP/cwd"
run_sbom "$TMP/bare.json" "$NAME"
[ "$RC" -eq 0 ] && check_same "bare name (found in podman)" "$TMP/bare.json" podman || fail "bare name: exit $RC"

# the Docker Engine API, served by podman on a private socket
podman system service --time=0 "unix://$TMP/engine.sock" >"$TMP/svc.log" 2>&1 &
SVC=$!
for _ in $(seq 1 100); do [ -S "$TMP/engine.sock" ] && break; sleep 0.1; done
DOCKER_HOST="unix://$TMP/engine.sock" run_sbom "$TMP/docker.json" "docker://$NAME"
[ "$RC" -eq 0 ] && check_same "docker://$NAME (Engine API)" "$TMP/docker.json" docker || fail "docker://: exit $RC"
DOCKER_HOST="unix://$TMP/engine.sock" run_sbom "$TMP/docker-missing.json" "docker://localhost/comb-no-such-image:x"
[ "$RC" -eq 1 ] && [ ! -s "$TMP/docker-missing.json" ] && pass "docker:// unknown image: exit 1: $(head -c 150 "$ERR")" || fail "docker:// unknown: exit $RC"
DOCKER_HOST="unix://$TMP/none.sock" run_sbom "$TMP/nosock.json" "docker://$NAME"
[ "$RC" -eq 1 ] && grep -q "no Docker Engine socket" "$ERR" && pass "docker:// without an engine: exit 1" || fail "no socket: exit $RC"

run_sbom "$TMP/missing.json" "podman://localhost/comb-no-such-image:x"
[ "$RC" -eq 1 ] && grep -q "podman has no image" "$ERR" && pass "podman:// unknown image: exit 1" || fail "podman:// unknown: exit $RC $(cat "$ERR")"
run_sbom "$TMP/bad.json" "podman://--help"
[ "$RC" -eq 2 ] && pass "podman:// option-like name refused (exit 2)" || fail "podman://--help: exit $RC"
run_sbom "$TMP/ctd.json" "containerd://$NAME"
[ "$RC" -eq 1 ] && grep -q "not supported" "$ERR" && pass "containerd:// says it is not supported" || fail "containerd://: exit $RC"
finish
