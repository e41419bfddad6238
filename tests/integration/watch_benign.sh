#!/usr/bin/env bash
# watch_benign.sh - a benign workload fires no alert from comb's built-in
# rules: compiling and running a C program, a web server under load from a
# loopback client (busybox httpd in a podman container, python3's http.server
# on the host), package queries (dpkg, apt-cache), the image's own programs.
# Falco's stable rules run alongside: what they fire on the workload is
# reported (not a failure: those are Falco's own false positives; busybox
# httpd puts each accepted socket on stdin/stdout, which Falco's "Redirect
# STDOUT/STDIN to Network Connection in Container" takes for a reverse shell). Alerts of processes that are not the
# workload's (other tests run on this machine at the same time) are listed,
# not counted. Needs root (BPF), podman with runc, busybox-static, gcc, curl.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/watch.bash"
for t in gcc curl dpkg apt-cache; do
  command -v "$t" >/dev/null || { echo "FAIL: $t missing (scripts/setup installs it)"; exit 1; }
done
REQUESTS=${REQUESTS:-300}

busybox_root "$TMP/root"
mkdir -p "$TMP/root/www"
head -c 20000 /dev/zero | tr '\0' 'x' >"$TMP/root/www/index.html"
import_image "$TMP/root"
mkdir -p "$TMP/site" && echo hello >"$TMP/site/index.html"
cat >"$TMP/hello.c" <<'EOC'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOC

start_watchers

# a web server in a container, under load from a client in the same container
ID_WEB=$(run_container web "$IMAGE" sh -c "/bin/httpd -p 127.0.0.1:8080 -h /www; i=0
  while [ \$i -lt $REQUESTS ]; do /bin/wget -q -O /dev/null http://127.0.0.1:8080/index.html || exit 1; i=\$((i+1)); done
  /bin/ls -la /www >/dev/null; /bin/cat /etc/hostname >/dev/null; /bin/ps >/dev/null; echo served \$i")
info "container web server: $(cat "$TMP/comb-$TEST_NAME-web-$$.out")"
# the same on the host: python3's http.server and curl
PORT=$((20000 + $$ % 20000))
(cd "$TMP/site" && exec $PY -m http.server --bind 127.0.0.1 "$PORT" >/dev/null 2>&1) &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
ok=0
for _ in $(seq "$REQUESTS"); do curl -s -o /dev/null "http://127.0.0.1:$PORT/index.html" && ok=$((ok + 1)); done
kill "$SRV"; wait "$SRV" 2>/dev/null || true
info "host web server: $ok of $REQUESTS requests served"
# a build and its program
gcc -O2 -Wall -o "$TMP/hello" "$TMP/hello.c" && "$TMP/hello" >/dev/null
# package queries
dpkg -l >/dev/null
dpkg-query -W -f '${Package}\n' >/dev/null
apt-cache policy bash >/dev/null
apt-cache show coreutils >/dev/null
sleep 1 # the last records reach the watchers
stop_watchers

# alerts of the workload: its container, or host processes of its programs
for f in falco builtin; do
  $PY - "$TMP/$f.json" "$ID_WEB" "$TMP" "127.0.0.1:$PORT" >"$TMP/$f.verdict" <<'EOP'
import json, sys
path, web, markers = sys.argv[1], sys.argv[2][:12], sys.argv[3:]
# the workload's host processes: their command lines name this test's
# directory or server port, or they are the build's and package tools
# (python3, curl and the like also run in other tests: not by name)
tools = {"gcc", "cc1", "as", "collect2", "ld", "dpkg", "dpkg-query", "apt-cache"}
for line in open(path):
    a = json.loads(line)
    f = a["output_fields"]
    cid = f.get("container.id")
    cmd = str(f.get("proc.cmdline"))
    mine = cid == web or (cid == "host" and (str(f.get("proc.name")) in tools
                                             or any(m in cmd for m in markers)))
    print("WORKLOAD" if mine else "OTHER", a["rule"], "|", cid, f.get("proc.name"), cmd[:160])
EOP
  n=$(grep -c '^WORKLOAD' "$TMP/$f.verdict" || true)
  o=$(grep -c '^OTHER' "$TMP/$f.verdict" || true)
  [ "$o" = 0 ] || info "$f: $o alert(s) of processes outside the workload (other tests?), not counted:"
  grep '^OTHER' "$TMP/$f.verdict" | head -5 | sed 's/^/    /' || true
  if [ "$n" = 0 ]; then
    pass "$f: the benign workload fired no alert"
  elif [ "$f" = falco ]; then
    info "REPORT: Falco's stable rules fired $n alert(s) on the benign workload (not counted as a failure):"
    grep '^WORKLOAD' "$TMP/$f.verdict" | sort | uniq -c | sort -rn | head -10 | sed 's/^/    /' || true
  else
    fail "$f: the benign workload fired $n alert(s):"
    grep '^WORKLOAD' "$TMP/$f.verdict" | head -20 | sed 's/^/    /' || true
  fi
done
[ "$ok" = "$REQUESTS" ] && pass "host web server answered all $REQUESTS requests" || fail "host web server answered $ok of $REQUESTS"
grep -q "served $REQUESTS" "$TMP/comb-$TEST_NAME-web-$$.out" && pass "container web server answered all $REQUESTS requests" \
  || fail "container web server: $(cat "$TMP/comb-$TEST_NAME-web-$$.out")"

finish
