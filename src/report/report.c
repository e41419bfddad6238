/* report.c - format names and dispatch to one reporter per format. */
#include "report/report.h"

#include <string.h>

comb_code comb_format_parse(const char *s, comb_format *out, comb_err *err)
{
    static const struct { const char *name; comb_format f; } names[] = {
        { "table", COMB_FMT_TABLE },         { "json", COMB_FMT_JSON },
        { "cyclonedx", COMB_FMT_CYCLONEDX }, { "cyclonedx-json", COMB_FMT_CYCLONEDX },
        { "spdx", COMB_FMT_SPDX },           { "spdx-json", COMB_FMT_SPDX },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *out = names[i].f;
            return COMB_OK;
        }
    return comb_fail(err, COMB_EINVAL,
                     "unknown format \"%s\" (expected table, json, cyclonedx or spdx)", s);
}

comb_code comb_report_write(const comb_inventory *inv, comb_format fmt,
                            const comb_report_opts *opts, FILE *out, comb_err *err)
{
    comb_report_opts def = { 0 };
    if (!opts)
        opts = &def;
    comb_code rc;
    switch (fmt) {
    case COMB_FMT_TABLE: rc = comb_report_table(inv, opts, out, err); break;
    case COMB_FMT_JSON: rc = comb_report_json(inv, opts, out, err); break;
    case COMB_FMT_CYCLONEDX: rc = comb_report_cyclonedx(inv, opts, out, err); break;
    case COMB_FMT_SPDX: rc = comb_report_spdx(inv, opts, out, err); break;
    default: rc = comb_fail(err, COMB_EINVAL, "unknown format"); break;
    }
    if (rc == COMB_OK && (fflush(out) != 0 || ferror(out)))
        rc = comb_fail(err, COMB_EIO, "writing the report failed");
    return rc;
}
