#!/usr/bin/env bash
# watch_outputs.sh - comb watch's alert outputs: syslog datagrams on a unix
# socket the test listens on; an HTTP webhook on a loopback server that fails
# its first requests (500, then a dropped connection) before accepting:
# every alert arrives exactly once, and the counters say so; a slow webhook
# does not delay the alerts on the stream, and a full queue drops and counts.
# Needs root (BPF).
. "$(dirname "$0")/lib/common.bash"

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to load the BPF sensor"; exit 1; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT

MARK="$TMP/outputs-marker"
echo x >"$MARK"
cat >"$TMP/mine.yaml" <<RULES
- rule: Marker read
  desc: the test's marker file was opened
  condition: evt.type in (open, openat) and fd.name = "$MARK" and evt.is_open_read = true
  output: marker read | pid=%proc.pid args=%proc.args
  priority: WARNING
RULES

# HTTP server: FAIL_FIRST requests fail (odd ones get 500, even ones a closed
# connection without an answer), then 200; DELAY seconds per request; bodies
# appended to LOG, one per line.
cat >"$TMP/server.py" <<'PYEOF'
import http.server, sys, threading, time
fail_first, delay, log, portfile = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
count = 0
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with lock:
            count += 1
            n = count
        time.sleep(delay)
        if n <= fail_first:
            if n % 2 == 0:
                self.close_connection = True
                self.connection.shutdown(2)  # no answer at all
                return
            self.send_response(500); self.end_headers(); return
        with lock, open(log, 'ab') as f:
            f.write(body + b'\n')
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
open(portfile, 'w').write(str(s.server_address[1]))
s.serve_forever()
PYEOF
start_server() { # NAME FAIL_FIRST DELAY
  $PY "$TMP/server.py" "$2" "$3" "$TMP/$1.log" "$TMP/$1.port" &
  PIDS+=($!)
  local i=0
  while [ ! -s "$TMP/$1.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  : >>"$TMP/$1.log"
}
# unix datagram listener standing in for /dev/log
cat >"$TMP/syslog.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + '.ready', 'w').close()
with open(sys.argv[2], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b'\n')
PYEOF

start_watch() { # NAME [args]
  local name=$1; shift
  "$COMB" watch --duration 300 -r "$TMP/mine.yaml" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  local pid=$!
  PIDS+=($pid)
  eval "${name}_PID=$pid"
  local i=0
  while ! grep -q 'comb: watch: ready' "$TMP/$name.err" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { fail "watch $name died: $(cat "$TMP/$name.err")"; finish; }
    i=$((i + 1)); [ $i -lt 600 ] || { fail "watch $name not ready"; finish; }
    sleep 0.2
  done
}
stop_watch() {
  local pid; eval "pid=\$${1}_PID"
  kill -TERM "$pid"; wait "$pid" && WRC=0 || WRC=$?
}
wait_lines() { # FILE N SECONDS
  local i=0
  while [ "$(wc -l <"$1")" -lt "$2" ] && [ $i -lt $(($3 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
  [ "$(wc -l <"$1")" -ge "$2" ]
}

# --- webhook with failures, and syslog, in one watch ---
start_server flaky 4 0
$PY "$TMP/syslog.py" "$TMP/log.sock" "$TMP/syslog.log" &
PIDS+=($!)
i=0; while [ ! -e "$TMP/log.sock.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start_watch flaky --webhook "http://127.0.0.1:$(cat "$TMP/flaky.port")/alerts" --webhook-backoff 50 \
  --syslog-socket "$TMP/log.sock"
for n in 1 2 3 4 5 6; do cat "$MARK" >/dev/null; done
wait_lines "$TMP/flaky.out" 6 20 || fail "stream: $(wc -l <"$TMP/flaky.out") of 6 alerts"
wait_lines "$TMP/flaky.log" 6 60 || fail "webhook: $(wc -l <"$TMP/flaky.log") of 6 alerts after 60s"
stop_watch flaky
[ "$WRC" = 0 ] && pass "watch with webhook and syslog: exit 0" || fail "watch: exit $WRC: $(tail -3 "$TMP/flaky.err")"
if $PY - "$TMP/flaky.out" "$TMP/flaky.log" <<'PYEOF'
import json, sys
stream = [json.loads(l) for l in open(sys.argv[1])]
hook = [json.loads(l) for l in open(sys.argv[2])]
assert len(stream) == 6, len(stream)
assert hook == stream, (len(hook), "order or content differs")
PYEOF
then pass "webhook: 6 alerts, each delivered exactly once, in order, after 4 failed requests"
else fail "webhook deliveries differ from the alerts: $(wc -l <"$TMP/flaky.log") received"; fi
grep -q 'webhook: 6 delivered, 0 failed, 0 dropped, 4 retries' "$TMP/flaky.err" \
  && pass "webhook counters at exit" || fail "webhook counters: $(grep webhook "$TMP/flaky.err")"
if $PY - "$TMP/flaky.out" "$TMP/syslog.log" <<'PYEOF'
import re, sys
stream = open(sys.argv[1]).read().splitlines()
msgs = open(sys.argv[2]).read().splitlines()
assert len(msgs) == 6, len(msgs)
for m, s in zip(msgs, stream):
    g = re.match(r'<12>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d comb\[\d+\]: (.*)$', m)
    assert g, m
    assert g.group(1) == s, (g.group(1), s)
PYEOF
then pass "syslog: 6 datagrams, <12> (user.warning), the JSON alert"
else fail "syslog datagrams: $(head -c 400 "$TMP/syslog.log")"; fi
grep -q 'syslog: 6 sent, 0 failed' "$TMP/flaky.err" && pass "syslog counters" \
  || fail "syslog counters: $(grep syslog "$TMP/flaky.err")"

# --- text format on syslog ---
: >"$TMP/syslog.log"
start_watch text -f text --syslog-socket "$TMP/log.sock"
cat "$MARK" >/dev/null
wait_lines "$TMP/text.out" 1 20 || true
sleep 0.5
stop_watch text
grep -Eq 'comb\[[0-9]+\]: [0-9:.]+: Warning marker read' "$TMP/syslog.log" && pass "syslog: text form" \
  || fail "syslog text: $(head -c 300 "$TMP/syslog.log" 2>/dev/null)"

# --- a slow webhook (1s per request) never delays the stream; a full queue drops ---
start_server slow 0 1
start_watch slow --webhook "http://127.0.0.1:$(cat "$TMP/slow.port")/" --webhook-queue 2
t0=$(date +%s%N)
for n in 1 2 3 4 5 6 7 8; do cat "$MARK" >/dev/null; done
wait_lines "$TMP/slow.out" 8 20 || true
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ "$(wc -l <"$TMP/slow.out")" = 8 ] && [ "$ms" -lt 4000 ] \
  && pass "slow webhook: 8 alerts on the stream in ${ms}ms" || fail "slow webhook: $(wc -l <"$TMP/slow.out") alerts in ${ms}ms"
stop_watch slow
if $PY - "$TMP/slow.err" "$TMP/slow.log" <<'PYEOF'
import re, sys
err = open(sys.argv[1]).read()
m = re.search(r'webhook: (\d+) delivered, (\d+) failed, (\d+) dropped, (\d+) retries', err)
d, f, x, r = map(int, m.groups())
got = len(open(sys.argv[2]).read().splitlines())
assert d + f + x == 8 and x >= 1 and d == got and f == 0, (d, f, x, got)
PYEOF
then pass "queue of 2: delivered + dropped = 8, drops counted ($(grep -o 'webhook: .*' "$TMP/slow.err"))"
else fail "slow webhook counters: $(grep webhook "$TMP/slow.err")"; fi

# --- a 404 fails the line at once (no retry); a dead endpoint is retried
# until the drain limit at exit (10 s), then counted as failed ---
sed 's/self.send_response(500)/self.send_response(404)/' "$TMP/server.py" >"$TMP/server404.py"
$PY "$TMP/server404.py" 1000 0 "$TMP/404.log" "$TMP/404.port" &
NF_PID=$!
PIDS+=($NF_PID)
i=0; while [ ! -s "$TMP/404.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start_watch notfound --webhook "http://127.0.0.1:$(cat "$TMP/404.port")/"
cat "$MARK" >/dev/null
wait_lines "$TMP/notfound.out" 1 20 || true
sleep 1
stop_watch notfound
grep -q 'webhook: 0 delivered, 1 failed, 0 dropped, 0 retries' "$TMP/notfound.err" \
  && pass "webhook 404: failed at once, not retried" || fail "404: $(grep webhook "$TMP/notfound.err")"
# the same port with nobody listening any more
kill "$NF_PID"; wait "$NF_PID" 2>/dev/null || true
start_watch dead --webhook "http://127.0.0.1:$(cat "$TMP/404.port")/"
cat "$MARK" >/dev/null
wait_lines "$TMP/dead.out" 1 20 || true
sleep 1
t0=$(date +%s)
stop_watch dead
t1=$(date +%s)
[ "$WRC" = 0 ] && [ $((t1 - t0)) -ge 8 ] && [ $((t1 - t0)) -le 13 ] \
  && grep -Eq 'webhook: 0 delivered, 1 failed, 0 dropped, [1-9][0-9]* retries' "$TMP/dead.err" \
  && pass "dead webhook: retried, failed at the drain limit ($((t1 - t0))s), exit 0: $(grep -o 'webhook: .*' "$TMP/dead.err")" \
  || fail "dead webhook: exit $WRC after $((t1 - t0))s: $(grep webhook "$TMP/dead.err")"

# --- usage ---
set +e
"$COMB" watch --webhook ftp://x -r "$TMP/mine.yaml" --duration 1 >/dev/null 2>"$TMP/e1"; r1=$?
"$COMB" watch --webhook-queue 0 >/dev/null 2>&1; r2=$?
set -e
[ "$r1" = 2 ] && grep -q 'not an http' "$TMP/e1" && [ "$r2" = 2 ] && pass "bad webhook URL and queue: exit 2" \
  || fail "bad webhook options: $r1 $r2 $(cat "$TMP/e1")"

finish
