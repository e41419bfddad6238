/* fuzz_rules_condition.c - libFuzzer target: arbitrary bytes as one
 * condition, compiled against a few lists and macros and evaluated on a
 * fixed event. Compilation either succeeds with a 0/1 result or fails with
 * a message; the parser's depth cap keeps the stack bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rules/rules.h"

static const char defs[] =
    "- list: shells\n  items: [sh, bash, '\"quoted\"']\n"
    "- list: nested\n  items: [zsh, shells]\n"
    "- list: nets\n  items: ['\"10.0.0.0/8\"']\n"
    "- macro: is_shell\n  condition: proc.name in (shells)\n"
    "- macro: loop_a\n  condition: loop_b\n"
    "- macro: loop_b\n  condition: loop_a\n"
    "- macro: opened\n  condition: evt.type in (open, openat) and fd.num >= 0\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static comb_ruleset *rs;
    static int loads;
    comb_err err;
    /* A fresh ruleset now and then: compiled conditions accumulate in it. */
    if (!rs || ++loads % 256 == 0) {
        comb_ruleset_free(rs);
        if (comb_ruleset_new(&rs, &err) ||
            comb_rules_load_buffer(rs, "defs.yaml", defs, sizeof defs - 1, &err))
            abort();
    }
    char *cond = malloc(size + 1);
    if (!cond)
        return 0;
    memcpy(cond, data, size);
    cond[size] = '\0';

    static const char *const args[] = { "-c", "cat /etc/shadow" };
    static const char *const env[] = { "HOME=/root", "X=aGVsbG8=" };
    static const comb_event_arg eargs[] = { { "flags", "O_RDONLY|O_CLOEXEC" }, { "fd", "3" } };
    static const comb_mount mounts[] = { { "/a", "/b", "rw", "rprivate", 1 } };
    static comb_proc parent;
    comb_proc_init(&parent);
    parent.name = "sshd";
    parent.pid = 1;
    comb_event ev;
    comb_event_init(&ev);
    ev.type = "openat";
    ev.ts = 1764343936000000000LL;
    ev.rawres = 3;
    ev.args = eargs;
    ev.nargs = 2;
    ev.buffer = "\x7f" "ELF";
    ev.buflen = 4;
    ev.proc.name = "bash";
    ev.proc.exepath = "/usr/bin/bash";
    ev.proc.args = args;
    ev.proc.nargs = 2;
    ev.proc.env = env;
    ev.proc.nenv = 2;
    ev.proc.pid = 100;
    ev.proc.cap_effective = 0x200000;
    ev.ancestors = &parent;
    ev.nancestors = 1;
    ev.fd.num = 3;
    ev.fd.type = "ipv4";
    ev.fd.cip = "172.17.0.2";
    ev.fd.sip = "10.0.0.1";
    ev.fd.cport = 40000;
    ev.fd.sport = 443;
    ev.container.id = "abc";
    ev.container.mounts = mounts;
    ev.container.nmounts = 1;

    int result = -1;
    comb_code rc = comb_rules_eval_condition(rs, cond, &ev, &result, &err);
    if (rc == COMB_OK && result != 0 && result != 1)
        abort();
    if (rc != COMB_OK && err.msg[0] == '\0')
        abort();
    free(cond);
    return 0;
}
