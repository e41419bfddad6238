/* report.h - turning an inventory into output. Reporters only read the
 * inventory; they write to the FILE the caller hands them. */
#ifndef COMB_REPORT_REPORT_H
#define COMB_REPORT_REPORT_H

#include <stdio.h>
#include <time.h>

#include "core/error.h"
#include "sbom/inventory.h"

typedef enum comb_format {
    COMB_FMT_TABLE,
    COMB_FMT_JSON,
    COMB_FMT_CYCLONEDX, /* CycloneDX 1.6 JSON */
    COMB_FMT_SPDX,      /* SPDX 2.3 JSON */
} comb_format;

typedef struct comb_report_opts {
    int color;            /* ANSI colours (the CLI sets it only on a terminal) */
    time_t now;           /* timestamp written into documents (0 = time(NULL)) */
    const char *uuid;     /* serial number / namespace suffix; NULL = random */
} comb_report_opts;

/* Parse "table", "json", "cyclonedx", "spdx" (also "cyclonedx-json", "spdx-json"). */
comb_code comb_format_parse(const char *s, comb_format *out, comb_err *err);

comb_code comb_report_write(const comb_inventory *inv, comb_format fmt,
                            const comb_report_opts *opts, FILE *out, comb_err *err);

/* One file each. */
comb_code comb_report_table(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err);
comb_code comb_report_json(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err);
comb_code comb_report_cyclonedx(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err);
comb_code comb_report_spdx(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err);

#endif
