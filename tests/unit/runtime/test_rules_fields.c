/* test_rules_fields.c - every field of the table extracted from hand-built
 * events (the test fails when a field is added without a case here), absent
 * values, argument parsing, and %field rendering in outputs. */
#include "test.h"

#include "rules_fixture.h"
#include "runtime/rules/fields.h"

typedef struct fcase {
    const char *field;
    char ev;              /* 'o' open event, 'c' connect event, 'e' empty event */
    const char *want;     /* rendered, values joined by ','; NULL: absent */
} fcase;

static const fcase cases[] = {
    { "evt.num", 'o', "42" },
    { "evt.time", 'o', "15:32:16.123456789" },
    { "evt.rawtime", 'o', "1764343936123456789" },
    { "evt.datetime", 'o', "2025-11-28 15:32:16.123456789" },
    { "evt.type", 'o', "openat" },
    { "evt.dir", 'o', "<" },
    { "evt.res", 'o', "SUCCESS" },
    { "evt.res", 'c', "EINPROGRESS" },
    { "evt.rawres", 'c', "-115" },
    { "evt.failed", 'o', "false" },
    { "evt.cpu", 'o', "1" },
    { "evt.args", 'o', "fd=3 name=/etc/shadow flags=O_RDONLY|O_CLOEXEC mode=0" },
    { "evt.arg.flags", 'o', "O_RDONLY|O_CLOEXEC" },
    { "evt.arg[1]", 'o', "/etc/shadow" },
    { "evt.arg.nope", 'o', NULL },
    { "evt.rawarg.name", 'o', "/etc/shadow" },
    { "evt.buffer", 'o', "\x7f" "ELF" },
    { "evt.buflen", 'o', "4" },
    { "evt.is_open_read", 'o', "true" },
    { "evt.is_open_write", 'o', "false" },
    { "evt.is_open_exec", 'o', "false" },
    { "evt.is_open_read", 'c', "false" },
    { "evt.hostname", 'o', "node-1" },
    { "evt.source", 'o', "syscall" },
    { "proc.pid", 'o', "100" },
    { "proc.ppid", 'o', "50" },
    { "proc.vpid", 'o', "7" },
    { "proc.sid", 'o', "40" },
    { "proc.vpgid", 'o', "6" },
    { "proc.name", 'o', "bash" },
    { "proc.exe", 'o', "/bin/bash" },
    { "proc.exepath", 'o', "/usr/bin/bash" },
    { "proc.args", 'o', "-c cat /etc/shadow" },
    { "proc.cmdline", 'o', "bash -c cat /etc/shadow" },
    { "proc.cwd", 'o', "/root/" },
    { "proc.tty", 'o', "34816" },
    { "proc.env", 'o', "HOME=/root B64VAR=aGVsbG8= PAD=  x  " },
    { "proc.env[HOME]", 'o', "/root" },
    { "proc.pname", 'o', "sudo" },
    { "proc.pexe", 'o', "sudo" },
    { "proc.pexepath", 'o', "/usr/bin/sudo" },
    { "proc.pcmdline", 'o', "sudo -i" },
    { "proc.aname", 'o', "sudo,sshd" },
    { "proc.aname[2]", 'o', "sshd" },
    { "proc.apid", 'o', "50,10" },
    { "proc.aexe[2]", 'o', "sshd: alice" },
    { "proc.aexepath[1]", 'o', "/usr/bin/sudo" },
    { "proc.acmdline[2]", 'o', "sshd" },
    { "proc.duration", 'o', "2000000000" },
    { "proc.ppid.duration", 'o', "10000000000" },
    { "proc.start_ts", 'o', "1764343934123456789" },
    { "proc.is_exe_upper_layer", 'o', "true" },
    { "proc.is_exe_from_memfd", 'o', "false" },
    { "proc.is_exe_writable", 'o', "false" },
    { "proc.is_vpgid_leader", 'o', "true" },
    { "proc.is_sid_leader", 'o', "false" },
    { "proc.sname", 'o', "sshd" },
    { "proc.vpgid.name", 'o', "bash" },
    { "proc.vpgid.exe", 'o', "/bin/bash" },
    { "proc.exe_ino", 'o', "1234" },
    { "proc.exe_ino.ctime", 'o', "1764343934123456289" },
    { "proc.exe_ino.mtime", 'o', "1764343934123455789" },
    { "proc.exe_ino.ctime_duration_proc_start", 'o', "500" },
    { "proc.nargs", 'o', "2" },
    { "thread.tid", 'o', "101" },
    { "thread.vtid", 'o', "8" },
    { "thread.cap_effective", 'o', "CAP_DAC_OVERRIDE CAP_SYS_ADMIN" },
    { "thread.cap_permitted", 'o', "CAP_SYS_MODULE" },
    { "thread.cap_inheritable", 'o', "" },
    { "user.uid", 'o', "0" },
    { "user.name", 'o', "root" },
    { "user.loginuid", 'o', "1000" },
    { "user.loginname", 'o', "alice" },
    { "user.homedir", 'o', "/root" },
    { "user.shell", 'o', "/bin/bash" },
    { "group.gid", 'o', "0" },
    { "group.name", 'o', "root" },
    { "fd.num", 'o', "3" },
    { "fd.type", 'o', "file" },
    { "fd.typechar", 'o', "f" },
    { "fd.typechar", 'c', "4" },
    { "fd.name", 'o', "/etc/shadow" },
    { "fd.name", 'c', "172.17.0.2:40000->10.0.0.1:443" },
    { "fd.nameraw", 'o', "/etc/../etc/shadow" },
    { "fd.directory", 'o', "/etc" },
    { "fd.filename", 'o', "shadow" },
    { "fd.directory", 'c', NULL },
    { "fd.ip", 'c', "172.17.0.2,10.0.0.1" },
    { "fd.cip", 'c', "172.17.0.2" },
    { "fd.sip", 'c', "10.0.0.1" },
    { "fd.lip", 'c', "172.17.0.2" },
    { "fd.rip", 'c', "10.0.0.1" },
    { "fd.port", 'c', "40000,443" },
    { "fd.cport", 'c', "40000" },
    { "fd.sport", 'c', "443" },
    { "fd.lport", 'c', "40000" },
    { "fd.rport", 'c', "443" },
    { "fd.l4proto", 'c', "tcp" },
    { "fd.sockfamily", 'c', "ip" },
    { "fd.net", 'c', "172.17.0.2,10.0.0.1" },
    { "fd.cnet", 'c', "172.17.0.2" },
    { "fd.snet", 'c', "10.0.0.1" },
    { "fd.lnet", 'c', "172.17.0.2" },
    { "fd.rnet", 'c', "10.0.0.1" },
    { "fd.connected", 'c', "true" },
    { "fd.name_changed", 'c', "true" },
    { "fd.is_server", 'c', "false" },
    { "fd.cip.name", 'c', "web-0" },
    { "fd.sip.name", 'c', "kubernetes.default.svc.cluster.local" },
    { "fd.lip.name", 'c', "web-0" },
    { "fd.rip.name", 'c', "kubernetes.default.svc.cluster.local" },
    { "fd.sip", 'o', NULL },
    { "container.id", 'o', "0123456789ab" },
    { "container.name", 'o', "web" },
    { "container.type", 'o', "containerd" },
    { "container.image", 'o', "docker.io/library/nginx:1.25" },
    { "container.image.repository", 'o', "docker.io/library/nginx" },
    { "container.image.tag", 'o', "1.25" },
    { "container.image.id", 'o', "sha256:abcd" },
    { "container.image.digest", 'o', "sha256:ef01" },
    { "container.privileged", 'o', "false" },
    { "container.start_ts", 'o', "1764343876123456789" },
    { "container.duration", 'o', "60000000000" },
    { "container.mounts", 'o',
      "/var/run/docker.sock:/var/run/docker.sock::true:rprivate,/data:/mnt/data:ro:false:rprivate" },
    { "container.mount.source[/mnt/data]", 'o', "/data" },
    { "container.mount.source[0]", 'o', "/var/run/docker.sock" },
    { "container.mount.dest[/data]", 'o', "/mnt/data" },
    { "container.mount.dest[/var/run/*.sock]", 'o', "/var/run/docker.sock" },
    { "container.mount.mode[1]", 'o', "ro" },
    { "container.mount.rdwr[/data]", 'o', "false" },
    { "container.mount.propagation[0]", 'o', "rprivate" },
    { "container.mount.dest[5]", 'o', NULL },
    { "k8s.ns.name", 'o', "default" },
    { "k8s.pod.name", 'o', "web-0" },
    { "proc.name", 'e', NULL },
    { "proc.aname", 'e', NULL },
    { "evt.res", 'e', NULL },
    { "container.mounts", 'e', NULL },
    { "thread.cap_effective", 'e', NULL },
};

static char *render(const comb_fvalues *v, comb_ftype t, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n && n < size; i++) {
        if (i)
            n += (size_t)snprintf(buf + n, size - n, ",");
        if (t == COMB_FT_INT)
            n += (size_t)snprintf(buf + n, size - n, "%lld", (long long)v->v[i].i);
        else if (t == COMB_FT_BOOL)
            n += (size_t)snprintf(buf + n, size - n, "%s", v->v[i].i ? "true" : "false");
        else
            n += (size_t)snprintf(buf + n, size - n, "%.*s", (int)v->v[i].len, v->v[i].s);
    }
    return buf;
}

static void test_every_field(void)
{
    static char scratch[1 << 16];
    comb_event open_ev, conn_ev, empty_ev;
    fixture_open(&open_ev);
    fixture_connect(&conn_ev);
    comb_event_init(&empty_ev);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const fcase *c = &cases[i];
        comb_field_ref ref;
        char key[256], why[256], out[1024];
        if (comb_field_parse(c->field, strlen(c->field), &ref, key, why, sizeof why)) {
            fprintf(stderr, "  %s: %s\n", c->field, why);
            CHECK(0);
            continue;
        }
        comb_scratch x = { scratch, sizeof scratch, 0 };
        comb_fvalues v;
        const comb_event *ev = c->ev == 'o' ? &open_ev : c->ev == 'c' ? &conn_ev : &empty_ev;
        comb_field_extract(ev, &ref, &v, &x);
        if (!c->want) {
            if (v.n)
                fprintf(stderr, "  %s: want absent, got %s\n", c->field,
                        render(&v, ref.desc->type, out, sizeof out));
            CHECK_INT(v.n, 0);
            continue;
        }
        CHECK(v.n > 0);
        const char *got = render(&v, ref.desc->type, out, sizeof out);
        if (strcmp(got, c->want))
            fprintf(stderr, "  %s: got [%s] want [%s]\n", c->field, got, c->want);
        CHECK_STR(got, c->want);
    }
    /* Every descriptor has at least one case with a value. */
    size_t n;
    const comb_field_desc *table = comb_field_table(&n);
    for (size_t i = 0; i < n; i++) {
        int covered = 0;
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            size_t l = strlen(table[i].name);
            const char *f = cases[k].field;
            if (cases[k].want && strncmp(f, table[i].name, l) == 0 &&
                (f[l] == '\0' || f[l] == '[' || (f[l] == '.' && (table[i].flags & COMB_FF_ARG_DOT))))
                covered = 1;
        }
        if (!covered)
            fprintf(stderr, "  field %s has no test case\n", table[i].name);
        CHECK(covered);
    }
}

static void test_field_names(void)
{
    comb_field_ref ref;
    char key[64], why[256];
    CHECK(comb_field_parse("proc.nope", 9, &ref, key, why, sizeof why) == -1);
    CHECK(strstr(why, "unknown field proc.nope") != NULL);
    CHECK(comb_field_parse("proc.aname[2", 12, &ref, key, why, sizeof why) == -1);
    CHECK(comb_field_parse("evt.arg.", 8, &ref, key, why, sizeof why) == -1);
    CHECK(comb_field_parse("evt.arg.flags", 13, &ref, key, why, sizeof why) == 0);
    CHECK_STR(ref.key, "flags");
    CHECK(comb_field_parse("proc.aname[3]", 13, &ref, key, why, sizeof why) == 0);
    CHECK_INT(ref.index, 3);
    CHECK(ref.has_arg);
    CHECK(comb_field_parse("proc.env[PATH]", 14, &ref, key, why, sizeof why) == 0);
    CHECK_STR(ref.key, "PATH");
}

static void test_output_rendering(void)
{
    static const char rules[] =
        "- rule: r\n  desc: d\n  condition: evt.type = openat\n  priority: WARNING\n"
        "  tags: [a, \"b\"]\n"
        "  output: >\n    file=%fd.name gp=%proc.aname[2] ctr=%container.name "
        "sip=%fd.sip upper=%proc.is_exe_upper_layer tty=%proc.tty 100% done. %proc.name.\n";
    comb_ruleset *rs;
    comb_err err;
    CHECK(comb_ruleset_new(&rs, &err) == COMB_OK);
    CHECK(comb_rules_load_buffer(rs, "out.yaml", rules, sizeof rules - 1, &err) == COMB_OK);
    CHECK(comb_ruleset_compile(rs, &err) == COMB_OK);
    const comb_rule *r = comb_ruleset_find_rule(rs, "r");
    CHECK(r && comb_rule_active(r));
    comb_event ev;
    fixture_open(&ev);
    char *out = comb_alert_format_output(rs, r, &ev);
    CHECK_STR(out, "file=/etc/shadow gp=sshd ctr=web sip=<NA> upper=true tty=34816 100% done. "
                   "bash.\n");
    free(out);
    char *text = comb_alert_format_text(rs, r, &ev);
    CHECK(text && strncmp(text, "15:32:16.123456789: Warning file=/etc/shadow", 44) == 0);
    free(text);
    char *json = comb_alert_format_json(rs, r, &ev, "host-a");
    CHECK(json != NULL);
    if (json) {
        CHECK(strstr(json, "\"hostname\":\"host-a\"") != NULL);
        CHECK(strstr(json, "\"rule\":\"r\"") != NULL);
        CHECK(strstr(json, "\"priority\":\"Warning\"") != NULL);
        CHECK(strstr(json, "\"source\":\"syscall\"") != NULL);
        CHECK(strstr(json, "\"time\":\"2025-11-28T15:32:16.123456789Z\"") != NULL);
        CHECK(strstr(json, "\"tags\":[\"a\",\"b\"]") != NULL);
        CHECK(strstr(json, "\"fd.sip\":null") != NULL);
        CHECK(strstr(json, "\"proc.tty\":34816") != NULL);
        CHECK(strstr(json, "\"proc.is_exe_upper_layer\":true") != NULL);
        CHECK(strstr(json, "\"proc.aname[2]\":\"sshd\"") != NULL);
        CHECK(strstr(json, "\"output\":\"15:32:16.123456789: Warning file=/etc/shadow") != NULL);
        CHECK(strchr(json, '\n') == NULL);
    }
    free(json);
    /* Invalid UTF-8 in a value still gives valid JSON. */
    ev.proc.name = "ba\xff\xfeh";
    json = comb_alert_format_json(rs, r, &ev, NULL);
    CHECK(json && strstr(json, "\"hostname\":\"node-1\"") && strstr(json, "\"proc.name\":\"ba??h\""));
    free(json);
    comb_ruleset_free(rs);
}

int main(void)
{
    RUN(test_every_field);
    RUN(test_field_names);
    RUN(test_output_rendering);
    return test_summary();
}
