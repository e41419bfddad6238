/* bench_junit.c - JUnit XML, the format CI systems show as test results:
 * one testsuite per benchmark, one testcase per result; FAIL is a
 * <failure>, ERROR an <error>, manual (WARN) and NOT-APPLICABLE are
 * <skipped> with the reason. */
#include "compliance/bench_report.h"

void comb_bench_xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* report text is clean UTF-8 (bench.c), but stay safe for XML 1.0 */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc(' ', out);
            else
                fputc(*s, out);
        }
    }
}

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    comb_bench_xml_escape(out, value);
    fputc('"', out);
}

comb_code comb_bench_write_junit(const comb_bench_report *r, FILE *out, comb_err *err)
{
    comb_bench_counts all = comb_bench_count(r, NULL, NULL);
    size_t total = 0;
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        total += all.n[s];
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"comb bench\" "
                 "tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
            total, all.n[COMB_BENCH_FAIL], all.n[COMB_BENCH_ERROR],
            all.n[COMB_BENCH_WARN] + all.n[COMB_BENCH_NA]);
    for (size_t s = 0; s < r->nsets; s++) {
        const comb_bench_set *set = r->sets[s];
        comb_bench_counts c = comb_bench_count(r, set, NULL);
        size_t n = 0;
        for (int k = 0; k < COMB_BENCH_NSTATUS; k++)
            n += c.n[k];
        fputs("  <testsuite", out);
        attr(out, "name", set->name);
        fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n,
                c.n[COMB_BENCH_FAIL], c.n[COMB_BENCH_ERROR], c.n[COMB_BENCH_WARN] + c.n[COMB_BENCH_NA]);
        attr(out, "timestamp", r->started);
        attr(out, "hostname", r->hostname[0] ? r->hostname : "localhost");
        fputs(">\n", out);
        for (size_t i = 0; i < r->nresults; i++) {
            const comb_bench_result *res = &r->results[i];
            if (res->check->set != set)
                continue;
            char name[1024];
            snprintf(name, sizeof name, "%s %s%s%s%s", res->check->id, res->check->title,
                     res->target ? " [" : "", res->target ? res->target : "", res->target ? "]" : "");
            char cls[256];
            snprintf(cls, sizeof cls, "%s.%s", set->name, res->check->section);
            fputs("    <testcase", out);
            attr(out, "classname", cls);
            attr(out, "name", name);
            if (res->status == COMB_BENCH_PASS) {
                fputs("/>\n", out);
                continue;
            }
            fputs(">\n", out);
            const char *tag = res->status == COMB_BENCH_FAIL ? "failure"
                              : res->status == COMB_BENCH_ERROR ? "error" : "skipped";
            fprintf(out, "      <%s", tag);
            attr(out, "message", res->reason);
            if (res->status == COMB_BENCH_FAIL || res->status == COMB_BENCH_ERROR) {
                attr(out, "type", res->check->ref);
                fputs(">", out);
                comb_bench_xml_escape(out, res->reason);
                fputs("\nRemediation:\n", out);
                comb_bench_xml_escape(out, res->remediation);
                fprintf(out, "</%s>\n", tag);
            } else {
                fputs("/>\n", out);
            }
            fputs("    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    if (ferror(out))
        return comb_fail(err, COMB_EIO, "junit: write failed");
    return COMB_OK;
}
