/* test_record.c - recordings (runtime/record): every member of an event
 * survives a write and a read, rewriting what was read gives the same bytes,
 * bounds are enforced on both sides; response action names; output sinks'
 * syslog datagrams. With an argument, also writes a sample recording there
 * (the fuzz seed of scripts/test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/output/output.h"
#include "runtime/record/record.h"
#include "runtime/response/response.h"
#include "test.h"

static char dir[64];

static const char *const ARGV[] = { "-c", "cat /etc/shadow" };
static const char *const ENV[] = { "PATH=/bin", "HOME=/root", "A=" };
static const comb_mount MOUNTS[] = { { "/src", "/dst", "ro", "private", 0 } };
static const comb_event_arg ARGS[] = { { "fd", "3" }, { "name", "/etc/shadow" } };

static void sample(comb_event *ev, comb_proc *anc)
{
    comb_event_init(ev);
    ev->num = 42;
    ev->ts = 1764354000123456789;
    ev->type = "openat";
    ev->dir = '<';
    ev->rawres = 3;
    ev->cpu = 1;
    ev->args = ARGS;
    ev->nargs = 2;
    ev->hostname = "vm";
    ev->buffer = "a\0b";
    ev->buflen = 3;
    comb_proc *p = &ev->proc;
    p->pid = 100;
    p->tid = 101;
    p->ppid = 1;
    p->name = "sh";
    p->exe = "sh";
    p->exepath = "/bin/sh";
    p->args = ARGV;
    p->nargs = 2;
    p->env = ENV;
    p->nenv = 3;
    p->cwd = "/";
    p->uid = 0;
    p->loginuid = -1;
    p->user_name = "root";
    p->cap_effective = 0x1ff;
    p->is_exe_upper_layer = 1;
    p->is_exe_from_memfd = 0;
    p->start_ts = 5;
    comb_proc_init(&anc[0]);
    anc[0].pid = 1;
    anc[0].name = "init";
    anc[0].args = ARGV;
    anc[0].nargs = 1;
    ev->ancestors = anc;
    ev->nancestors = 1;
    ev->fd.num = 3;
    ev->fd.type = "file";
    ev->fd.name = "/etc/shadow";
    ev->fd.is_server = 0;
    ev->container.id = "0123456789ab";
    ev->container.name = "web";
    ev->container.image_repository = "localhost/web";
    ev->container.privileged = 1;
    ev->container.mounts = MOUNTS;
    ev->container.nmounts = 1;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    *n = b ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    return b;
}

static void test_roundtrip(void)
{
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/a.rec", dir);
    snprintf(b, sizeof b, "%s/b.rec", dir);
    comb_err err;
    comb_event ev;
    comb_proc anc[1];
    sample(&ev, anc);
    comb_recorder *w;
    CHECK_INT(comb_recorder_open(a, &w, &err), COMB_OK);
    CHECK_INT(comb_recorder_write(w, &ev, &err), COMB_OK);
    comb_event bare;
    comb_event_init(&bare); /* everything absent */
    bare.type = "execve";
    CHECK_INT(comb_recorder_write(w, &bare, &err), COMB_OK);
    CHECK_INT(comb_recorder_close(w, &err), COMB_OK);

    FILE *f = fopen(a, "rb");
    comb_replay *r;
    CHECK_INT(comb_replay_open(f, "a.rec", &r, &err), COMB_OK);
    comb_recorder *w2;
    CHECK_INT(comb_recorder_open(b, &w2, &err), COMB_OK);
    comb_event got;
    int have;
    CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_OK);
    CHECK_INT(have, 1);
    CHECK_INT(got.num, 42);
    CHECK_INT(got.ts, 1764354000123456789);
    CHECK_STR(got.type, "openat");
    CHECK_INT(got.dir, '<');
    CHECK_INT(got.nargs, 2);
    CHECK_STR(got.args[1].value, "/etc/shadow");
    CHECK_INT(got.buflen, 3);
    CHECK(got.buffer && !memcmp(got.buffer, "a\0b", 3));
    CHECK_STR(got.proc.exepath, "/bin/sh");
    CHECK_INT(got.proc.nargs, 2);
    CHECK_STR(got.proc.args[1], "cat /etc/shadow");
    CHECK_INT(got.proc.nenv, 3);
    CHECK_STR(got.proc.env[2], "A=");
    CHECK_INT(got.proc.loginuid, -1);
    CHECK_INT(got.proc.is_exe_upper_layer, 1);
    CHECK_INT(got.proc.is_exe_writable, -1);
    CHECK(got.proc.user_homedir == NULL);
    CHECK_INT(got.proc.sid, COMB_NA);
    CHECK_INT(got.nancestors, 1);
    CHECK_STR(got.ancestors[0].name, "init");
    CHECK_INT(got.ancestors[0].nargs, 1);
    CHECK_STR(got.fd.name, "/etc/shadow");
    CHECK_INT(got.fd.is_server, 0);
    CHECK_INT(got.fd.connected, -1);
    CHECK_STR(got.container.image_repository, "localhost/web");
    CHECK_INT(got.container.nmounts, 1);
    CHECK_STR(got.container.mounts[0].propagation, "private");
    CHECK_INT(comb_recorder_write(w2, &got, &err), COMB_OK);
    CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_OK);
    CHECK_INT(have, 1);
    CHECK_STR(got.type, "execve");
    CHECK(got.proc.name == NULL && got.container.id == NULL && got.ancestors == NULL);
    CHECK_INT(got.proc.pid, COMB_NA);
    CHECK_INT(comb_recorder_write(w2, &got, &err), COMB_OK);
    CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_OK);
    CHECK_INT(have, 0);
    comb_replay_free(r);
    fclose(f);
    CHECK_INT(comb_recorder_close(w2, &err), COMB_OK);
    size_t na, nb;
    char *da = slurp(a, &na), *db = slurp(b, &nb);
    CHECK(da && db && na == nb && !memcmp(da, db, na));
    free(da);
    free(db);
}

static void test_bounds(void)
{
    char a[128];
    snprintf(a, sizeof a, "%s/big.rec", dir);
    comb_err err;
    comb_event ev;
    comb_proc anc[1];
    sample(&ev, anc);
    static const char *many[COMB_RECORD_MAX_LIST + 1];
    for (size_t i = 0; i <= COMB_RECORD_MAX_LIST; i++)
        many[i] = "x";
    ev.proc.args = many;
    ev.proc.nargs = COMB_RECORD_MAX_LIST + 1; /* the writer keeps the bound */
    static char huge[COMB_RECORD_MAX + 10];
    memset(huge, 'y', sizeof huge - 1);
    comb_recorder *w;
    CHECK_INT(comb_recorder_open(a, &w, &err), COMB_OK);
    CHECK_INT(comb_recorder_write(w, &ev, &err), COMB_OK);
    ev.proc.cwd = huge; /* larger than a record: refused, named */
    CHECK_INT(comb_recorder_write(w, &ev, &err), COMB_ELIMIT);
    CHECK(strstr(err.msg, "event 42") != NULL);
    CHECK_INT(comb_recorder_close(w, &err), COMB_OK);
    FILE *f = fopen(a, "rb");
    comb_replay *r;
    comb_event got;
    int have;
    CHECK_INT(comb_replay_open(f, "big.rec", &r, &err), COMB_OK);
    CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_OK);
    CHECK_INT(got.proc.nargs, COMB_RECORD_MAX_LIST);
    CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_OK);
    CHECK_INT(have, 0);
    comb_replay_free(r);
    fclose(f);
    CHECK(comb_recorder_open("/nonexistent-dir/x.rec", &w, &err) == COMB_EIO);
}

/* Repeated processes are written once and named by slot afterwards; a
 * reference to a slot never filled is an error. */
static void test_process_slots(void)
{
    char a[128];
    snprintf(a, sizeof a, "%s/slots.rec", dir);
    comb_err err;
    comb_event ev;
    comb_proc anc[1];
    sample(&ev, anc);
    comb_recorder *w;
    CHECK_INT(comb_recorder_open(a, &w, &err), COMB_OK);
    CHECK_INT(comb_recorder_write(w, &ev, &err), COMB_OK);
    CHECK_INT(comb_recorder_close(w, &err), COMB_OK);
    size_t one, hundred;
    free(slurp(a, &one));
    CHECK_INT(comb_recorder_open(a, &w, &err), COMB_OK);
    for (int i = 0; i < 100; i++) {
        ev.num = i;
        ev.proc.tid = i % 3 ? 101 : 102; /* a third of them a different process */
        CHECK_INT(comb_recorder_write(w, &ev, &err), COMB_OK);
    }
    CHECK_INT(comb_recorder_close(w, &err), COMB_OK);
    char *data = slurp(a, &hundred);
    /* later events take under half the room of the first (its processes are named) */
    CHECK((hundred - one) / 99 < (one - 16) / 2);
    FILE *f = fopen(a, "rb");
    comb_replay *r;
    comb_event got;
    int have = 0, n = 0;
    CHECK_INT(comb_replay_open(f, "slots.rec", &r, &err), COMB_OK);
    while (comb_replay_next(r, &got, &have, &err) == COMB_OK && have) {
        CHECK_INT(got.proc.tid, n % 3 ? 101 : 102);
        CHECK_STR(got.proc.args[1], "cat /etc/shadow");
        CHECK_STR(got.ancestors[0].name, "init");
        n++;
    }
    CHECK_INT(n, 100);
    comb_replay_free(r);
    fclose(f);
    /* the first record's process turned into a reference to an empty slot:
     * header 16, length 4, kind 1, 5 integers, then type, hostname, buffer, args */
    size_t off = 16 + 4 + 1 + 40;
    off += 4 + 6 + 1;      /* "openat" */
    off += 4 + 2 + 1;      /* "vm" */
    off += 4 + 3 + 1;      /* buffer */
    off += 4 + (4 + 2 + 1) + (4 + 1 + 1) + (4 + 4 + 1) + (4 + 11 + 1); /* 2 args */
    CHECK(data && off < hundred && data[off] == 1); /* PROC_STORE */
    if (data && off < hundred) {
        data[off] = 2; /* PROC_REF */
        FILE *g = fmemopen(data, hundred, "rb");
        CHECK_INT(comb_replay_open(g, "bad.rec", &r, &err), COMB_OK);
        CHECK_INT(comb_replay_next(r, &got, &have, &err), COMB_EFORMAT);
        CHECK(strstr(err.msg, "record 1: reference to an empty slot") != NULL);
        comb_replay_free(r);
        fclose(g);
    }
    free(data);
}

static void test_response_names(void)
{
    unsigned m = 0;
    const char *bad = NULL;
    size_t badlen = 0;
    CHECK_INT(comb_response_parse("kill", &m, &bad, &badlen), 0);
    CHECK_INT(m, COMB_ACT_KILL);
    CHECK_INT(comb_response_parse("freeze, stop,isolate", &m, &bad, &badlen), 0);
    CHECK_INT(m, COMB_ACT_FREEZE | COMB_ACT_STOP | COMB_ACT_ISOLATE);
    CHECK_INT(comb_response_parse("", &m, &bad, &badlen), 0);
    CHECK_INT(m, 0);
    CHECK_INT(comb_response_parse("kill,explode", &m, &bad, &badlen), -1);
    CHECK(badlen == 7 && !strncmp(bad, "explode", 7));
    CHECK_INT(comb_response_parse("kill,,", &m, &bad, &badlen), -1);
    CHECK_STR(comb_response_name(COMB_ACT_ISOLATE), "isolate");
}

static void test_rules_response_key(void)
{
    static const char ok[] = "- rule: r\n  desc: d\n  condition: evt.type = openat\n"
                             "  output: o\n  priority: WARNING\n  response: [kill, freeze]\n"
                             "- rule: s\n  desc: d\n  condition: evt.type = openat\n"
                             "  output: o\n  priority: WARNING\n  response: isolate\n"
                             "- rule: s\n  override:\n    response: append\n  response: [stop]\n";
    static const char bad[] = "- rule: r\n  desc: d\n  condition: evt.type = openat\n"
                              "  output: o\n  priority: WARNING\n  response: [explode]\n";
    comb_ruleset *rs;
    comb_err err;
    CHECK_INT(comb_ruleset_new(&rs, &err), COMB_OK);
    CHECK_INT(comb_rules_load_buffer(rs, "ok.yaml", ok, sizeof ok - 1, &err), COMB_OK);
    CHECK_INT(comb_rule_response(comb_ruleset_find_rule(rs, "r")), COMB_ACT_KILL | COMB_ACT_FREEZE);
    CHECK_INT(comb_rule_response(comb_ruleset_find_rule(rs, "s")), COMB_ACT_ISOLATE | COMB_ACT_STOP);
    size_t n;
    const comb_rules_issue *is = comb_ruleset_issues(rs, &n);
    for (size_t i = 0; i < n; i++)
        CHECK(!strstr(is[i].msg, "response")); /* a known key, not "unknown key ignored" */
    comb_ruleset_free(rs);
    CHECK_INT(comb_ruleset_new(&rs, &err), COMB_OK);
    CHECK_INT(comb_rules_load_buffer(rs, "bad.yaml", bad, sizeof bad - 1, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, "bad.yaml:") && strstr(err.msg, "explode"));
    comb_ruleset_free(rs);
}

static void test_syslog_datagram(void)
{
    char sock[100];
    snprintf(sock, sizeof sock, "%.60s/log.sock", dir);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    CHECK(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
    comb_output_opts o = { .json = 1, .syslog_path = sock };
    comb_output *out;
    comb_err err;
    CHECK_INT(comb_output_open(&o, &out, &err), COMB_OK);
    CHECK_INT(comb_output_line(out, COMB_PRIO_CRITICAL, "{\"a\":1}", "a 1", &err), COMB_OK);
    comb_output_stats st;
    comb_output_close(out, &st);
    char buf[512];
    ssize_t n = recv(s, buf, sizeof buf - 1, MSG_DONTWAIT);
    CHECK(n > 0);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(!strncmp(buf, "<10>", 4)); /* LOG_USER | LOG_CRIT */
    CHECK(strstr(buf, " comb[") && strstr(buf, "]: {\"a\":1}"));
    CHECK_INT(st.syslog_sent, 1);
    close(s);
    /* nobody listening: counted, not an error */
    unlink(sock);
    CHECK_INT(comb_output_open(&o, &out, &err), COMB_OK);
    CHECK_INT(comb_output_line(out, COMB_PRIO_WARNING, "{}", "", &err), COMB_OK);
    comb_output_close(out, &st);
    CHECK_INT(st.syslog_failed, 1);
    o.webhook_url = "ftp://x";
    CHECK_INT(comb_output_open(&o, &out, &err), COMB_EINVAL);
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "/tmp/comb-test-record.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    if (argc > 1) { /* a seed for the fuzzer */
        comb_event ev;
        comb_proc anc[1];
        comb_recorder *w;
        comb_err err;
        sample(&ev, anc);
        if (comb_recorder_open(argv[1], &w, &err))
            return 1;
        for (int i = 0; i < 3; i++) { /* stored processes, then references */
            ev.proc.tid = 101 + (i == 1);
            if (comb_recorder_write(w, &ev, &err))
                return 1;
        }
        if (comb_recorder_close(w, &err))
            return 1;
    }
    RUN(test_roundtrip);
    RUN(test_bounds);
    RUN(test_process_slots);
    RUN(test_response_names);
    RUN(test_rules_response_key);
    RUN(test_syslog_datagram);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_summary();
}
