#!/usr/bin/env bash
# watch_attacks.sh - `comb watch` sees real attacks, in podman containers and
# on the host, with Falco's own stable rules (and with comb's built-in rules),
# and names the right container and process; a few benign commands fire
# nothing (watch_benign.sh runs a larger benign workload). Needs root (BPF),
# podman with runc, busybox-static, openssh-client, e2fsprogs (debugfs) and
# iproute2; fails (never skips) without them.
. "$(dirname "$0")/lib/common.bash"

. "$(dirname "$0")/lib/watch.bash"
NETNS="comb-watch-$$"
LOGDIR="/var/log/comb-watch-$$"
for t in ssh debugfs shred ip ldd; do
  command -v "$t" >/dev/null || { echo "FAIL: $t missing (scripts/setup installs it)"; exit 1; }
done

attacks_cleanup() {
  ip netns del "$NETNS" 2>/dev/null || true
  rm -rf "$LOGDIR" /dev/shm/comb-true-$$
}
CLEANUP_EXTRA=attacks_cleanup

# --- a test image: busybox plus a static helper that performs the attacks ---
cat >"$TMP/attack.c" <<'EOF'
/* attack packet|ptrace|traceme|module|memfd PROG|lateread FILE SECS: one behaviour each */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "packet"))
        return socket(AF_PACKET, SOCK_RAW, 0) < 0; /* the attempt is what counts */
    if (!strcmp(argv[1], "traceme")) /* anti-debugging: ask the parent to trace us */
        return ptrace(PTRACE_TRACEME, 0, 0, 0) != 0;
    if (!strcmp(argv[1], "lateread") && argc > 3) { /* a server reading a file after startup */
        sleep((unsigned)atoi(argv[3]));
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) { perror("open"); return 1; }
        close(fd);
        return 0;
    }
    if (!strcmp(argv[1], "module")) /* no module: the attempt fails with EBADF */
        return syscall(SYS_finit_module, -1, "", 0) == 0;
    if (!strcmp(argv[1], "ptrace")) {
        pid_t c = fork();
        if (c == 0) { pause(); _exit(0); }
        if (ptrace(PTRACE_ATTACH, c, 0, 0)) { perror("ptrace"); return 1; }
        waitpid(c, NULL, 0);
        ptrace(PTRACE_DETACH, c, 0, 0);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        return 0;
    }
    if (!strcmp(argv[1], "memfd") && argc > 2) {
        int in = open(argv[2], O_RDONLY), m = memfd_create("payload", 0);
        char buf[65536]; ssize_t n;
        if (in < 0 || m < 0) { perror("memfd"); return 1; }
        while ((n = read(in, buf, sizeof buf)) > 0) if (write(m, buf, n) != n) return 1;
        char *args[] = { "payload", "true", NULL }, *env[] = { NULL };
        fexecve(m, args, env);
        perror("fexecve");
        return 1;
    }
    return 2;
}
EOF
gcc -static -O2 -o "$TMP/attack" "$TMP/attack.c" || { echo "FAIL: cannot build the helper"; exit 1; }
busybox_root "$TMP/root"
cp "$TMP/attack" "$TMP/root/bin/attack"
# a stand-in for a long-running server (the name is what Falco's rule knows)
mkdir -p "$TMP/root/usr/sbin" "$TMP/root/var/log" "$TMP/root/www/cgi-bin" "$TMP/root/root" "$TMP/root/mnt"
cp "$TMP/attack" "$TMP/root/usr/sbin/nginx"
# the host's ssh client and debugfs with the libraries they load
for b in "$(command -v ssh)" "$(command -v debugfs)"; do
  cp -L --parents "$b" "$TMP/root/"
  for l in $(ldd "$b" | grep -o '/[^ ]*'); do cp -L --parents "$l" "$TMP/root/" 2>/dev/null || true; done
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\n' >"$TMP/root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n' >"$TMP/root/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$TMP/root/etc/shadow"
echo 'Nov 28 00:00:00 host app: started' >"$TMP/root/var/log/syslog"
# an ssh server (OpenSSH's sshd from Debian's openssh-server package, taken
# from apt's cache or fetched with apt-get download: installing it on the host
# would start a host sshd) where the system account www-data has a key
SSHX="$TMP/sshd-x"
for p in openssh-server libwrap0; do
  deb=$(ls /var/cache/apt/archives/${p}_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    mkdir -p "$TMP/debs"
    (cd "$TMP/debs" && apt-get download "$p" >/dev/null 2>&1) || { echo "FAIL: cannot get the $p package"; exit 1; }
    deb=$(ls "$TMP/debs/${p}"_*.deb | head -1)
  fi
  dpkg-deb -x "$deb" "$SSHX"
done
cp "$SSHX/usr/sbin/sshd" "$TMP/root/usr/sbin/sshd"
for l in $(LD_LIBRARY_PATH="$SSHX/usr/lib/x86_64-linux-gnu" ldd "$SSHX/usr/sbin/sshd" | grep -o '/[^ ]*'); do
  case "$l" in
    "$SSHX"/*) mkdir -p "$TMP/root/$(dirname "${l#"$SSHX"}")"; cp -L "$l" "$TMP/root/${l#"$SSHX"}" ;;
    *) cp -L --parents "$l" "$TMP/root/" 2>/dev/null || true ;;
  esac
done
mkdir -p "$TMP/root/etc/ssh/keys" "$TMP/root/run/sshd" "$TMP/root/root/.ssh" "$TMP/root/var/www"
chmod 755 "$TMP/root/run/sshd"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/root/etc/ssh/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/root/root/.ssh/id_ed25519"
cp "$TMP/root/root/.ssh/id_ed25519.pub" "$TMP/root/etc/ssh/keys/www-data"
printf '%s\n' 'Port 2222' 'ListenAddress 127.0.0.1' 'HostKey /etc/ssh/ssh_host_ed25519_key' \
  'UsePAM no' 'StrictModes no' 'PermitRootLogin no' 'PasswordAuthentication no' \
  'AuthorizedKeysFile /etc/ssh/keys/%u' 'PidFile /run/sshd.pid' 'LogLevel ERROR' \
  >"$TMP/root/etc/ssh/sshd_config"
# a CGI with a command injection: the query string goes to a shell
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\n/bin/sh -c "$QUERY_STRING"\n' >"$TMP/root/www/cgi-bin/run.cgi"
chmod 755 "$TMP/root/www/cgi-bin/run.cgi"
import_image "$TMP/root"

# --- two watchers: Falco's stable rules, and comb's built-in rules ---
start_watchers

# --- the behaviours ---
# a "server" that has been running for 6 s reads /etc/shadow (started first,
# collected at the end)
LATE="comb-$TEST_NAME-late-$$"
CONTAINERS+=("$LATE")
"${PODMAN[@]}" run -d --name "$LATE" "${RUNOPTS[@]}" "$IMAGE" nginx lateread /etc/shadow 6 >"$TMP/id.late"
ID_LATE=$(cat "$TMP/id.late")
ID_TTY=$(run_container tty -t "$IMAGE" sh -c 'exit 0')
ID_SHADOW=$(run_container shadow "$IMAGE" cat /etc/shadow)
ID_RELATIVE=$(run_container relative -w /etc "$IMAGE" sh -c 'cd /etc && exec cat shadow')
ID_PACKET=$(run_container packet "$IMAGE" attack packet)
ID_NC=$(run_container nc "$IMAGE" nc 127.0.0.1 9 -e /bin/true)
# a reverse shell's shape: nc connects and puts the socket on stdin/stdout
# (dup2) for the program; retried until the listener is up
ID_REVERSE=$(run_container reverse "$IMAGE" sh -c 'nc -l -p 9999 >/dev/null & i=0
  until nc 127.0.0.1 9999 -e /bin/true 2>/dev/null || [ $i -ge 100 ]; do i=$((i+1)); sleep 0.1; done; wait')
ID_PTRACE=$(run_container ptrace --cap-add SYS_PTRACE "$IMAGE" attack ptrace)
ID_MEMFD=$(run_container memfd "$IMAGE" attack memfd /bin/busybox)
ID_DROP=$(run_container drop "$IMAGE" sh -c 'cp /bin/attack /tmp/dropped && /tmp/dropped nothing')
ID_MODULE=$(run_container module --cap-add SYS_MODULE "$IMAGE" attack module)
# a traversal from a program that is not a shell
ID_TRAVERSAL=$(run_container traversal "$IMAGE" cat /var/../etc/../etc/shadow)
ID_KEYS=$(run_container keys "$IMAGE" find / -xdev -name id_rsa)
ID_AWS=$(run_container aws "$IMAGE" find / -xdev -path '*/.aws/credentials')
ID_LOG=$(run_container log "$IMAGE" sh -c ': > /var/log/syslog')
# (busybox sh runs applets named without a path through /proc/self/exe, whose
# process name is then "exe": the commands below name their programs by path)
ID_SHRED=$(run_container shred "$IMAGE" sh -c 'echo secret >/tmp/data && /bin/shred -u /tmp/data')
ID_LINKS=$(run_container links "$IMAGE" sh -c 'ln -s /etc/shadow /tmp/sym && ln /etc/shadow /tmp/hard')
ID_TRACEME=$(run_container traceme "$IMAGE" attack traceme)
# /dev/shm: a shell told to run a script there (podman mounts it noexec, the
# attempt is what the rule sees)
ID_SHM=$(run_container shm "$IMAGE" sh -c 'printf "#!/bin/sh\ntrue\n" >/dev/shm/run.sh; chmod +x /dev/shm/run.sh; /bin/sh -c /dev/shm/run.sh; true')
# remote code execution through a web server: httpd runs a CGI that runs a shell
ID_CGI=$(run_container cgi "$IMAGE" sh -c '/bin/httpd -p 127.0.0.1:8080 -h /www; i=0
  until wget -q -O /dev/null "http://127.0.0.1:8080/cgi-bin/run.cgi?id" || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.1; done')
# a system account (nobody) running login
ID_SYSUSER=$(run_container sysuser "$IMAGE" sh -c 'su -s /bin/sh nobody -c "/bin/timeout 5 /bin/login -h comb" </dev/null; true')
# the system account www-data runs a command over ssh (sshd in the container)
ID_SSHD=$(run_container sshd "$IMAGE" sh -c "/usr/sbin/sshd -e -f /etc/ssh/sshd_config || exit 1; i=0
  until /usr/bin/ssh -i /root/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -p 2222 www-data@127.0.0.1 /bin/sh -c true || [ \$i -ge 50 ]; do i=\$((i+1)); sleep 0.1; done; echo tries \$i")
info "sshd container: $(tail -2 "$TMP/comb-$TEST_NAME-sshd-$$.out" | tr '\n' ' ')"
# privileged: debugfs, and a cgroup v1 release_agent opened for writing (a
# named v1 hierarchy when the kernel has cgroup v1, else a file of that name)
ID_DEBUGFS=$(run_container debugfs --privileged "$IMAGE" debugfs -V)
ID_DEBUGFS_UNPRIV=$(run_container debugfs-unpriv "$IMAGE" debugfs -V)
ID_RELEASE=$(run_container release --privileged "$IMAGE" sh -c 'mkdir -p /mnt/cg
  if /bin/mount -t cgroup -o none,name=comb-watch cgroup /mnt/cg; then
    echo /nonexistent-comb-agent >/mnt/cg/release_agent; echo "cgroup v1 mounted"; /bin/umount /mnt/cg
  else : >/tmp/release_agent; echo "no cgroup v1: a file named release_agent"; fi')
info "release_agent container: $(cat "$TMP/comb-$TEST_NAME-release-$$.out")"
# ssh to port 443 of an address (TEST-NET-2, not loopback: the rule ignores
# loopback, though on the namespace's lo device) in a network namespace of the test's own, from a container in it
# and from the host; a listener there accepts the connection
ip netns add "$NETNS"
ip -n "$NETNS" addr add 198.51.100.2/32 dev lo
ip -n "$NETNS" link set lo up
SSH_OPTS="-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p 443"
# (each client waits, bounded, until its listener is up: a refused connect
# is not "outbound" for Falco)
WAIT_443='i=0; until netstat -ltn | grep -q ":443 " || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.1; done'
ID_SSH=$(run_container ssh --network "ns:/run/netns/$NETNS" "$IMAGE" sh -c "timeout 6 nc -l -p 443 </dev/null & $WAIT_443
  timeout 4 ssh $SSH_OPTS comb@198.51.100.2 true; wait; true")
# a container reaching for the Kubernetes API's port (6443) in the same
# namespace; Falco's rule needs fd.sip.name = kubernetes.default.svc.cluster.local,
# a name only cluster DNS resolves: it cannot fire here
ID_K8S=$(run_container k8s --network "ns:/run/netns/$NETNS" "$IMAGE" sh -c "timeout 4 nc -l -p 6443 </dev/null >/dev/null & sleep 0.5
  timeout 2 /bin/nc 198.51.100.2 6443 </dev/null; wait; true")
ip netns exec "$NETNS" timeout 6 busybox nc -l -p 443 </dev/null >/dev/null &
ip netns exec "$NETNS" busybox sh -c "$WAIT_443"
ip netns exec "$NETNS" timeout 4 ssh $SSH_OPTS comb@198.51.100.2 true 2>/dev/null || true
wait $! 2>/dev/null || true
find /etc -xdev -maxdepth 2 -name id_rsa >/dev/null 2>&1 || true
grep -rl "BEGIN RSA PRIVATE" /etc/ssh >/dev/null 2>&1 || true
grep -ri aws_secret_access_key /etc/hostname >/dev/null 2>&1 || true
mkdir -p "$LOGDIR" && echo old >"$LOGDIR/syslog" && : >"$LOGDIR/syslog"
echo secret >"$TMP/data" && shred -u "$TMP/data"
ln -s /etc/shadow "$TMP/sym"
ln /etc/shadow "$TMP/hard" 2>/dev/null || true # EXDEV across filesystems: the attempt counts
"$TMP/attack" traceme
cp /bin/true /dev/shm/comb-true-$$ && /dev/shm/comb-true-$$
cat /etc/shadow >/dev/null
(cd / && cd etc && cat shadow >/dev/null)
cat /etc/../etc/shadow >/dev/null
timeout 60 cat /var/../etc/../etc/shadow >/dev/null # a traversal, not started by a shell
# openat(dirfd of /etc, "shadow"): only the kernel knows what the dirfd names
# (three times: one run on a loaded CI machine missed it once; the cause is
# not pinned down, likely the user-memory read of the name at syscall exit)
for _ in 1 2 3; do
  $PY -c 'import os; d = os.open("/etc", os.O_RDONLY); os.close(os.open("shadow", os.O_RDONLY, dir_fd=d))' dirfd-open
done
"$TMP/attack" ptrace
$PY - <<'EOF'
import os, socket
socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
# fileless: copy /bin/true into a memfd and execute it from there
fd = os.memfd_create("hostpayload", 0)
os.write(fd, open("/bin/true", "rb").read())
pid = os.fork()
if pid == 0:
    os.execve(fd, ["hostpayload", "fileless"], {})
os.waitpid(pid, 0)
EOF
# benign: must fire nothing
ls -la /usr/bin >/dev/null
gcc --version >/dev/null
dpkg -l >/dev/null

timeout 30 "${PODMAN[@]}" wait "$LATE" >/dev/null || true
sleep 1 # the last records reach the watchers
stop_watchers

# expect FILE RULE CONTAINER PROC.NAME CMDLINE-SUBSTRING [FIELD=VALUE...]
expect() {
  local out
  if out=$($PY - "$@" <<'EOF'
import json, sys
path, rule, cid, name, cmd = sys.argv[1:6]
extra = dict(a.split("=", 1) for a in sys.argv[6:])
cid = cid if cid == "host" else cid[:12]
seen = []
for line in open(path):
    a = json.loads(line)
    for k in ("time", "rule", "priority", "source", "hostname", "output", "output_fields", "tags"):
        if k not in a:
            print("alert without", k, line); sys.exit(1)
    f = a["output_fields"]
    if a["rule"] != rule:
        continue
    seen.append("%s %s %s" % (f.get("container.id"), f.get("proc.name"), f.get("proc.cmdline")))
    if f.get("container.id") != cid or f.get("proc.name") != name:
        continue
    if cmd not in (f.get("proc.cmdline") or ""):
        continue
    if any(str(f.get(k)) != v for k, v in extra.items()):
        continue
    if a["source"] != "syscall":
        continue
    sys.exit(0)
print("; ".join(seen[:8]) or "no alert of this rule")
sys.exit(1)
EOF
  ); then
    pass "$(basename "$1" .json): $2: $4 in ${3:0:12}"
  else
    fail "$(basename "$1" .json): $2 for $4 in ${3:0:12} not reported (seen: $out)"
  fi
}
F="$TMP/falco.json"
expect "$F" "Terminal shell in container" "$ID_TTY" sh "sh -c exit 0"
expect "$F" "Read sensitive file untrusted" "$ID_SHADOW" cat "cat /etc/shadow" fd.name=/etc/shadow user.name=root
expect "$F" "Read sensitive file untrusted" host cat "cat /etc/shadow" fd.name=/etc/shadow
# a relative path is resolved against the working directory the kernel reports
expect "$F" "Read sensitive file untrusted" "$ID_RELATIVE" cat "cat shadow" fd.name=/etc/shadow
expect "$F" "Read sensitive file untrusted" host cat "cat shadow" fd.name=/etc/shadow
# fd.name is cleaned of "..", fd.nameraw keeps what was passed
expect "$F" "Read sensitive file untrusted" host cat "cat /etc/../etc/shadow" fd.name=/etc/shadow
expect "$F" "Directory traversal monitored file read" host cat "cat /var/../etc/../etc/shadow" \
  fd.name=/etc/shadow fd.nameraw=/var/../etc/../etc/shadow
expect "$F" "Packet socket created in container" "$ID_PACKET" attack "attack packet"
expect "$F" "Netcat Remote Code Execution in Container" "$ID_NC" nc "nc 127.0.0.1 9 -e /bin/true"
expect "$F" "Redirect STDOUT/STDIN to Network Connection in Container" "$ID_REVERSE" nc "nc 127.0.0.1 9999 -e /bin/true" fd.type=ipv4
expect "$F" "PTRACE attached to process" "$ID_PTRACE" attack "attack ptrace"
expect "$F" "PTRACE attached to process" host attack "attack ptrace"
expect "$F" "Drop and execute new binary in container" "$ID_DROP" dropped "dropped nothing" proc.exepath=/tmp/dropped
expect "$F" "Linux Kernel Module Injection Detected" "$ID_MODULE" attack "attack module"
expect "$F" "Fileless execution via memfd_create" "$ID_MEMFD" "memfd:payload" "payload true"
expect "$F" "Fileless execution via memfd_create" host "memfd:hostpaylo" "memfd:hostpaylo fileless"
expect "$F" "Directory traversal monitored file read" "$ID_TRAVERSAL" cat "cat /var/../etc/../etc/shadow" fd.name=/etc/shadow
expect "$F" "Read sensitive file trusted after startup" "$ID_LATE" nginx "nginx lateread /etc/shadow 6" fd.name=/etc/shadow
expect "$F" "Search Private Keys or Passwords" "$ID_KEYS" find "find / -xdev -name id_rsa"
expect "$F" "Search Private Keys or Passwords" host find "find /etc -xdev -maxdepth 2 -name id_rsa"
expect "$F" "Search Private Keys or Passwords" host grep "grep -rl BEGIN RSA PRIVATE /etc/ssh"
expect "$F" "Find AWS Credentials" "$ID_AWS" find "find / -xdev -path */.aws/credentials"
expect "$F" "Find AWS Credentials" host grep "grep -ri aws_secret_access_key"
expect "$F" "Clear Log Activities" "$ID_LOG" sh "sh -c : > /var/log/syslog" fd.name=/var/log/syslog
expect "$F" "Clear Log Activities" host bash "" fd.name="$LOGDIR/syslog"
expect "$F" "Remove Bulk Data from Disk" "$ID_SHRED" shred "shred -u /tmp/data"
expect "$F" "Remove Bulk Data from Disk" host shred "shred -u $TMP/data"
expect "$F" "Create Symlink Over Sensitive Files" "$ID_LINKS" ln "ln -s /etc/shadow /tmp/sym" evt.arg.target=/etc/shadow
expect "$F" "Create Symlink Over Sensitive Files" host ln "ln -s /etc/shadow" evt.arg.target=/etc/shadow
expect "$F" "Create Hardlink Over Sensitive Files" "$ID_LINKS" ln "ln /etc/shadow /tmp/hard" evt.arg.oldpath=/etc/shadow
expect "$F" "Create Hardlink Over Sensitive Files" host ln "ln /etc/shadow" evt.arg.oldpath=/etc/shadow
expect "$F" "PTRACE anti-debug attempt" "$ID_TRACEME" attack "attack traceme"
expect "$F" "PTRACE anti-debug attempt" host attack "attack traceme"
expect "$F" "Execution from /dev/shm" "$ID_SHM" sh "sh -c /dev/shm/run.sh"
expect "$F" "Execution from /dev/shm" host "comb-true-$$" "comb-true-$$" proc.exepath=/dev/shm/comb-true-$$
expect "$F" "Run shell untrusted" "$ID_CGI" sh "sh -c id" proc.pname=run.cgi
expect "$F" "System user interactive" "$ID_SYSUSER" login "login -h comb" user.name=nobody
expect "$F" "System user interactive" "$ID_SSHD" sh "sh -c /bin/sh -c true" user.name=www-data proc.pname=sshd
expect "$F" "Debugfs Launched in Privileged Container" "$ID_DEBUGFS" debugfs "debugfs -V"
expect "$F" "Detect release_agent File Container Escapes" "$ID_RELEASE" sh "sh -c"
expect "$F" "Disallowed SSH Connection Non Standard Port" "$ID_SSH" ssh "ssh $SSH_OPTS" fd.rport=443
expect "$F" "Disallowed SSH Connection Non Standard Port" host ssh "ssh $SSH_OPTS" fd.rport=443
B="$TMP/builtin.json"
expect "$B" "Sensitive file read through a path traversal" "$ID_TRAVERSAL" cat "cat /var/../etc/../etc/shadow" fd.name=/etc/shadow
expect "$B" "Sensitive file read through a path traversal" host cat "cat /var/../etc/../etc/shadow" fd.name=/etc/shadow
expect "$B" "Sensitive file read by a long-running server" "$ID_LATE" nginx "nginx lateread /etc/shadow 6"
expect "$B" "Search for private keys" "$ID_KEYS" find "find / -xdev -name id_rsa"
expect "$B" "Search for private keys" host grep "grep -rl BEGIN RSA PRIVATE /etc/ssh"
expect "$B" "Search for cloud credentials" "$ID_AWS" find "find / -xdev -path */.aws/credentials"
expect "$B" "Search for cloud credentials" host grep "grep -ri aws_secret_access_key"
expect "$B" "Log file cleared" "$ID_LOG" sh "sh -c : > /var/log/syslog" fd.name=/var/log/syslog
expect "$B" "Log file cleared" host bash "" fd.name="$LOGDIR/syslog"
expect "$B" "Data wiping program executed" "$ID_SHRED" shred "shred -u /tmp/data"
expect "$B" "Data wiping program executed" host shred "shred -u $TMP/data"
expect "$B" "Symlink to a sensitive file" "$ID_LINKS" ln "ln -s /etc/shadow /tmp/sym"
expect "$B" "Symlink to a sensitive file" host ln "ln -s /etc/shadow"
expect "$B" "Hardlink to a sensitive file" "$ID_LINKS" ln "ln /etc/shadow /tmp/hard"
expect "$B" "Hardlink to a sensitive file" host ln "ln /etc/shadow"
expect "$B" "Anti-debugging with ptrace" "$ID_TRACEME" attack "attack traceme"
expect "$B" "Anti-debugging with ptrace" host attack "attack traceme"
expect "$B" "Program executed from /dev/shm" "$ID_SHM" sh "sh -c /dev/shm/run.sh"
expect "$B" "Program executed from /dev/shm" host "comb-true-$$" "comb-true-$$" proc.exepath=/dev/shm/comb-true-$$
expect "$B" "Shell started by a server" "$ID_CGI" sh "sh -c id"
expect "$B" "System account ran an interactive program" "$ID_SYSUSER" login "login -h comb" user.name=nobody
expect "$B" "System account ran an interactive program" "$ID_SSHD" sh "sh -c /bin/sh -c true" user.name=www-data
expect "$B" "Debugfs in a privileged container" "$ID_DEBUGFS" debugfs "debugfs -V"
expect "$B" "Cgroup release_agent opened for writing in a container" "$ID_RELEASE" sh "sh -c"
if grep -q "cgroup v1 mounted" "$TMP/comb-$TEST_NAME-release-$$.out"; then
  expect "$B" "Filesystem mounted in a container" "$ID_RELEASE" mount "mount -t cgroup -o none,name=comb-watch cgroup /mnt/cg" evt.arg.dir=/mnt/cg
fi
expect "$B" "SSH connection to a non-standard port" "$ID_SSH" ssh "ssh $SSH_OPTS" fd.sport=443
expect "$B" "SSH connection to a non-standard port" host ssh "ssh $SSH_OPTS" fd.sport=443
expect "$B" "Connection to the Kubernetes API from a container" "$ID_K8S" nc "nc 198.51.100.2 6443" fd.sport=6443
expect "$B" "Standard input or output redirected to a socket in a container" "$ID_REVERSE" nc "nc 127.0.0.1 9999 -e /bin/true"
expect "$B" "Kernel module load from a container" "$ID_MODULE" attack "attack module"
expect "$B" "Process attached with ptrace" "$ID_PTRACE" attack "attack ptrace"
expect "$B" "Packet socket created" "$ID_PACKET" attack "attack packet"
expect "$B" "Executable not in the container image" "$ID_DROP" dropped "dropped nothing" proc.exepath=/tmp/dropped
expect "$B" "Shell with a terminal in a container" "$ID_TTY" sh "sh -c exit 0"
expect "$B" "Sensitive file opened for reading" "$ID_SHADOW" cat "cat /etc/shadow"
expect "$B" "Sensitive file opened for reading" host cat "cat /etc/shadow"
expect "$B" "Sensitive file opened for reading" host python3 "dirfd-open" fd.name=/etc/shadow
expect "$B" "Packet socket created" host python3 "python3 -"
expect "$B" "Process attached with ptrace" host attack "attack ptrace"
expect "$B" "Program executed from memory" "$ID_MEMFD" "memfd:payload" "payload true"
expect "$B" "Netcat with command execution" "$ID_NC" nc "nc 127.0.0.1 9 -e /bin/true"
expect "$B" "Program executed from memory" host "memfd:hostpaylo" "memfd:hostpaylo fileless"

# the podman container's name and image come from podman's state
if $PY - "$F" "$ID_SHADOW" "comb-$TEST_NAME-shadow-$$" "${IMAGE%:*}" <<'EOF'
import json, sys
path, cid, name, repo = sys.argv[1:]
for line in open(path):
    f = json.loads(line)["output_fields"]
    if f.get("container.id") == cid[:12] and f.get("container.name") == name and f.get("container.image.repository") == repo:
        sys.exit(0)
sys.exit(1)
EOF
then pass "container name and image of ${ID_SHADOW:0:12}"; else fail "container name/image of ${ID_SHADOW:0:12} missing"; fi

# binaries shipped in the image are not "dropped": of this test's containers
# (other tests may run containers of their own meanwhile), only the copy fired;
# debugfs in a container that is not privileged fired nothing
OTHERS=("$ID_TTY" "$ID_SHADOW" "$ID_RELATIVE" "$ID_PACKET" "$ID_NC" "$ID_REVERSE" "$ID_PTRACE"
  "$ID_MEMFD" "$ID_MODULE" "$ID_TRAVERSAL" "$ID_KEYS" "$ID_AWS" "$ID_LOG" "$ID_SHRED" "$ID_LINKS"
  "$ID_TRACEME" "$ID_SHM" "$ID_CGI" "$ID_SYSUSER" "$ID_DEBUGFS" "$ID_DEBUGFS_UNPRIV" "$ID_RELEASE"
  "$ID_SSH" "$ID_LATE" "$ID_K8S" "$ID_SSHD")
for pair in "$F:Drop and execute new binary in container" "$B:Executable not in the container image"; do
  if $PY - "${pair%%:*}" "${pair#*:}" "$ID_DROP" "${OTHERS[@]}" <<'EOF'
import json, sys
path, rule, drop, others = sys.argv[1], sys.argv[2], sys.argv[3][:12], {c[:12] for c in sys.argv[4:]}
for line in open(path):
    a = json.loads(line)
    cid = a["output_fields"].get("container.id")
    if a["rule"] == rule and cid != drop and cid in others:
        print(line); sys.exit(1)
EOF
  then pass "$(basename "${pair%%:*}" .json): image binaries are not reported as dropped"
  else fail "$(basename "${pair%%:*}" .json): an image binary was reported as dropped"; fi
done
for f in "$F" "$B"; do
  if grep -Eq "\"container.id\": ?\"${ID_DEBUGFS_UNPRIV:0:12}\"" "$f"; then
    fail "$(basename "$f" .json): debugfs in a container that is not privileged alerted"
  else
    pass "$(basename "$f" .json): debugfs in a container that is not privileged: no alert"
  fi
done

# benign commands fired nothing (other processes on the machine may alert)
for f in "$F" "$B"; do
  bad=$($PY - "$f" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    c = json.loads(line)["output_fields"].get("proc.cmdline") or ""
    if c.startswith(("ls -la /usr/bin", "gcc --version", "dpkg -l", "dpkg-query")):
        print(c)
EOF
)
  [ -z "$bad" ] && pass "$(basename "$f" .json): benign workload fired nothing" || fail "$(basename "$f" .json): benign workload alerted: $bad"
done

finish
