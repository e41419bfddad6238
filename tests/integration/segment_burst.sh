#!/usr/bin/env bash
# segment_burst.sh - the segment learner under a burst: 100,000 TCP
# connections in a few seconds between two network namespaces this test
# creates (a veth pair; a small C client and server built here, bounded
# loops). The learner must keep running, report its counters (kernel records,
# ring drops, refused flows), aggregate the connections into a handful of
# flows, refuse (and count) flows beyond --max-flows, and stay within bounded
# memory (peak RSS < 200 MB). Needs root and cc.
. "$(dirname "$0")/lib/common.bash"

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
command -v cc >/dev/null || { echo "FAIL: cc missing"; exit 1; }
N=${SEGMENT_BURST_CONNECTIONS:-100000}
ID=$(( $$ % 100000 ))
CL="sb$ID-client" SV="sb$ID-server"
NET="10.$(( 150 + ID % 40 )).$(( ID % 250 ))"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$CL" 2>/dev/null || true
  ip netns del "$SV" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/burst.c" <<'CEOF'
/* burst server PORT0 NPORTS SECONDS | burst client ADDR PORT0 NPORTS COUNT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static void rst_close(int s) {
  struct linger lg = { 1, 0 };  /* RST: no TIME_WAIT, no port exhaustion */
  setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(s);
}
int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "server")) {
    int port0 = atoi(argv[2]), n = atoi(argv[3]); long secs = atol(argv[4]);
    struct pollfd p[64];
    if (n < 1 || n > 64) return 2;
    for (int i = 0; i < n; i++) {
      int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port0 + i) };
      if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4096)) { perror("listen"); return 1; }
      p[i].fd = s; p[i].events = POLLIN;
    }
    time_t end = time(NULL) + secs;
    while (time(NULL) < end) {
      if (poll(p, n, 500) <= 0) continue;
      for (int i = 0; i < n; i++) {
        int c;
        while ((c = accept(p[i].fd, NULL, NULL)) >= 0) rst_close(c);
      }
    }
    return 0;
  }
  if (argc == 6 && !strcmp(argv[1], "client")) {
    int port0 = atoi(argv[3]), n = atoi(argv[4]); long count = atol(argv[5]), ok = 0;
    struct sockaddr_in a = { .sin_family = AF_INET };
    if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1 || n < 1) return 2;
    for (long i = 0; i < count; i++) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      a.sin_port = htons(port0 + i % n);
      if (!connect(s, (struct sockaddr *)&a, sizeof a)) ok++;
      rst_close(s);
    }
    printf("%ld\n", ok);
    return 0;
  }
  return 2;
}
CEOF
cc -O2 -o "$TMP/burst" "$TMP/burst.c"

ip netns add "$CL"; ip netns add "$SV"
ip link add "sb${ID}a" type veth peer name "sb${ID}b"
ip link set "sb${ID}a" netns "$CL"; ip link set "sb${ID}b" netns "$SV"
ip -n "$CL" addr add "$NET.1/24" dev "sb${ID}a"; ip -n "$CL" link set "sb${ID}a" up
ip -n "$SV" addr add "$NET.2/24" dev "sb${ID}b"; ip -n "$SV" link set "sb${ID}b" up
ip netns exec "$SV" "$TMP/burst" server 7000 8 120 &
PIDS+=($!)
sleep 0.3

# A small ring buffer (64K) so that the burst can outrun the reader, and a
# flow table of 4 entries for 8 destination ports: both limits must be hit
# gracefully and counted.
"$COMB" segment run --db "$TMP/seg.db" --buffer-size 64K --max-flows 4 --duration 300 \
  -o "$TMP/alerts.json" 2>"$TMP/run.err" &
RUN=$!
PIDS+=($RUN)
for _ in $(seq 1 100); do grep -q ready "$TMP/run.err" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TMP/run.err" || { echo "FAIL: learner not ready: $(cat "$TMP/run.err")"; exit 1; }
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$RUN/status")

t0=$(date +%s.%N)
ok=$(ip netns exec "$CL" timeout 120 "$TMP/burst" client "$NET.2" 7000 8 "$N")
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
info "burst: $ok of $N connections succeeded in $secs s ($(awk -v n="$ok" -v s="$secs" 'BEGIN{printf "%d", n / s}') per second)"
[ "$ok" -ge $((N * 9 / 10)) ] && pass "burst generated ($ok connections)" || fail "burst: only $ok connections"
sleep 2
kill -0 "$RUN" 2>/dev/null && pass "learner survived the burst" || fail "learner died: $(cat "$TMP/run.err")"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$RUN/status")
kill -INT "$RUN"; wait "$RUN" || true
line=$(grep 'ring drops' "$TMP/run.err" || true)
info "${line:-no counter line}"
info "comb RSS: $((rss0 / 1024)) MB before, peak $((hwm / 1024)) MB"
[ -n "$line" ] && pass "counters reported" || fail "no counter line: $(cat "$TMP/run.err")"
"$PY" - "$line" "$ok" <<'PYEOF' && pass "kernel records + ring drops account for every connection" || fail "counters do not add up: $line"
import re, sys
line, ok = sys.argv[1], int(sys.argv[2])
kernel = int(re.search(r"kernel (\d+)", line).group(1))
drops = int(re.search(r"ring drops (\d+)", line).group(1))
records = int(re.search(r"records (\d+)", line).group(1))
# each connection writes a connect and an accept record (or counts a drop)
assert kernel + drops >= 2 * ok, (kernel, drops, ok)
assert records <= kernel, (records, kernel)
print(f"    kernel records {kernel}, ring drops {drops} ({100.0 * drops / (kernel + drops):.1f}%), read {records}")
PYEOF
refused=$(printf '%s' "$line" | sed -n 's/.*refused \([0-9]*\).*/\1/p')
[ "${refused:-0}" -gt 0 ] && pass "flows beyond --max-flows refused and counted ($refused)" || fail "no refused flows counted"
[ "$hwm" -lt $((200 * 1024)) ] && pass "peak RSS bounded ($((hwm / 1024)) MB < 200 MB)" || fail "peak RSS $((hwm / 1024)) MB"
"$COMB" segment graph --db "$TMP/seg.db" --format json | "$PY" -c '
import json, sys
g = json.load(sys.stdin)
mine = [f for f in g["flows"] if f["src"] == sys.argv[1]]
assert 1 <= len(mine) <= 4, mine
print("    flows of the client: %d, connections counted: %d" % (len(mine), sum(f["count"] for f in mine)))' "$CL" \
  && pass "connections aggregated into at most --max-flows flows" || fail "aggregation"
finish
