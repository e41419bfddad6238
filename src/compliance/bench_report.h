/* bench_report.h - writing a `comb bench` report: table, json, junit,
 * sarif, html. Writers only read the report. */
#ifndef COMB_COMPLIANCE_BENCH_REPORT_H
#define COMB_COMPLIANCE_BENCH_REPORT_H

#include <stdio.h>

#include "compliance/bench.h"

typedef enum comb_bench_format {
    COMB_BFMT_TABLE,
    COMB_BFMT_JSON,
    COMB_BFMT_JUNIT,
    COMB_BFMT_SARIF,
    COMB_BFMT_HTML,
} comb_bench_format;

int comb_bench_format_parse(const char *s, comb_bench_format *out);

typedef struct comb_bench_write_opts {
    int color;    /* table: ANSI colours (a terminal) */
    int verbose;  /* table: evidence and remediation for every non-PASS result */
} comb_bench_write_opts;

comb_code comb_bench_write(const comb_bench_report *r, comb_bench_format fmt,
                           const comb_bench_write_opts *o, FILE *out, comb_err *err);

/* per format (bench_json.c, bench_junit.c, bench_html.c, bench_table.c) */
comb_code comb_bench_write_json(const comb_bench_report *r, FILE *out, comb_err *err);
comb_code comb_bench_write_sarif(const comb_bench_report *r, FILE *out, comb_err *err);
comb_code comb_bench_write_junit(const comb_bench_report *r, FILE *out, comb_err *err);
comb_code comb_bench_write_html(const comb_bench_report *r, FILE *out, comb_err *err);
comb_code comb_bench_write_table(const comb_bench_report *r, const comb_bench_write_opts *o,
                                 FILE *out, comb_err *err);

/* Escape for XML and HTML text and attributes (& < > " '). */
void comb_bench_xml_escape(FILE *out, const char *s);

#endif
