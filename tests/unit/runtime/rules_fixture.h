/* rules_fixture.h - hand-built events shared by the rules tests.
 *
 * fixture_open(): bash (parent sudo, grandparent sshd) in a container opens
 * /etc/shadow for reading. fixture_connect(): curl connects to 10.0.0.1:443.
 * Every field the table knows has a value in one of them. */
#ifndef COMB_TEST_RULES_FIXTURE_H
#define COMB_TEST_RULES_FIXTURE_H

#include <string.h>

#include "runtime/rules/event.h"
#include "runtime/rules/rules.h"

static const char *const fx_bash_args[] = { "-c", "cat /etc/shadow" };
static const char *const fx_sudo_args[] = { "-i" };
static const char *const fx_env[] = { "HOME=/root", "B64VAR=aGVsbG8=", "PAD=  x  " };
static const comb_event_arg fx_open_args[] = {
    { "fd", "3" }, { "name", "/etc/shadow" }, { "flags", "O_RDONLY|O_CLOEXEC" }, { "mode", "0" },
};
static const comb_mount fx_mounts[] = {
    { "/var/run/docker.sock", "/var/run/docker.sock", "", "rprivate", 1 },
    { "/data", "/mnt/data", "ro", "rprivate", 0 },
};
static comb_proc fx_anc[2];

static inline void fixture_base(comb_event *ev)
{
    comb_event_init(ev);
    ev->num = 42;
    ev->ts = 1764343936123456789LL; /* 2025-11-28T15:32:16.123456789Z */
    ev->cpu = 1;
    ev->hostname = "node-1";
    comb_proc *p = &ev->proc;
    p->pid = 100; p->tid = 101; p->ppid = 50; p->vpid = 7; p->vtid = 8; p->sid = 40; p->vpgid = 6;
    p->name = "bash";
    p->exe = "/bin/bash";
    p->exepath = "/usr/bin/bash";
    p->args = fx_bash_args;
    p->nargs = 2;
    p->env = fx_env;
    p->nenv = 3;
    p->cwd = "/root/";
    p->tty = 34816;
    p->uid = 0; p->gid = 0; p->loginuid = 1000;
    p->user_name = "root";
    p->user_loginname = "alice";
    p->user_homedir = "/root";
    p->user_shell = "/bin/bash";
    p->group_name = "root";
    p->cap_effective = (1LL << 21) | (1LL << 1);   /* CAP_DAC_OVERRIDE CAP_SYS_ADMIN */
    p->cap_permitted = (1LL << 16);                 /* CAP_SYS_MODULE */
    p->cap_inheritable = 0;
    p->is_exe_upper_layer = 1;
    p->is_exe_from_memfd = 0;
    p->is_exe_writable = 0;
    p->is_vpgid_leader = 1;
    p->is_sid_leader = 0;
    p->start_ts = ev->ts - 2000000000;              /* started 2 s ago */
    p->exe_ino = 1234;
    p->exe_ino_ctime = p->start_ts - 500;
    p->exe_ino_mtime = p->start_ts - 1000;
    p->sname = "sshd";
    p->vpgid_name = "bash";
    p->vpgid_exe = "/bin/bash";
    for (int i = 0; i < 2; i++)
        comb_proc_init(&fx_anc[i]);
    fx_anc[0].pid = 50; fx_anc[0].name = "sudo"; fx_anc[0].exe = "sudo";
    fx_anc[0].exepath = "/usr/bin/sudo"; fx_anc[0].args = fx_sudo_args; fx_anc[0].nargs = 1;
    fx_anc[0].start_ts = ev->ts - 10000000000LL;
    fx_anc[1].pid = 10; fx_anc[1].name = "sshd"; fx_anc[1].exe = "sshd: alice";
    fx_anc[1].exepath = "/usr/sbin/sshd"; fx_anc[1].nargs = 0;
    ev->ancestors = fx_anc;
    ev->nancestors = 2;
    comb_container *c = &ev->container;
    c->id = "0123456789ab";
    c->name = "web";
    c->type = "containerd";
    c->image = "docker.io/library/nginx:1.25";
    c->image_repository = "docker.io/library/nginx";
    c->image_tag = "1.25";
    c->image_id = "sha256:abcd";
    c->image_digest = "sha256:ef01";
    c->privileged = 0;
    c->start_ts = ev->ts - 60000000000LL;
    c->mounts = fx_mounts;
    c->nmounts = 2;
    c->k8s_ns_name = "default";
    c->k8s_pod_name = "web-0";
}

static inline void fixture_open(comb_event *ev)
{
    fixture_base(ev);
    ev->type = "openat";
    ev->rawres = 3;
    ev->args = fx_open_args;
    ev->nargs = 4;
    ev->fd.num = 3;
    ev->fd.type = "file";
    ev->fd.name = "/etc/shadow";
    ev->fd.nameraw = "/etc/../etc/shadow";
    ev->buffer = "\x7f" "ELF";
    ev->buflen = 4;
}

static const char *const fx_curl_args[] = { "-s", "https://10.0.0.1/" };
static const comb_event_arg fx_connect_args[] = { { "fd", "5" }, { "addr", "10.0.0.1:443" } };

static inline void fixture_connect(comb_event *ev)
{
    fixture_base(ev);
    ev->type = "connect";
    ev->rawres = -115; /* EINPROGRESS */
    ev->args = fx_connect_args;
    ev->nargs = 2;
    ev->proc.name = "curl";
    ev->proc.exe = "curl";
    ev->proc.exepath = "/usr/bin/curl";
    ev->proc.args = fx_curl_args;
    ev->fd.num = 5;
    ev->fd.type = "ipv4";
    ev->fd.l4proto = "tcp";
    ev->fd.cip = "172.17.0.2";
    ev->fd.cport = 40000;
    ev->fd.sip = "10.0.0.1";
    ev->fd.sport = 443;
    ev->fd.sip_name = "kubernetes.default.svc.cluster.local";
    ev->fd.cip_name = "web-0";
    ev->fd.is_server = 0;
    ev->fd.connected = 1;
    ev->fd.name_changed = 1;
}

/* Evaluate a condition; -1 when it does not compile. */
static inline int eval_cond(comb_ruleset *rs, const char *cond, const comb_event *ev)
{
    comb_err err;
    int r = 0;
    if (comb_rules_eval_condition(rs, cond, ev, &r, &err) != COMB_OK)
        return -1;
    return r;
}

#endif
