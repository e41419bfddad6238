/* fuzz_replay.c - libFuzzer target: `comb replay` recordings
 * (runtime/record/record.c) are untrusted files. Every event read is also
 * evaluated by a small ruleset and written back, so the pointers the reader
 * hands out are used as the rules and the recorder would use them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/record/record.h"
#include "runtime/rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char RULES[] =
    "- rule: any\n  desc: d\n  condition: evt.type = openat and fd.name startswith /etc and "
    "proc.aname[2] != x and proc.args contains a\n  output: \"%proc.cmdline %fd.name "
    "%container.id %evt.args %proc.env\"\n  priority: WARNING\n";

static int on_match(void *ud, const comb_rule *rule, const comb_event *ev)
{
    char *s = comb_alert_format_json(ud, rule, ev, NULL);
    free(s);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static comb_ruleset *rs;
    comb_err err;
    if (!rs && (comb_ruleset_new(&rs, &err) ||
                comb_rules_load_buffer(rs, "fuzz.yaml", RULES, sizeof RULES - 1, &err) ||
                comb_ruleset_compile(rs, &err)))
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    FILE *sink = fopen("/dev/null", "wb");
    comb_replay *rp = NULL;
    if (sink && comb_replay_open(f, "fuzz", &rp, &err) == COMB_OK) {
        for (int i = 0; i < 1000; i++) {
            comb_event ev;
            int have = 0;
            if (comb_replay_next(rp, &ev, &have, &err) != COMB_OK || !have)
                break;
            comb_ruleset_eval(rs, &ev, on_match, rs);
        }
    }
    comb_replay_free(rp);
    if (sink)
        fclose(sink);
    fclose(f);
    return 0;
}
