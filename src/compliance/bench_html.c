/* bench_html.c - one self-contained HTML file: inline CSS, an inline SVG
 * bar per benchmark and section (PASS/FAIL/WARN/N-A/ERROR shares), and the
 * results with their evidence and fixes. No script, no external resource;
 * every string from the host is escaped. */
#include "compliance/bench_report.h"

static const char *const colours[COMB_BENCH_NSTATUS] = { "#2e7d32", "#c62828", "#f9a825", "#9e9e9e",
                                                         "#6a1b9a" };
static const char *const classes[COMB_BENCH_NSTATUS] = { "pass", "fail", "warn", "na", "error" };

static void esc(FILE *out, const char *s)
{
    comb_bench_xml_escape(out, s);
}

/* A stacked bar, 300 x 14, with one rectangle per non-empty status. */
static void bar(FILE *out, comb_bench_counts c)
{
    size_t total = 0;
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        total += c.n[s];
    fputs("<svg class=\"bar\" width=\"300\" height=\"14\" viewBox=\"0 0 300 14\" role=\"img\">", out);
    double x = 0;
    for (int s = 0; s < COMB_BENCH_NSTATUS && total; s++) {
        if (!c.n[s])
            continue;
        double w = 300.0 * (double)c.n[s] / (double)total;
        fprintf(out, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"14\" fill=\"%s\"><title>%s %zu</title></rect>",
                x, w, colours[s], comb_bench_status_name((comb_bench_status)s), c.n[s]);
        x += w;
    }
    if (!total)
        fputs("<rect x=\"0\" y=\"0\" width=\"300\" height=\"14\" fill=\"#eeeeee\"/>", out);
    fputs("</svg>", out);
}

static void counts_cells(FILE *out, comb_bench_counts c, double score)
{
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        fprintf(out, "<td class=\"num\">%zu</td>", c.n[s]);
    if (score < 0)
        fputs("<td class=\"num\">-</td>", out);
    else
        fprintf(out, "<td class=\"num\">%.0f%%</td>", score);
}

comb_code comb_bench_write_html(const comb_bench_report *r, FILE *out, comb_err *err)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>comb bench: ",
          out);
    esc(out, r->hostname[0] ? r->hostname : r->root);
    fputs("</title>\n<style>\n"
          "body{font-family:system-ui,sans-serif;margin:2em;color:#212121}\n"
          "table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 8px;border-bottom:1px solid #e0e0e0;"
          "text-align:left;vertical-align:top}\n.num{text-align:right}\n"
          ".st{font-weight:bold;white-space:nowrap}.pass{color:#2e7d32}.fail{color:#c62828}.warn{color:#f9a825}"
          ".na{color:#757575}.error{color:#6a1b9a}\n"
          "pre{white-space:pre-wrap;margin:0;font-size:90%}details summary{cursor:pointer}\n"
          ".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}\n"
          "</style></head><body>\n<h1>comb bench</h1>\n<p>Host <b>", out);
    esc(out, r->hostname[0] ? r->hostname : "(unknown)");
    fputs("</b>, root <code>", out);
    esc(out, r->root);
    fprintf(out, "</code> (%s), %zu containers, started %s.</p>\n", r->live ? "live" : "offline",
            r->ncontainers, r->started);
    fputs("<p class=\"legend\">", out);
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        fprintf(out, "<span style=\"background:%s\"></span>%s", colours[s],
                comb_bench_status_name((comb_bench_status)s));
    fputs("</p>\n<h2>Summary</h2>\n<table><tr><th>Benchmark / section</th><th>Chart</th>", out);
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        fprintf(out, "<th class=\"num\">%s</th>", comb_bench_status_name((comb_bench_status)s));
    fputs("<th class=\"num\">Score</th></tr>\n", out);
    for (size_t i = 0; i < r->nsets; i++) {
        const comb_bench_set *set = r->sets[i];
        fputs("<tr><td><b>", out);
        esc(out, set->title);
        fputs("</b></td><td>", out);
        bar(out, comb_bench_count(r, set, NULL));
        fputs("</td>", out);
        counts_cells(out, comb_bench_count(r, set, NULL), comb_bench_score(r, set, NULL));
        fputs("</tr>\n", out);
        for (size_t k = 0; k < set->nsections; k++) {
            const char *sid = set->sections[k].id;
            fputs("<tr><td>&nbsp;&nbsp;", out);
            esc(out, sid);
            fputs(" ", out);
            esc(out, set->sections[k].title);
            fputs("</td><td>", out);
            bar(out, comb_bench_count(r, set, sid));
            fputs("</td>", out);
            counts_cells(out, comb_bench_count(r, set, sid), comb_bench_score(r, set, sid));
            fputs("</tr>\n", out);
        }
    }
    fputs("<tr><td><b>Overall</b></td><td>", out);
    bar(out, comb_bench_count(r, NULL, NULL));
    fputs("</td>", out);
    counts_cells(out, comb_bench_count(r, NULL, NULL), comb_bench_score(r, NULL, NULL));
    fputs("</tr></table>\n<h2>Results</h2>\n<table><tr><th>Status</th><th>Check</th><th>Target</th>"
          "<th>Title and evidence</th></tr>\n", out);
    for (size_t i = 0; i < r->nresults; i++) {
        const comb_bench_result *res = &r->results[i];
        const comb_bench_check *c = res->check;
        fprintf(out, "<tr><td class=\"st %s\">%s</td><td>", classes[res->status],
                comb_bench_status_name(res->status));
        esc(out, c->id);
        fputs("<br><small>", out);
        esc(out, c->ref);
        fputs("</small></td><td>", out);
        esc(out, res->target ? res->target : "host");
        fputs("</td><td>", out);
        esc(out, c->title);
        fputs("<br><small>", out);
        esc(out, res->reason);
        fputs("</small>", out);
        if (res->status == COMB_BENCH_FAIL || res->status == COMB_BENCH_WARN ||
            res->status == COMB_BENCH_ERROR) {
            fputs("<details><summary>How to fix</summary><pre>", out);
            esc(out, res->remediation);
            fputs("</pre></details>", out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (r->nwarnings) {
        fputs("<h2>Warnings</h2><ul>\n", out);
        for (size_t i = 0; i < r->nwarnings; i++) {
            fputs("<li>", out);
            esc(out, r->warnings[i]);
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    fputs("</body></html>\n", out);
    if (ferror(out))
        return comb_fail(err, COMB_EIO, "html: write failed");
    return COMB_OK;
}
