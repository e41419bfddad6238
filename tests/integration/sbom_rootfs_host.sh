#!/usr/bin/env bash
# `comb sbom /` on the host: reports the host's own dpkg packages (== dpkg-query -W, installed ones),
# identifies the host OS, and does not descend into /proc, /sys or /dev (checked with a bait package
# in /dev/shm, with found_in paths, and — when strace is installed — with the directories comb opens).
. "$(dirname "$0")/lib/common.bash"
[ -s /var/lib/dpkg/status ] || { echo "SKIP: host has no dpkg database"; exit 0; }

BAIT=/dev/shm/comb-bait-$$
cleanup() { rm -rf "$BAIT" "$TMP"; }
trap cleanup EXIT
mkdir -p "$BAIT/app/node_modules/comb-bait-npm" "$BAIT/usr/lib/python3/dist-packages/comb_bait_py-6.6.6.dist-info"
printf '{"name": "comb-bait-npm", "version": "6.6.6"}\n' >"$BAIT/app/node_modules/comb-bait-npm/package.json"
printf 'Metadata-Version: 2.1\nName: comb-bait-py\nVersion: 6.6.6\n' >"$BAIT/usr/lib/python3/dist-packages/comb_bait_py-6.6.6.dist-info/METADATA"

OUT="$TMP/host.json"
tracer=()
if command -v strace >/dev/null; then
  tracer=(strace -f -qq -y -e trace=openat,open,getdents64 -o "$TMP/trace")
else
  info "strace not installed: the opened-directory check is skipped"
fi
set +e
# LeakSanitizer cannot run under ptrace (strace); leaks are checked by the other tests.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" timeout -s KILL 900 /usr/bin/time -f '%M %e' -o "$TMP/time" "${tracer[@]}" \
  "$COMB" sbom --format json -o "$OUT" / 2>"$TMP/stderr"
RC=$?
set -e
read -r rss secs < <(tail -n 1 "$TMP/time" 2>/dev/null) || true
[[ ${rss:-} =~ ^[0-9]+$ ]] || { rss=0; secs=?; }
info "comb sbom / -> exit $RC in ${secs}s, peak RSS $((rss / 1024)) MB (incl. strace if used)"
info "$(grep -c '^comb: warning: ' "$TMP/stderr" || true) warnings: $(grep -m3 '^comb: warning: ' "$TMP/stderr" | tr '\n' ' ' || true)"
if [ "$RC" -ne 0 ] || ! $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null; then
  fail "comb sbom / exited $RC without a JSON report: $(head -c 400 "$TMP/stderr")"
  finish
fi

dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n' \
  | awk -F'\t' 'BEGIN{OFS="\t"} $1=="ii " {print $2, $3, $4, $5, $6}' >"$TMP/expected"
$PY "$SBOMTOOL" pkgs "$OUT" name,version,source_name,source_version,arch dpkg >"$TMP/actual"
compare "host dpkg packages == dpkg-query -W (installed)" "$TMP/expected" "$TMP/actual"

src=$($PY "$SBOMTOOL" get "$OUT" source)
[ "$src" = rootfs ] && pass "source=rootfs" || fail "source is '$src', want rootfs"
got="$($PY "$SBOMTOOL" get "$OUT" os.id)/$($PY "$SBOMTOOL" get "$OUT" os.version_id)"
want="$(. /etc/os-release; echo "$ID/$VERSION_ID")"
[ "$got" = "$want" ] && pass "os $got" || fail "os is '$got', want '$want'"

bad=$($PY "$SBOMTOOL" pkgs "$OUT" type,name,version,found_in | awk -F'\t' '$4 ~ /^(proc|sys|dev)(\/|$)/' | head -n 10)
[ -z "$bad" ] && pass "no package found under proc/, sys/ or dev/" \
  || { fail "packages found under /proc, /sys or /dev:"; echo "$bad" | sed 's/^/    /'; }
if $PY "$SBOMTOOL" pkgs "$OUT" name | grep -q '^comb-bait'; then fail "bait package in /dev/shm was reported"; else pass "bait package in /dev/shm not reported"; fi

if [ -s "$TMP/trace" ]; then
  $PY - "$TMP/trace" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import re, sys
# opened paths (absolute, or dirfd path + relative name) and directories listed with getdents64
allowed = re.compile(r"^/(dev/(null|u?random|tty|zero|stdin|stdout|stderr|fd/\d+)|proc/self/|proc/thread-self/|"
                     r"proc/(meminfo|cpuinfo|stat|filesystems|mounts)$|sys/devices/system/cpu/|sys/fs/cgroup/|"
                     # the sanitizer runtime reads its own /proc/PID/ files
                     r"proc/\d+/(cmdline|environ|maps|auxv|status|stat)$)")
inside = re.compile(r"^/(proc|sys|dev)(/|$)")
hits = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r'\b(?:openat|open)\(.*\) = \d+<([^>]*)>\s*$', line)   # resolved path of the new fd
    if not m:
        m = re.search(r'\bgetdents64\(\d+<([^>]*)>', line)
    if not m:
        continue
    p = m.group(1)
    if inside.match(p) and not allowed.match(p):
        hits.add(p)
if hits:
    print("FAIL: comb opened/listed %d paths under /proc, /sys or /dev, e.g.:" % len(hits))
    for h in sorted(hits)[:15]:
        print("    " + h)
    sys.exit(1)
print("ok:   strace: nothing under /proc, /sys or /dev opened or listed")
PYEOF
fi
finish
