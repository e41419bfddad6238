# Registry helpers for tests/integration/scan_remote*.sh (sourced after common.bash).
# start_registry [USER:PASS]: Debian's docker-registry on a free loopback port, its own config and
# storage under $TMP, htpasswd Basic auth when USER:PASS is given. Sets REG (host:port) and REG_LOG.
# start_fakereg NAME ARGS...: tests/integration/lib/fakereg.py; sets FAKE_<NAME> to host:port.
# push SRC REF [USER:PASS]: skopeo copy SRC docker://REF (plain HTTP). All servers stop on exit.
REG_PIDS=()
cleanup_registries() {
  local p
  for p in "${REG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${REG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup_registries EXIT

command -v docker-registry >/dev/null || { echo "SKIP: docker-registry not installed (scripts/setup)"; exit 0; }
command -v skopeo >/dev/null || { echo "SKIP: skopeo not installed (scripts/setup)"; exit 0; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_registry() {
  local creds=${1:-} port dir
  port=$(free_port)
  dir="$TMP/registry-$port"
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "log: {level: info, accesslog: {disabled: false}}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}}"
    echo "http: {addr: 127.0.0.1:$port}"
    if [ -n "$creds" ]; then
      htpasswd -Bbn "${creds%%:*}" "${creds#*:}" >"$dir/htpasswd"
      echo "auth: {htpasswd: {realm: comb-test, path: $dir/htpasswd}}"
    fi
  } >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  REG_PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
    sleep 0.1
  done
  REG=127.0.0.1:$port
  REG_LOG="$dir/log"
}

start_fakereg() {
  local name=$1; shift
  local out="$TMP/fakereg-$name.port"
  rm -f "$out"  # a reused name must not find the previous server's port
  $PY "$COMB_SRC/tests/integration/lib/fakereg.py" "$@" >"$out" 2>"$TMP/fakereg-$name.err" &
  REG_PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
  printf -v "FAKE_${name//-/_}" '127.0.0.1:%s' "$(head -1 "$out")"
}

push() {
  local src=$1 ref=$2 creds=${3:-}
  local a=(--dest-tls-verify=false)
  [ -n "$creds" ] && a+=(--dest-creds "$creds")
  [[ "$src" == *multiarch* ]] && a+=(--all)
  skopeo copy -q "${a[@]}" "$src" "docker://$ref" >/dev/null
}

# blob_gets LOG REPO: the blob digests fetched with GET (status 200) in a docker-registry access log
blob_gets() {
  grep -o "\"GET /v2/$2/blobs/sha256:[0-9a-f]* HTTP/1.1\" 200" "$1" | grep -o 'sha256:[0-9a-f]*' || true
}

# pkgs JSON: the package list (type name version arch) and OS of an sbom JSON
pkgs() { $PY "$SBOMTOOL" pkgs "$1" type,name,version,epoch,source_name,source_version,arch; }
