# Helpers for watch_record/watch_response.sh, which run podman containers (sourced after
# common.bash): a busybox image, watchers in the background, cleanup.
IMAGE="localhost/comb-test/busybox:$TEST_NAME-$$"
PODMAN=(podman --runtime runc)
RUNOPTS=(--ulimit nofile=1024:20000 --ulimit nproc=1024:1024)
WATCHERS=()
CONTAINERS=()
EXTRA_CLEANUP=()

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to load the BPF sensor"; exit 1; }
[ -x /bin/busybox ] || { echo "FAIL: /bin/busybox missing (apt-get install busybox-static)"; exit 1; }

watch_cleanup() {
  for p in "${WATCHERS[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${CONTAINERS[@]}"; do "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  for cmd in "${EXTRA_CLEANUP[@]}"; do eval "$cmd" >/dev/null 2>&1 || true; done
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap watch_cleanup EXIT

# make_image [FILE|FILE=SOURCE...]: busybox, /etc/passwd, /etc/shadow, and
# empty FILEs or copies of SOURCE
make_image() {
  local root="$TMP/imageroot"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp /bin/busybox "$root/bin/"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:*:19000:0:99999:7:::' >"$root/etc/shadow"
  for f in "$@"; do
    case $f in
      *=*) cp "${f#*=}" "$root${f%%=*}" ;;  # /in/image=/host/file
      *) : >"$root$f" ;;
    esac
  done
  tar -C "$root" -c . | podman import - "$IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
}

# start_watch NAME [comb watch args...]: output in $TMP/NAME.out, stderr in $TMP/NAME.err;
# returns once the sensor is attached. Sets NAME_PID.
start_watch() {
  local name=$1; shift
  "$COMB" watch --duration 600 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  local pid=$!
  WATCHERS+=("$pid")
  eval "${name}_PID=$pid"
  local i=0
  while ! grep -q 'comb: watch: ready' "$TMP/$name.err" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: comb watch ($name) exited: $(cat "$TMP/$name.err")"; exit 1; }
    i=$((i + 1)); [ $i -lt 600 ] || { echo "FAIL: comb watch ($name) not ready in 120s"; exit 1; }
    sleep 0.2
  done
}

# stop_watch NAME: SIGTERM, wait; sets WRC
stop_watch() {
  local pid
  eval "pid=\$${1}_PID"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" && WRC=0 || WRC=$?
}

# wait_for FILE PATTERN [SECONDS]: 0 once grep -E finds PATTERN, 1 after SECONDS (default 20)
wait_for() {
  local i=0 max=$(( ${3:-20} * 5 ))
  while ! grep -Eq "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt $max ] || return 1
    sleep 0.2
  done
}

# run_bg NAME [podman run args and command...]: a detached container; prints its full id
run_bg() {
  local name="comb-$TEST_NAME-$1-$$"; shift
  CONTAINERS+=("$name")
  "${PODMAN[@]}" run -d --name "$name" "${RUNOPTS[@]}" "$@" >/dev/null 2>"$TMP/run.err" \
    || { echo "FAIL: podman run $name: $(cat "$TMP/run.err")"; exit 1; }
  "${PODMAN[@]}" inspect -f '{{.Id}}' "$name"
}
