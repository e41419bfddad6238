#!/usr/bin/env bash
# bench_live_flags: on the live host, daemon flags are read from the
# running process's command line (/proc/<pid>/cmdline); under --root the
# live processes are never consulted. A stand-in "dockerd" (python sleeping,
# started with argv[0] = /usr/bin/dockerd) carries the flags; it is stopped
# by its pid on exit.
source "$(dirname "$0")/lib/common.bash"
bash -c 'exec -a /usr/bin/dockerd /usr/bin/python3 -c "import time; time.sleep(120)" --icc=false --live-restore' &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do grep -q -- '--icc=false' "/proc/$PID/cmdline" 2>/dev/null && break; sleep 0.1; done

"$COMB" bench docker --check 'docker-2.2,docker-2.14,docker-2.15' -f json -o "$TMP/live.json" 2>/dev/null
$PY - "$TMP/live.json" <<'PY' || fail "flags of the running dockerd were not read"
import json, sys
res = {r["id"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert res["docker-2.2"]["status"] == "PASS" and "dockerd --icc = false" in res["docker-2.2"]["reason"], res["docker-2.2"]
assert res["docker-2.14"]["status"] == "PASS" and "--live-restore = true" in res["docker-2.14"]["reason"], res["docker-2.14"]
# not given on the command line and no daemon.json on this host: the default (on) fails
assert res["docker-2.15"]["status"] == "FAIL", res["docker-2.15"]
PY
[ "$FAILURES" -eq 0 ] && pass "dockerd flags read from the running process"

# Under --root the same process is not looked at: the root's own unit decides.
mkdir -p "$TMP/root/usr/bin" "$TMP/root/lib/systemd/system"
touch "$TMP/root/usr/bin/dockerd"
printf '[Service]\nExecStart=/usr/bin/dockerd --icc=true\n' >"$TMP/root/lib/systemd/system/docker.service"
"$COMB" bench docker --root "$TMP/root" --check 'docker-2.2,docker-2.14' -f json -o "$TMP/root.json" 2>/dev/null
$PY - "$TMP/root.json" <<'PY' || fail "--root consulted the live dockerd"
import json, sys
res = {r["id"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert res["docker-2.2"]["status"] == "FAIL" and "ExecStart --icc = true" in res["docker-2.2"]["reason"], res["docker-2.2"]
assert res["docker-2.14"]["status"] == "FAIL", res["docker-2.14"]
PY
[ "$FAILURES" -eq 0 ] && pass "under --root the unit in the root is read, not the live process"
finish
