/* spdx.c - placeholder until the reporter lands. */
#include "report/report.h"

comb_code comb_report_spdx(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err)
{
    (void)inv; (void)o; (void)out;
    return comb_fail(err, COMB_EUNSUPPORTED, "spdx output is not implemented yet");
}
