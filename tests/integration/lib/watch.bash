# Shared by watch_attacks.sh and watch_benign.sh (sourced after common.bash):
# two `comb watch` runs (Falco's stable rules and the built-in rules), a
# busybox image built offline, podman containers removed at exit.
RULES="$COMB_SHARED/data/falco-rules/falco_rules.yaml"
IMAGE="localhost/comb-test/busybox:$TEST_NAME-$$"
PODMAN=(podman --runtime runc)
RUNOPTS=(--ulimit nofile=1024:20000 --ulimit nproc=1024:1024)
PIDS=()
CONTAINERS=()
CLEANUP_EXTRA=:

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to load the BPF sensor"; exit 1; }
[ -r "$RULES" ] || { echo "FAIL: $RULES missing"; exit 1; }
[ -x /bin/busybox ] || { echo "FAIL: /bin/busybox missing (apt-get install busybox-static)"; exit 1; }

watch_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${CONTAINERS[@]}"; do "${PODMAN[@]}" rm -f "$c" >/dev/null 2>&1 || true; done
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  $CLEANUP_EXTRA
  # COMB_TEST_KEEP=DIR keeps the alerts and logs for a look after the run
  [ -z "${COMB_TEST_KEEP:-}" ] || cp -r "$TMP" "$COMB_TEST_KEEP"
  rm -rf "$TMP"
}
trap watch_cleanup EXIT

# busybox_root DIR: a root filesystem with busybox and its applets, root only
busybox_root() {
  mkdir -p "$1/bin" "$1/etc" "$1/tmp"
  cp /bin/busybox "$1/bin/"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$1/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
}

# import_image DIR: the directory becomes $IMAGE
import_image() {
  tar -C "$1" -c . | podman import - "$IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
}

start_watch() { # NAME [comb watch args...]
  local name=$1; shift
  "$COMB" watch --duration 600 -o "$TMP/$name.json" "$@" 2>"$TMP/$name.err" &
  PIDS+=($!)
  eval "${name}_PID=$!"
}

wait_ready() { # NAME PID: until the watcher says it is attached (or dies)
  while ! grep -q 'comb: watch: ready' "$TMP/$1.err"; do
    kill -0 "$2" 2>/dev/null || { echo "FAIL: comb watch ($1) exited: $(cat "$TMP/$1.err")"; exit 1; }
    sleep 0.2
  done
}

# start_watchers: falco (Falco's stable rules) and builtin, both attached
start_watchers() {
  start_watch falco -q -r "$RULES"
  start_watch builtin
  wait_ready falco "$falco_PID"
  wait_ready builtin "$builtin_PID"
  info "attached: $(grep ready "$TMP/falco.err")"
}

# stop_watchers: SIGINT both; they must exit 0 and print their counters
stop_watchers() {
  local rc n
  for p in "$falco_PID" "$builtin_PID"; do kill -INT "$p"; done
  for n in falco builtin; do
    eval "wait \"\$${n}_PID\"" && rc=0 || rc=$?
    [ "$rc" = 0 ] && pass "watch ($n) exits 0 on SIGINT" || fail "watch ($n) exit $rc: $(tail -3 "$TMP/$n.err")"
    if grep -Eq '^comb: watch: [0-9]+ events, [0-9]+ alerts; ring: [0-9]+ records, [0-9]+ drops; 0 malformed' "$TMP/$n.err"; then
      pass "$n: counters at exit: $(grep -E '^comb: watch: [0-9]+ events' "$TMP/$n.err" | sed 's/^comb: watch: //')"
    else
      fail "$n: no counters line: $(tail -3 "$TMP/$n.err")"
    fi
  done
  PIDS=()
}

run_container() { # NAME [podman run args and command...]: runs it, prints its id
  local name="comb-$TEST_NAME-$1-$$"; shift
  CONTAINERS+=("$name")
  "${PODMAN[@]}" run --name "$name" "${RUNOPTS[@]}" "$@" </dev/null >"$TMP/$name.out" 2>&1 || true
  "${PODMAN[@]}" inspect -f '{{.Id}}' "$name" >"$TMP/id.$name"
  cat "$TMP/id.$name"
}
