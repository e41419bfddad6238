/* bench_table.c - the terminal report: one line per result, then the
 * evidence and fix of each FAIL and ERROR, then scores per section. */
#include <string.h>

#include "compliance/bench_report.h"

static const char *const ansi[COMB_BENCH_NSTATUS] = { "\033[32m", "\033[31m", "\033[33m", "\033[90m",
                                                      "\033[35m" };

comb_code comb_bench_write_table(const comb_bench_report *r, const comb_bench_write_opts *o,
                                 FILE *out, comb_err *err)
{
    int color = o && o->color;
    for (size_t s = 0; s < r->nsets; s++) {
        const comb_bench_set *set = r->sets[s];
        fprintf(out, "== %s\n", set->title);
        for (size_t i = 0; i < r->nresults; i++) {
            const comb_bench_result *res = &r->results[i];
            if (res->check->set != set)
                continue;
            fprintf(out, "%s%-14s%s %-14s %s%s%s%s\n", color ? ansi[res->status] : "",
                    comb_bench_status_name(res->status), color ? "\033[0m" : "", res->check->id,
                    res->check->title, res->target ? " [" : "", res->target ? res->target : "",
                    res->target ? "]" : "");
            int detail = res->status == COMB_BENCH_FAIL || res->status == COMB_BENCH_ERROR ||
                         (o && o->verbose && res->status != COMB_BENCH_PASS);
            if (detail)
                fprintf(out, "%15s %s\n", "", res->reason);
            if (detail && res->status == COMB_BENCH_FAIL) {
                fprintf(out, "%15s fix: ", "");
                for (const char *p = res->remediation; *p; p++) {
                    fputc(*p, out);
                    if (*p == '\n' && p[1])
                        fprintf(out, "%20s", "");
                }
                if (res->remediation[0] &&
                    res->remediation[strlen(res->remediation) - 1] != '\n')
                    fputc('\n', out);
            }
        }
        fputc('\n', out);
    }
    fprintf(out, "%-40s %6s %6s %6s %6s %6s %7s\n", "Score", "PASS", "FAIL", "WARN", "N/A", "ERROR",
            "score");
    for (size_t s = 0; s < r->nsets; s++) {
        const comb_bench_set *set = r->sets[s];
        for (size_t k = 0; k <= set->nsections; k++) {
            const char *sid = k < set->nsections ? set->sections[k].id : NULL;
            comb_bench_counts c = comb_bench_count(r, set, sid);
            double sc = comb_bench_score(r, set, sid);
            char label[80];
            if (sid)
                snprintf(label, sizeof label, "  %s %.34s", sid, set->sections[k].title);
            else
                snprintf(label, sizeof label, "%s (all sections)", set->name);
            fprintf(out, "%-40s %6zu %6zu %6zu %6zu %6zu ", label, c.n[0], c.n[1], c.n[2], c.n[3], c.n[4]);
            if (sc < 0)
                fprintf(out, "%7s\n", "-");
            else
                fprintf(out, "%6.0f%%\n", sc);
        }
    }
    comb_bench_counts c = comb_bench_count(r, NULL, NULL);
    double sc = comb_bench_score(r, NULL, NULL);
    fprintf(out, "%-40s %6zu %6zu %6zu %6zu %6zu ", "Overall", c.n[0], c.n[1], c.n[2], c.n[3], c.n[4]);
    if (sc < 0)
        fprintf(out, "%7s\n", "-");
    else
        fprintf(out, "%6.0f%%\n", sc);
    if (ferror(out))
        return comb_fail(err, COMB_EIO, "table: write failed");
    return COMB_OK;
}

comb_code comb_bench_write(const comb_bench_report *r, comb_bench_format fmt,
                           const comb_bench_write_opts *o, FILE *out, comb_err *err)
{
    switch (fmt) {
    case COMB_BFMT_TABLE: return comb_bench_write_table(r, o, out, err);
    case COMB_BFMT_JSON: return comb_bench_write_json(r, out, err);
    case COMB_BFMT_JUNIT: return comb_bench_write_junit(r, out, err);
    case COMB_BFMT_SARIF: return comb_bench_write_sarif(r, out, err);
    case COMB_BFMT_HTML: return comb_bench_write_html(r, out, err);
    }
    return comb_fail(err, COMB_EINVAL, "unknown report format");
}
