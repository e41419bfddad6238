/* scan_report.h - writing the result of `comb scan` (vuln/finding.h).
 * Reporters only read the result; they never re-match. Suppressed
 * findings (ignore file / VEX) are written only where the format can say
 * so (JSON "suppressed", SARIF suppressions, VEX statuses); the table
 * counts them in its summary. */
#ifndef COMB_REPORT_SCAN_REPORT_H
#define COMB_REPORT_SCAN_REPORT_H

#include <stdio.h>

#include "core/error.h"
#include "report/report.h"
#include "vuln/finding.h"

typedef enum comb_scan_format {
    COMB_SFMT_TABLE,
    COMB_SFMT_JSON,      /* schema "comb-scan/1" */
    COMB_SFMT_SARIF,     /* SARIF 2.1.0 */
    COMB_SFMT_CYCLONEDX, /* CycloneDX 1.6 with vulnerabilities */
    COMB_SFMT_OPENVEX,   /* OpenVEX 0.2.0 */
} comb_scan_format;

/* "table", "json", "sarif", "cyclonedx" (or "cyclonedx-json"), "openvex". */
comb_code comb_scan_format_parse(const char *s, comb_scan_format *out, comb_err *err);

/* Dispatch, then flush and check `out` for write errors. */
comb_code comb_report_scan_write(const comb_scan_result *r, comb_scan_format fmt,
                                 const comb_report_opts *o, FILE *out, comb_err *err);

/* The ANSI colour of a severity in tables ("" without colour). */
const char *comb_report_severity_color(const comb_report_opts *o, comb_severity s);

comb_code comb_report_scan_table(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                 comb_err *err);
comb_code comb_report_scan_json(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                comb_err *err);
comb_code comb_report_scan_sarif(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                 comb_err *err);
comb_code comb_report_scan_cyclonedx(const comb_scan_result *r, const comb_report_opts *o,
                                     FILE *out, comb_err *err);
comb_code comb_report_scan_openvex(const comb_scan_result *r, const comb_report_opts *o,
                                   FILE *out, comb_err *err);

#endif
