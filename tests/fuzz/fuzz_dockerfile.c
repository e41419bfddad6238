/* fuzz_dockerfile.c - libFuzzer target for the Dockerfile parser and the
 * Dockerfile checks. Any input must parse or fail with a message; a parsed
 * Dockerfile must have instructions with keywords, increasing lines within
 * the input, and stages that partition the instructions after the first
 * FROM; the checks must succeed, and every finding must have a check, a
 * message and a location naming the file. The SARIF writer must accept the
 * findings (checked on one input in eight, for speed). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misconfig/dockerfile.h"
#include "misconfig/misconfig.h"
#include "misconfig/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    comb_err err;
    comb_err_clear(&err);
    comb_dockerfile *df = NULL;
    comb_code rc = comb_dockerfile_parse("Dockerfile", (const char *)data, size, &df, &err);
    if (rc != COMB_OK) {
        if (df || !err.msg[0] || strncmp(err.msg, "Dockerfile", 10) != 0)
            abort();
        return 0;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    unsigned prev = 0;
    for (size_t i = 0; i < df->n; i++) {
        const comb_df_instr *in = &df->instrs[i];
        if (!in->keyword || !in->args || in->line <= prev || in->end_line < in->line ||
            in->end_line > lines || (in->exec_form && !in->argv))
            abort();
        for (size_t h = 0; h < in->nheredocs; h++)
            if (!in->heredocs[h].body || !in->heredocs[h].delimiter)
                abort();
        prev = in->end_line;
    }
    size_t covered = df->nstages ? df->stages[0].first : df->n;
    for (size_t s = 0; s < df->nstages; s++) {
        const comb_df_stage *st = &df->stages[s];
        if (st->first != covered || !st->count || !st->image || st->parent >= (int)s ||
            strcmp(df->instrs[st->first].keyword, "FROM"))
            abort();
        covered += st->count;
    }
    if (covered != df->n)
        abort();
    comb_mc_list l;
    comb_mc_list_init(&l);
    if (comb_misconfig_dockerfile(df, &l, &err) != COMB_OK)
        abort();
    for (size_t i = 0; i < l.n; i++)
        if (!l.items[i].check || !l.items[i].message || strncmp(l.items[i].location, "Dockerfile:", 11) ||
            l.items[i].line == 0)
            abort();
    /* the SARIF writer costs more than parsing: exercise it on 1 input in 8 */
    FILE *null = size % 8 == 0 ? fopen("/dev/null", "w") : NULL;
    if (null) {
        comb_mc_target t = { .name = "Dockerfile", .kind = "dockerfile", .is_file = 1, .findings = &l };
        if (comb_mc_report_write(&t, 1, COMB_MC_FMT_SARIF, 0, null, &err) != COMB_OK)
            abort();
        fclose(null);
    }
    comb_mc_list_free(&l);
    comb_dockerfile_free(df);
    return 0;
}
