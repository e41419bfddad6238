#!/usr/bin/env bash
# watch_cli.sh - `comb watch` options and exit codes: usage errors (also of
# the response, webhook and record options), bad rules files, --max-events, --duration, SIGTERM, text and JSON output of a rule of
# our own, rings and --metrics, a flood on one CPU while the other is
# attacked. Needs root (BPF): fails, never skips, without it.
. "$(dirname "$0")/lib/common.bash"

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to load the BPF sensor"; exit 1; }
WATCHER=
trap '[ -n "$WATCHER" ] && kill "$WATCHER" 2>/dev/null; rm -rf "$TMP"' EXIT

# expect_exit CODE LABEL comb-args...
expect_exit() {
  local want=$1 label=$2; shift 2
  set +e
  timeout 120 "$COMB" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] && pass "$label: exit $rc" || fail "$label: exit $rc, want $want: $(head -c 300 "$TMP/err")"
}

expect_exit 0 "help watch" help watch
grep -q 'usage: comb watch' "$TMP/out" && pass "help text" || fail "help text missing"
expect_exit 2 "--format xml" watch --format xml
expect_exit 2 "--duration abc" watch --duration abc
expect_exit 2 "--duration 0" watch --duration 0
expect_exit 2 "--max-events -1" watch --max-events -1
expect_exit 2 "stray argument" watch extra
expect_exit 2 "--buffer-size 3M" watch --buffer-size 3M
expect_exit 2 "--buffer-size 2G" watch --buffer-size 2G
expect_exit 2 "unknown option" watch --nope
expect_exit 2 "--rings 0" watch --rings 0
expect_exit 2 "--rings 65" watch --rings 65
expect_exit 2 "--metrics-interval 0" watch --metrics-interval 0 --metrics "$TMP/m.prom"
expect_exit 1 "missing rules file" watch -r "$TMP/none.yaml"
printf -- '- rule: broken\n  desc: x\n  condition: evt.type = openat\n  output: [unclosed\n' >"$TMP/bad.yaml"
expect_exit 1 "malformed rules file" watch -r "$TMP/bad.yaml"
grep -q 'bad.yaml:' "$TMP/err" && pass "malformed rules: message names the file" || fail "no file in: $(cat "$TMP/err")"
printf -- '- list: only_a_list\n  items: [a]\n' >"$TMP/empty.yaml"
expect_exit 2 "rules file without rules" watch -r "$TMP/empty.yaml"

# response, output and record options
expect_exit 2 "--response without =" watch --response 'kill'
expect_exit 2 "--response unknown action" watch --response 'X=kill,explode'
grep -q '"explode" is not kill, freeze, stop or isolate' "$TMP/err" && pass "names the bad action" \
  || fail "bad action message: $(cat "$TMP/err")"
expect_exit 2 "--response unknown rule" watch --response 'No such rule=kill'
grep -q 'no rule named "No such rule"' "$TMP/err" && pass "names the unknown rule" \
  || fail "unknown rule message: $(cat "$TMP/err")"
expect_exit 2 "--webhook-backoff 0" watch --webhook-backoff 0
expect_exit 2 "--webhook-queue x" watch --webhook-queue x
expect_exit 2 "--webhook ftp://" watch --webhook ftp://example/ --duration 1
expect_exit 1 "--record to a missing directory" watch --record "$TMP/no/such/dir.rec" --duration 1
printf -- '- rule: r\n  desc: x\n  condition: evt.type = openat\n  output: o\n  priority: WARNING\n  response: [explode]\n' >"$TMP/badresp.yaml"
expect_exit 1 "rules file with an unknown response" watch -r "$TMP/badresp.yaml"
grep -q 'badresp.yaml:6: rule r: response "explode"' "$TMP/err" && pass "bad response key: file, line, rule" \
  || fail "bad response key message: $(cat "$TMP/err")"
"$COMB" help watch | grep -q -- '--respond' && pass "help lists --respond" || fail "help lacks --respond"
expect_exit 0 "help replay" help replay
grep -q 'usage: comb replay' "$TMP/out" && pass "replay help text" || fail "replay help missing"

# without privileges (root without capabilities: the binary stays readable
# wherever it is): a clear error, no counters
set +e
setpriv --bounding-set=-all --inh-caps=-all "$COMB" watch --duration 1 >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'needs root' "$TMP/err" && ! grep -q 'events,' "$TMP/err" \
  && pass "unprivileged: exit 1, says it needs root" || fail "unprivileged: exit $rc: $(cat "$TMP/err")"

# a rule of our own on a file only this test opens
MARK="$TMP/marker-file"
echo x >"$MARK"
cat >"$TMP/mine.yaml" <<EOF
- rule: Marker read
  desc: the test's marker file was opened
  condition: evt.type in (open, openat) and fd.name = "$MARK" and evt.is_open_read = true
  output: marker read | file=%fd.name process=%proc.name command=%proc.cmdline
  priority: WARNING
  tags: [test]
EOF

# --max-events: stops by itself after exactly N events (on a small ring)
"$COMB" watch -r "$TMP/mine.yaml" --max-events 5 --buffer-size 64K -o "$TMP/max.json" 2>"$TMP/max.err" &
WATCHER=$!
while kill -0 "$WATCHER" 2>/dev/null; do cat "$MARK" >/dev/null; done
wait "$WATCHER" && rc=0 || rc=$?
WATCHER=
[ "$rc" = 0 ] && pass "--max-events: exit 0" || fail "--max-events: exit $rc: $(cat "$TMP/max.err")"
grep -q '^comb: watch: 5 events' "$TMP/max.err" && pass "--max-events 5: 5 events evaluated" \
  || fail "--max-events 5: $(tail -1 "$TMP/max.err")"

# text output, stopped by SIGTERM
"$COMB" watch -r "$TMP/mine.yaml" -f text -o "$TMP/alerts.txt" 2>"$TMP/text.err" &
WATCHER=$!
while ! grep -q 'comb: watch: ready' "$TMP/text.err"; do
  kill -0 "$WATCHER" 2>/dev/null || { fail "watch died: $(cat "$TMP/text.err")"; finish; }
  sleep 0.2
done
cat "$MARK" >/dev/null
# the alert is flushed as soon as the event is read: wait for it, then stop
while ! grep -q 'marker read' "$TMP/alerts.txt"; do
  kill -0 "$WATCHER" 2>/dev/null || break
  sleep 0.2
done
kill -TERM "$WATCHER"
wait "$WATCHER" && rc=0 || rc=$?
WATCHER=
[ "$rc" = 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
if grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: Warning marker read \| file=$MARK process=cat command=cat $MARK\$" "$TMP/alerts.txt"; then
  pass "text alert in Falco's format"
else
  fail "text alert: $(head -3 "$TMP/alerts.txt")"
fi

# --duration ends the watch by itself; JSON alerts are Falco's
"$COMB" watch -r "$TMP/mine.yaml" --duration 3 -o "$TMP/alerts.json" 2>"$TMP/dur.err" &
WATCHER=$!
while ! grep -q 'comb: watch: ready' "$TMP/dur.err"; do
  kill -0 "$WATCHER" 2>/dev/null || break
  sleep 0.2
done
cat "$MARK" >/dev/null
wait "$WATCHER" && rc=0 || rc=$?
WATCHER=
[ "$rc" = 0 ] && pass "--duration: exit 0 by itself" || fail "--duration: exit $rc: $(cat "$TMP/dur.err")"
if $PY - "$TMP/alerts.json" "$MARK" <<'EOF'
import json, sys, re
path, mark = sys.argv[1:]
lines = open(path).read().splitlines()
ok = False
for l in lines:
    a = json.loads(l)
    f = a["output_fields"]
    assert a["rule"] == "Marker read" and a["priority"] == "Warning" and a["source"] == "syscall", a
    assert a["tags"] == ["test"], a
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", a["time"]), a["time"]
    assert f["fd.name"] == mark and f["container.id"] == "host", f
    ok = ok or f["proc.name"] == "cat"
sys.exit(0 if ok else 1)
EOF
then pass "JSON alert fields"; else fail "JSON alerts: $(head -c 600 "$TMP/alerts.json")"; fi

# --- rings and metrics: one ring per CPU by default, the counters per ring
# in the exit line and in the Prometheus file, rewritten while running ---
ncpu=$(nproc)
"$COMB" watch --duration 4 --metrics "$TMP/m.prom" --metrics-interval 1 -o /dev/null \
  2>"$TMP/m.err" &
WATCHER=$!
for _ in $(seq 60); do grep -q 'ready' "$TMP/m.err" && break; sleep 0.1; done
sleep 2
grep -q '^comb_watch_events_total [0-9]' "$TMP/m.prom" 2>/dev/null \
  && pass "--metrics: file written while running" || fail "--metrics: no file while running"
cp "$TMP/m.prom" "$TMP/m1.prom" 2>/dev/null || true
wait "$WATCHER"; rc=$?; WATCHER=
[ "$rc" = 0 ] && pass "--metrics run: exit 0" || fail "--metrics run: exit $rc: $(cat "$TMP/m.err")"
rings=$(grep -c '^comb_watch_ring_drops_total{ring="[0-9]*"} [0-9]*$' "$TMP/m.prom" || true)
want=$(( ncpu < 16 ? ncpu : 16 ))
[ "$rings" = "$want" ] && pass "--metrics: $rings rings, one per CPU" || fail "--metrics: $rings ring series, want $want: $(cat "$TMP/m.prom")"
[ ! -e "$TMP/m.prom.tmp" ] && pass "--metrics: no temporary left" || fail "--metrics: m.prom.tmp left"
grep -Eq "^comb: watch: rings \($want x [0-9]+K\): 0: [0-9]+ records, [0-9]+ drops" "$TMP/m.err" \
  && pass "exit line: per-ring records and drops" || fail "no per-ring line: $(cat "$TMP/m.err")"
# the final file has the exit's counters: events in it >= the running snapshot's
e1=$(sed -n 's/^comb_watch_events_total //p' "$TMP/m1.prom" 2>/dev/null || echo 0)
e2=$(sed -n 's/^comb_watch_events_total //p' "$TMP/m.prom")
[ "${e2:-0}" -ge "${e1:-0}" ] && pass "--metrics: rewritten at exit ($e1 -> $e2 events)" || fail "--metrics: $e1 -> $e2"
"$COMB" watch --duration 1 --rings 1 -o /dev/null 2>"$TMP/r1.err" \
  && grep -q 'rings (1 x 16384K): 0:' "$TMP/r1.err" \
  && pass "--rings 1: one ring of the whole buffer" || fail "--rings 1: $(cat "$TMP/r1.err")"

# --- one CPU floods, the other is attacked: with a ring per CPU the flood
# costs CPU 0's ring only; `cat /etc/shadow` pinned to CPU 1 still alerts ---
if [ "$ncpu" -ge 2 ]; then
  "$COMB" watch --rings 2 --buffer-size 1M --duration 8 -o "$TMP/flood.json" \
    2>"$TMP/flood.err" &
  WATCHER=$!
  for _ in $(seq 60); do grep -q 'ready' "$TMP/flood.err" && break; sleep 0.1; done
  taskset -c 0 "$PY" -c '
import os, time
end = time.time() + 4
while time.time() < end:
    for _ in range(2000):
        os.close(os.open("/etc/hostname", os.O_RDONLY))
' &
  FLOOD=$!
  sleep 1
  taskset -c 1 cat /etc/shadow >/dev/null
  wait "$FLOOD"
  wait "$WATCHER"; rc=$?; WATCHER=
  grep -q '"proc.cmdline":"cat /etc/shadow"' "$TMP/flood.json" \
    && pass "flood on CPU 0: cat /etc/shadow on CPU 1 still alerts" \
    || fail "flood: no alert for cat /etc/shadow (exit $rc): $(tail -2 "$TMP/flood.err")"
  line=$(grep '^comb: watch: rings' "$TMP/flood.err" || true)
  r1=$(sed -nE 's/.*; 1: [0-9]+ records, ([0-9]+) drops.*/\1/p' <<<"$line")
  [ "$r1" = 0 ] && pass "flood: no drops on ring 1 ($line)" || fail "flood: ring 1 dropped: $line"
fi

finish
