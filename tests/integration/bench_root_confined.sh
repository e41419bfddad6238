#!/usr/bin/env bash
# bench_root_confined: with --root DIR nothing outside DIR is read, even
# through symlinks inside DIR that point at / or climb out with "..":
#  - behaviour: each planted link would change a verdict if it were followed
#    on this host; the verdicts show it was resolved inside DIR;
#  - syscalls: under strace, every lookup of a host file is either the
#    program's own loading (libraries, locale) or an openat2() relative to
#    the root directory with RESOLVE_IN_ROOT.
source "$(dirname "$0")/lib/common.bash"
R=$TMP/root
OUTSIDE=$TMP/outside
mkdir -p "$R/etc/docker" "$R/usr/bin" "$R/var/lib" "$OUTSIDE"
touch "$R/usr/bin/dockerd" "$R/usr/bin/podman"
# 1. an absolute link to a file outside: that file would make docker-2.2 PASS
echo '{"icc": false}' >"$OUTSIDE/daemon.json"
ln -s "$OUTSIDE/daemon.json" "$R/etc/docker/daemon.json"
# 2. a link to "/" : inside the root it is the root itself, so podman's store
#    is read from DIR/storage, never from this host's /var/lib/containers
ln -s / "$R/var/lib/containers"
mkdir -p "$R/storage/overlay-containers/$(printf 'e%.0s' {1..64})/userdata"
ID=$(printf 'e%.0s' {1..64})
echo '[{"id":"'$ID'","names":["inside-only"]}]' >"$R/storage/overlay-containers/containers.json"
echo '{"process":{"user":{"uid":1000}},"root":{"readonly":true},"linux":{"namespaces":[{"type":"pid"}]}}' \
  >"$R/storage/overlay-containers/$ID/userdata/config.json"
# 3. ".." climbing out: DIR/etc/containers -> this host's /etc/containers
ln -s ../../../../../../../../../../etc/containers "$R/etc/containers"
# 4. a link to the host's /etc/shadow by its absolute name
ln -s /etc/shadow "$R/etc/shadow"
# 5. /etc/passwd of the root names uid 0 differently from the host
echo 'toor:x:0:0::/:/bin/sh' >"$R/etc/passwd"
mkdir -p "$R/lib/systemd/system"
printf '[Service]\nExecStart=/usr/bin/dockerd\n' >"$R/lib/systemd/system/docker.service"
chmod 600 "$R/usr/bin/dockerd"

"$COMB" bench all --root "$R" -f json -o "$TMP/out.json" 2>"$TMP/err" || fail "comb bench --root exited $?: $(head -c 300 "$TMP/err")"
$PY - "$TMP/out.json" "$OUTSIDE" <<'PY' || fail "a verdict shows a read outside the root"
import json, sys
doc = json.load(open(sys.argv[1]))
res = {(r["id"], r["target"]): r for r in doc["results"]}
ok = True
def want(cid, status, target=None, reason_has=None, reason_lacks=None):
    global ok
    r = res.get((cid, target))
    if not r or r["status"] != status or (reason_has and reason_has not in r["reason"]) \
            or (reason_lacks and reason_lacks in r["reason"]):
        print("    %s: %s" % (cid, r and (r["status"], r["reason"])))
        ok = False
# 1: the outside daemon.json (icc false) was not read
want("docker-2.2", "FAIL", reason_has="no such file")
# 2: the only container is the one under DIR/storage
names = sorted(c["name"] for c in doc["containers"])
if names != ["inside-only"]:
    print("    containers found:", names); ok = False
want("ct-5.21", "PASS", target="podman/inside-only")
# 3: this host's /etc/containers/policy.json was not read
want("podman-2.1", "NOT-APPLICABLE", reason_lacks="insecureAcceptAnything")
want("podman-1.5", "NOT-APPLICABLE")
# 4: this host's /etc/shadow was not looked at
want("host-3.4", "NOT-APPLICABLE")
want("host-3.5", "NOT-APPLICABLE")
# 5: owners are named from DIR/etc/passwd (uid 0 is "toor", gid 0 unnamed)
want("docker-3.1", "FAIL", reason_has="owner = toor:0")
# live-only sources are not evaluated: processes, /proc/sys, /sys
for cid in ("host-1.2", "host-2.2"):
    r = res.get((cid, None))
    if not r or r["status"] == "PASS" and "configured" not in r["reason"] and "grub" not in r["reason"]:
        print("    %s read the live host: %s" % (cid, r)); ok = False
sys.exit(0 if ok else 1)
PY
[ "$FAILURES" -eq 0 ] && pass "symlinks to /, absolute and '..' links all resolve inside the root"

# The same run under strace: only the program's own files are opened by
# absolute path; every host file goes through openat2(root fd, RESOLVE_IN_ROOT).
if command -v strace >/dev/null; then
  # LeakSanitizer cannot run under ptrace: leaks are checked by the run above
  set +e
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -e trace=%file,openat2 -o "$TMP/trace" "$COMB" bench all --root "$R" -o /dev/null 2>"$TMP/strace.err"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "comb under strace exited $rc: $(head -c 300 "$TMP/strace.err")"
  $PY - "$TMP/trace" "$R" <<'PY' || fail "a file outside the root was looked up"
import re, sys
trace, root = open(sys.argv[1]).read().splitlines(), sys.argv[2]
allowed = re.compile(r'^(/etc/ld\.so\.(cache|preload)|/lib|/usr/lib|/lib64|/etc/localtime|/usr/share/zoneinfo'
                     r'|/etc/gnutls/|/etc/ssl/|/usr/share/locale|/dev/urandom|/dev/null|/sys/devices/system/cpu'
                     # the sanitizers' own view of the process (ASan builds)
                     r'|/proc/self/(maps|smaps|cmdline|environ|exe|status|auxv)$)')
bad, rootfd, confined = [], None, 0
for line in trace:
    m = re.search(r'(\w+)\((AT_FDCWD|\d+)?,? ?"([^"]*)"', line)
    if not m or m.group(1) in ("execve",):
        continue
    call, fd, path = m.groups()
    if call == "openat2":
        if "RESOLVE_IN_ROOT" not in line or fd != rootfd:
            bad.append(line)
        confined += 1
    elif path == root:
        rootfd = re.search(r'= (\d+)$', line).group(1)
    elif path.startswith("/") and not allowed.match(path):
        bad.append(line)
    elif not path.startswith("/") and path and fd == "AT_FDCWD":
        bad.append(line)
for l in bad[:20]:
    print("    outside the root:", l)
print("    %d confined lookups" % confined)
sys.exit(1 if bad or confined < 50 else 0)
PY
  [ "$FAILURES" -eq 0 ] && pass "strace: every host lookup is confined to the root"
else
  fail "strace is not installed"
fi
finish
