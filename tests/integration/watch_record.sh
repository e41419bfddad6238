#!/usr/bin/env bash
# watch_record.sh - `comb watch --record` then `comb replay` as an
# unprivileged user gives the live run's alerts, line for line (JSON and
# text), with Falco's rules and comb's; truncated, corrupt and oversized
# recordings fail with a clear message and a documented exit code, never a
# crash. Needs root and podman (runc).
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/containers.bash"

RULES="$COMB_SHARED/data/falco-rules/falco_rules.yaml"
[ -r "$RULES" ] || { echo "FAIL: $RULES missing"; exit 1; }
chmod 755 "$TMP"
make_image
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# --- record a live attack: /etc/shadow read in a container and on the host ---
start_watch falco -q -r "$RULES" --record "$TMP/falco.rec"
start_watch builtin --record "$TMP/builtin.rec" -f text
"${PODMAN[@]}" run --rm "${RUNOPTS[@]}" "$IMAGE" cat /etc/shadow >/dev/null
cat /etc/shadow >/dev/null
wait_for "$TMP/falco.out" 'Sensitive file opened' || fail "live: no alert from Falco's rules"
wait_for "$TMP/builtin.out" 'shadow' || fail "live: no alert from comb's rules"
sleep 1
stop_watch falco; [ "$WRC" = 0 ] || fail "watch --record (falco): exit $WRC: $(tail -2 "$TMP/falco.err")"
stop_watch builtin; [ "$WRC" = 0 ] || fail "watch --record (builtin): exit $WRC: $(tail -2 "$TMP/builtin.err")"
grep -q 'recorded [1-9][0-9]* events' "$TMP/falco.err" && pass "watch says how many events it recorded" \
  || fail "no record counter: $(tail -3 "$TMP/falco.err")"
chmod 644 "$TMP"/*.rec

# --- replay without privileges: the same alerts ---
replay_same() { # LABEL RECORDING LIVE_OUTPUT [replay args...]
  local label=$1 rec=$2 live=$3; shift 3
  set +e
  "${NOBODY[@]}" "$COMB" replay "$@" "$rec" >"$TMP/replay.out" 2>"$TMP/replay.err"
  local rc=$?
  set -e
  [ "$rc" = 0 ] || { fail "$label: replay exit $rc: $(head -c 300 "$TMP/replay.err")"; return; }
  local n; n=$(wc -l <"$live")
  [ "$n" -gt 0 ] || { fail "$label: the live run had no alerts"; return; }
  if cmp -s "$live" "$TMP/replay.out"; then
    pass "$label: replay as nobody = live run ($n alert lines, same order)"
  else
    fail "$label: replay differs from the live run"
    diff "$live" "$TMP/replay.out" | head -10 | sed 's/^/    /'
  fi
}
replay_same "Falco rules, JSON" "$TMP/falco.rec" "$TMP/falco.out" -q -r "$RULES"
grep -q '"container.id":"[0-9a-f]\{12\}"' "$TMP/replay.out" && pass "replayed alert names the container" \
  || fail "no container id in the replayed alerts"
replay_same "built-in rules, text" "$TMP/builtin.rec" "$TMP/builtin.out" -f text
mkdir -m 777 "$TMP/w"
"${NOBODY[@]}" "$COMB" replay -q -r "$RULES" -o "$TMP/w/replay-o.json" "$TMP/falco.rec" 2>/dev/null \
  && cmp -s "$TMP/w/replay-o.json" "$TMP/falco.out" && pass "replay -o FILE" || fail "replay -o FILE differs"
# the same recording through other rules: still deterministic, twice the same
"$COMB" replay "$TMP/falco.rec" >"$TMP/r1" 2>/dev/null && "$COMB" replay "$TMP/falco.rec" >"$TMP/r2" 2>/dev/null \
  && cmp -s "$TMP/r1" "$TMP/r2" && [ -s "$TMP/r1" ] && pass "replay with other rules: deterministic" \
  || fail "replay with other rules not deterministic"

# --- hostile recordings ---
expect_replay() { # WANT_EXIT PATTERN LABEL FILE
  set +e
  "${NOBODY[@]}" "$COMB" replay "$4" >/dev/null 2>"$TMP/bad.err"
  local rc=$?
  set -e
  if [ "$rc" = "$1" ] && grep -Eq "$2" "$TMP/bad.err"; then pass "$3: exit $rc, $(grep error "$TMP/bad.err" | cut -c1-110)"
  else fail "$3: exit $rc (want $1): $(head -c 300 "$TMP/bad.err")"; fi
}
REC="$TMP/falco.rec"
: >"$TMP/empty.rec"; chmod 644 "$TMP/empty.rec"
expect_replay 1 'not a comb recording' "empty file" "$TMP/empty.rec"
printf 'GARBAGE!GARBAGE!' >"$TMP/magic.rec"
expect_replay 1 'not a comb recording' "wrong magic" "$TMP/magic.rec"
head -c 12 "$REC" >"$TMP/hdr.rec"
expect_replay 1 'truncated header' "truncated header" "$TMP/hdr.rec"
$PY - "$REC" "$TMP" <<'PYEOF'
import os, random, struct, sys
src, tmp = sys.argv[1:]
data = open(src, 'rb').read()
first = struct.unpack_from('<I', data, 16)[0]
def out(name, b):
    open(os.path.join(tmp, name), 'wb').write(b)
out('version.rec', data[:8] + struct.pack('<I', 99) + data[12:])
out('midrecord.rec', data[:16 + 4 + first // 2])
out('midlength.rec', data[:16 + 4 + first + 2])
out('oversized.rec', data[:16] + struct.pack('<I', 0xfffffff0) + data[20:])
out('zerolen.rec', data[:16] + struct.pack('<I', 0) + data[20:])
# a string length inside the first record pointing past its end
b = bytearray(data[:16 + 4 + first])
struct.pack_into('<I', b, 16 + 4 + 1 + 5 * 8, 0x7fffffff)
out('innerlen.rec', bytes(b))
random.seed(6)
for i in range(40):
    b = bytearray(data[:16 + 4 + first + 4096 * 4])
    for _ in range(random.randint(1, 8)):
        p = random.randrange(16, len(b))
        b[p] = random.randrange(256)
    out('fuzz%02d.rec' % i, bytes(b))
PYEOF
chmod 644 "$TMP"/*.rec
expect_replay 1 'version 99' "unknown version" "$TMP/version.rec"
expect_replay 1 'record 1: truncated' "truncated inside a record" "$TMP/midrecord.rec"
expect_replay 1 'record 2: truncated' "truncated inside a length" "$TMP/midlength.rec"
expect_replay 3 'record 1: length [0-9]+ outside' "oversized record" "$TMP/oversized.rec"
expect_replay 3 'outside 1\.\.' "zero-length record" "$TMP/zerolen.rec"
expect_replay 1 'record 1: truncated member' "string length past the record" "$TMP/innerlen.rec"
crashes=0
for f in "$TMP"/fuzz*.rec; do
  set +e
  timeout 60 "${NOBODY[@]}" "$COMB" replay -q -r "$RULES" "$f" >/dev/null 2>"$TMP/fz.err"
  rc=$?
  set -e
  case $rc in 0|1|3) ;; *) crashes=$((crashes + 1)); info "$(basename "$f"): exit $rc $(head -c 200 "$TMP/fz.err")" ;; esac
done
[ "$crashes" = 0 ] && pass "40 randomly corrupted recordings: exit 0, 1 or 3, no crash" \
  || fail "$crashes corrupted recordings crashed comb replay"

# usage
set +e
"$COMB" replay >/dev/null 2>&1; rc1=$?
"$COMB" replay a b >/dev/null 2>&1; rc2=$?
"$COMB" replay "$TMP/none.rec" >/dev/null 2>&1; rc3=$?
set -e
[ "$rc1$rc2$rc3" = 221 ] && pass "replay usage errors (2, 2) and a missing file (1)" \
  || fail "replay usage: exits $rc1 $rc2 $rc3"

finish
