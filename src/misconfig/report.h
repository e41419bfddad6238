/* report.h - writing configuration findings: a table for people, JSON
 * ("comb-config/1", see docs/MISCONFIG.md) and SARIF 2.1.0 for code
 * scanning. One document covers several targets (Dockerfiles, images). */
#ifndef COMB_MISCONFIG_REPORT_H
#define COMB_MISCONFIG_REPORT_H

#include <stdio.h>

#include "core/error.h"
#include "misconfig/misconfig.h"

typedef enum comb_mc_format {
    COMB_MC_FMT_TABLE,
    COMB_MC_FMT_JSON,
    COMB_MC_FMT_SARIF,
} comb_mc_format;

typedef struct comb_mc_target {
    const char *name;            /* the path or image the user gave */
    const char *kind;            /* "dockerfile" or "image" */
    int is_file;                 /* findings with a line are in this file (SARIF region) */
    const comb_mc_list *findings;
} comb_mc_target;

/* "table", "json", "sarif". */
comb_code comb_mc_format_parse(const char *s, comb_mc_format *out, comb_err *err);

/* Write, flush and check `out` for errors (COMB_EIO). `color`: ANSI colours
 * in the table (only when writing to a terminal). */
comb_code comb_mc_report_write(const comb_mc_target *targets, size_t n, comb_mc_format fmt,
                               int color, FILE *out, comb_err *err);

#endif
