#!/usr/bin/env bash
# watch_response.sh - response actions on real podman containers: kill the
# process, freeze the container (cgroup.events "frozen 1", its processes stop
# counting; thawing works), stop it (cgroup.kill), isolate its network
# (nftables table in its own network namespace: connections fail, deleting
# the table restores them); the dry run reports without acting; --response
# overrides a rule; each action is a JSON line with its outcome and counted
# at exit. Enforce mode: a binary copied into the container's upper layer is
# killed in the kernel at exec while the image's binaries run, and an
# isolated container's connect() to a loopback listener is refused until
# comb exits. Needs root, podman (runc), ip and nft.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/containers.bash"

NS="combresp$$"
VETH="crh$$"
NET=10.251.$(($$ % 200 + 20))
# memexec PROG ARGS...: runs PROG from a memfd (fileless execution)
cat >"$TMP/memexec.c" <<'CEOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    int in = open(argv[1], O_RDONLY), m = memfd_create("payload", 0);
    char buf[65536]; ssize_t n;
    if (in < 0 || m < 0) { perror("memexec"); return 1; }
    while ((n = read(in, buf, sizeof buf)) > 0) if (write(m, buf, n) != n) return 1;
    char *env[] = { NULL };
    fexecve(m, argv + 2, env);
    perror("fexecve");
    return 1;
}
CEOF
gcc -static -O2 -o "$TMP/memexec" "$TMP/memexec.c" || { echo "FAIL: cannot build the memfd helper"; exit 1; }
make_image /etc/kill-me /etc/freeze-me /etc/stop-me /etc/isolate-me /etc/override-me /bin/memexec="$TMP/memexec"
CG2=$(findmnt -t cgroup2 -n -o TARGET | head -1)
[ -n "$CG2" ] || { echo "FAIL: no cgroup v2 mount"; exit 1; }

cat >"$TMP/rules.yaml" <<'RULES'
- macro: trigger_open
  condition: evt.type in (open, openat) and container.id != host
- rule: Kill trigger
  desc: kill the process
  condition: trigger_open and fd.name = /etc/kill-me
  output: kill trigger (pid=%proc.pid container=%container.id)
  priority: WARNING
  response: [kill]
- rule: Freeze trigger
  desc: freeze the container
  condition: trigger_open and fd.name = /etc/freeze-me
  output: freeze trigger (pid=%proc.pid container=%container.id)
  priority: WARNING
  response: freeze
- rule: Stop trigger
  desc: stop the container
  condition: trigger_open and fd.name = /etc/stop-me
  output: stop trigger (pid=%proc.pid container=%container.id)
  priority: CRITICAL
  response: [stop]
- rule: Isolate trigger
  desc: cut the container's network
  condition: trigger_open and fd.name = /etc/isolate-me
  output: isolate trigger (pid=%proc.pid container=%container.id)
  priority: WARNING
  response: [isolate]
- rule: Override trigger
  desc: no response of its own
  condition: trigger_open and fd.name = /etc/override-me
  output: override trigger (pid=%proc.pid container=%container.id)
  priority: WARNING
RULES

# response LINES_FILE ACTION OUTCOME [SECONDS]: wait for that response line
response() {
  wait_for "$1" "\"response\":\"$2\",\"outcome\":\"$3\"" "${4:-20}"
}
# exit status of CMD, bounded in time
status_of() { set +e; timeout "${T:-30}" "$@" >/dev/null 2>&1; local rc=$?; set -e; echo $rc; }
cgroup_of() { # container id -> its cgroup v2 directory
  local pid; pid=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$1")
  echo "$CG2$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
}

# --- dry run: reported, not done ---
start_watch dry -r "$TMP/rules.yaml"
grep -q 'dry run' "$TMP/dry.err" && pass "dry run announced" || fail "no dry-run notice: $(cat "$TMP/dry.err")"
run_bg dry "$IMAGE" sleep 1000 >/dev/null
t0=$(date +%s)
rc=$(T=20 status_of "${PODMAN[@]}" exec "comb-$TEST_NAME-dry-$$" sh -c 'exec 3</etc/kill-me; exec sleep 2')
[ "$rc" = 0 ] && pass "dry run: the process was not killed" || fail "dry run: exit $rc"
response "$TMP/dry.out" kill dry-run && pass "dry run: kill reported with outcome dry-run" \
  || fail "dry run: no response line: $(tail -2 "$TMP/dry.out")"
stop_watch dry

# --- acting ---
ip netns add "$NS"
EXTRA_CLEANUP+=("ip netns del $NS" "ip link del $VETH")
ip link add "$VETH" type veth peer name "${VETH}n"
ip link set "${VETH}n" netns "$NS"
ip addr add "$NET.1/30" dev "$VETH"
ip link set "$VETH" up
ip -n "$NS" addr add "$NET.2/30" dev "${VETH}n"
ip -n "$NS" link set "${VETH}n" up
ip -n "$NS" link set lo up
cat >"$TMP/listen.py" <<'PYEOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 0))
s.listen(16)
open(sys.argv[2], 'w').write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.close()
PYEOF
$PY "$TMP/listen.py" "$NET.1" "$TMP/port1" &
WATCHERS+=($!)
$PY "$TMP/listen.py" 127.0.0.1 "$TMP/port2" &
WATCHERS+=($!)
i=0; while { [ ! -s "$TMP/port1" ] || [ ! -s "$TMP/port2" ]; } && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
P1=$(cat "$TMP/port1"); P2=$(cat "$TMP/port2")

ID_K=$(run_bg kill "$IMAGE" sleep 1000)
# the counter is renamed into place: a freeze between truncate and write
# must not leave an empty file
ID_F=$(run_bg freeze "$IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.1; done')
ID_S=$(run_bg stop "$IMAGE" sleep 1000)
ID_I=$(run_bg isolate --network "ns:/run/netns/$NS" "$IMAGE" sleep 1000)
start_watch act -r "$TMP/rules.yaml" --respond --response 'Override trigger=kill'

# kill
t0=$(date +%s)
rc=$(status_of "${PODMAN[@]}" exec "$ID_K" sh -c 'exec 3</etc/kill-me; exec sleep 25')
t1=$(date +%s)
[ "$rc" = 137 ] && [ $((t1 - t0)) -lt 20 ] && pass "kill: the process died of SIGKILL (exit 137) in $((t1 - t0))s" \
  || fail "kill: exit $rc after $((t1 - t0))s"
response "$TMP/act.out" kill ok && pass "kill: logged with outcome ok" || fail "kill: no ok line"
rc=$(status_of "${PODMAN[@]}" exec "$ID_K" sh -c 'exec 3</etc/override-me; exec sleep 25')
[ "$rc" = 137 ] && pass "--response 'Override trigger=kill': killed" || fail "--response override: exit $rc"
rc=$(status_of "${PODMAN[@]}" exec "$ID_K" true)
[ "$rc" = 0 ] && pass "kill: the container itself still runs" || fail "kill: container broken ($rc)"

# freeze
CG_F=$(cgroup_of "$ID_F")
PID_F=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$ID_F")
timeout 30 "${PODMAN[@]}" exec "$ID_F" cat /etc/freeze-me >/dev/null 2>&1 &
if response "$TMP/act.out" freeze ok; then
  pass "freeze: logged with outcome ok"
  grep -q '^frozen 1' "$CG_F/cgroup.events" && pass "freeze: $CG_F/cgroup.events says frozen 1" \
    || fail "freeze: $(cat "$CG_F/cgroup.events")"
  a=$(cat "/proc/$PID_F/root/tmp/count"); sleep 1; b=$(cat "/proc/$PID_F/root/tmp/count")
  [ -n "$a" ] && [ "$a" = "$b" ] && pass "freeze: the container's counter stands still ($a)" || fail "freeze: counter moved '$a' -> '$b'"
  echo 0 >"$CG_F/cgroup.freeze"
  wait_for "$CG_F/cgroup.events" '^frozen 0' 5 && pass "thaw: frozen 0" || fail "thaw: $(cat "$CG_F/cgroup.events")"
  sleep 1; c=$(cat "/proc/$PID_F/root/tmp/count")
  [ -n "$b" ] && [ "$c" -gt "$b" ] && pass "thaw: the counter runs again ($b -> $c)" || fail "thaw: counter $b -> $c"
else
  fail "freeze: no ok line: $(grep freeze "$TMP/act.out" | tail -1)"
fi

# stop
timeout 30 "${PODMAN[@]}" exec "$ID_S" cat /etc/stop-me >/dev/null 2>&1 &
rc=$(status_of "${PODMAN[@]}" wait "$ID_S")
state=$("${PODMAN[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$ID_S")
[ "$state" = "exited 137" ] && pass "stop: the container exited (137, every process killed)" \
  || fail "stop: state $state (podman wait $rc)"
response "$TMP/act.out" stop ok && pass "stop: logged with outcome ok" || fail "stop: no ok line"

# isolate
rc=$(status_of "${PODMAN[@]}" exec "$ID_I" nc -w 2 "$NET.1" "$P1")
[ "$rc" = 0 ] && pass "isolate: connects before" || fail "isolate: no connection even before ($rc)"
T=30 status_of "${PODMAN[@]}" exec "$ID_I" cat /etc/isolate-me >/dev/null
if response "$TMP/act.out" isolate ok; then
  pass "isolate: logged with outcome ok"
  rc=$(status_of "${PODMAN[@]}" exec "$ID_I" nc -w 2 "$NET.1" "$P1")
  [ "$rc" != 0 ] && pass "isolate: the container's connection fails ($rc)" || fail "isolate: still connects"
  ip netns exec "$NS" nft list tables | grep -q 'inet comb_isolate' && pass "isolate: table in the container's netns" \
    || fail "isolate: no table"
  nft list tables | grep -q comb_isolate && fail "isolate: table in the host's namespace" \
    || pass "isolate: the host's namespace is untouched"
  ip netns exec "$NS" nft delete table inet comb_isolate
  rc=$(status_of "${PODMAN[@]}" exec "$ID_I" nc -w 2 "$NET.1" "$P1")
  [ "$rc" = 0 ] && pass "isolate lifted: connects again" || fail "isolate lifted: still fails ($rc)"
else
  fail "isolate: no ok line: $(grep isolate "$TMP/act.out" | tail -1)"
fi
stop_watch act
[ "$WRC" = 0 ] && pass "watch --respond: exit 0" || fail "watch --respond: exit $WRC"
grep -Eq 'responses: [4-9] ok, 0 failed' "$TMP/act.err" && pass "counters: $(grep -o 'responses: .*' "$TMP/act.err")" \
  || fail "counters: $(grep responses "$TMP/act.err")"
$PY - "$TMP/act.out" <<'PYEOF' && pass "response lines: JSON with rule, outcome, container, pid" || fail "response lines malformed"
import json, sys
n = 0
for l in open(sys.argv[1]):
    a = json.loads(l)
    if "response" in a:
        n += 1
        assert a["source"] == "comb.response" and a["rule"].endswith("trigger"), a
        assert len(a["output_fields"]["container.id"]) == 12 and a["output_fields"]["proc.pid"] > 0, a
assert n >= 5, n
PYEOF

# --- enforce mode ---
ID_E=$(run_bg enforce "$IMAGE" sleep 1000)
ID_H=$(run_bg hostnet --network host "$IMAGE" sleep 1000)
start_watch enf -r "$TMP/rules.yaml" --respond --enforce
grep -q 'enforce: exec hook with bpf_send_signal and cgroup connect4/connect6 programs loaded' "$TMP/enf.err" \
  && pass "enforce: probe says the programs loaded" || fail "enforce probe: $(cat "$TMP/enf.err")"
rc=$(status_of "${PODMAN[@]}" exec "$ID_E" /bin/busybox true)
[ "$rc" = 0 ] && pass "enforce: the image's binary runs" || fail "enforce: image binary exit $rc"
# where BPF LSM loads, the exec is denied (126); elsewhere killed (137)
WANT=137; KILLS='[1-9][0-9]*'
if grep -q 'BPF LSM loaded' "$TMP/enf.err"; then WANT=126; KILLS='[0-9]+'; fi
grep -Eq 'BPF LSM (loaded|refused by the kernel)' "$TMP/enf.err" && pass "enforce: BPF LSM probe reported" \
  || fail "no BPF LSM probe in: $(cat "$TMP/enf.err")"
rc=$(status_of "${PODMAN[@]}" exec "$ID_E" sh -c 'cp /bin/busybox /tmp/drifted && /tmp/drifted true')
[ "$rc" = "$WANT" ] && pass "enforce: a binary copied to the upper layer is stopped at exec ($rc)" \
  || fail "enforce: drifted binary exit $rc, want $WANT"
rc=$(status_of "${PODMAN[@]}" exec "$ID_E" /bin/memexec /bin/busybox true)
[ "$rc" = "$WANT" ] && pass "enforce: a binary run from a memfd is stopped at exec ($rc)" \
  || fail "enforce: memfd exec exit $rc, want $WANT"
rc=$(status_of "${PODMAN[@]}" exec "$ID_E" ls /)
[ "$rc" = 0 ] && pass "enforce: the image's binaries still run after" || fail "enforce: ls exit $rc"
mkdir "$TMP/host"; cp /bin/busybox "$TMP/host/busybox"
rc=$(status_of "$TMP/host/busybox" true)
[ "$rc" = 0 ] && pass "enforce: host processes are not enforced" || fail "enforce: host copy exit $rc"
rc=$(status_of "${PODMAN[@]}" exec "$ID_H" nc -w 2 127.0.0.1 "$P2")
[ "$rc" = 0 ] && pass "enforce isolate: connects to the loopback listener before" || fail "before: $rc"
T=30 status_of "${PODMAN[@]}" exec "$ID_H" cat /etc/isolate-me >/dev/null
if response "$TMP/enf.out" isolate ok; then
  grep -q 'shares the host.s network namespace; connect() refused in the kernel: ok' "$TMP/enf.out" \
    && pass "enforce isolate: nftables refused (host netns), kernel refusal ok" || fail "detail: $(grep isolate "$TMP/enf.out" | tail -1)"
  rc=$(status_of "${PODMAN[@]}" exec "$ID_H" nc -w 2 127.0.0.1 "$P2")
  [ "$rc" != 0 ] && pass "enforce isolate: the container's connect() is refused ($rc)" || fail "enforce isolate: still connects"
  rc=$(status_of "$TMP/host/busybox" nc -w 2 127.0.0.1 "$P2")
  [ "$rc" = 0 ] && pass "enforce isolate: the host still connects" || fail "host connect: $rc"
else
  fail "enforce isolate: no ok line: $(grep isolate "$TMP/enf.out" | tail -1)"
fi
stop_watch enf
[ "$WANT" = 137 ] && KILLS='[2-9]'
grep -Eq "enforce: $KILLS drifted execs killed, [1-9][0-9]* connects refused" "$TMP/enf.err" \
  && pass "enforce counters: $(grep -o 'enforce: [0-9].*' "$TMP/enf.err")" || fail "enforce counters: $(grep enforce "$TMP/enf.err")"
rc=$(status_of "${PODMAN[@]}" exec "$ID_H" nc -w 2 127.0.0.1 "$P2")
[ "$rc" = 0 ] && pass "enforce isolate lifted when comb exits: connects again" || fail "after exit: $rc"

finish
