# comb registry serve helpers for tests/integration/registry_*.sh (sourced after common.bash).
# Builds on lib/registry.bash (docker-registry's start_registry, free_port, skopeo checks, and the
# cleanup of every server started). start_combreg ROOT [ARGS...]: comb's registry on a free
# loopback port with data in ROOT; sets CREG (host:port) and CREG_PID. stop_combreg [SIGNAL].
. "$(dirname "${BASH_SOURCE[0]}")/registry.bash"

# combreg_env: the debian12 fixture as $D, and a private HOME, runtime and cache dir without
# inherited registry credentials.
combreg_env() {
  need_fixture debian12/oci
  D="$COMB_FIXTURES/debian12"
  export HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_CACHE_HOME="$TMP/cache"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
  unset REGISTRY_AUTH_FILE DOCKER_CONFIG
}

start_combreg() {
  local root=$1; shift
  local out="$TMP/combreg.$RANDOM.out"
  "$COMB" registry serve --root "$root" --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
  CREG_PID=$!
  REG_PIDS+=("$CREG_PID")
  for _ in $(seq 1 100); do grep -q '^listening on' "$out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^listening on' "$out" || { echo "FAIL: registry did not start: $(cat "$out.err")"; exit 1; }
  CREG=$(sed -n 's/^listening on //p' "$out")
  CREG_ERR="$out.err"
}

# (the server's sanitizer reports, in a sanitized build, fail the test)
stop_combreg() {
  kill "-${1:-TERM}" "$CREG_PID" 2>/dev/null || true
  wait "$CREG_PID" 2>/dev/null || true
  if grep -q "Sanitizer\|runtime error" "$CREG_ERR" 2>/dev/null; then
    fail "the registry reported: $(grep -m3 "Sanitizer\|runtime error\|#[0-9] " "$CREG_ERR" | head -c 600)"
  fi
}
