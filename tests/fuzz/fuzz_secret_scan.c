/* fuzz_secret_scan.c - libFuzzer target scanning arbitrary bytes with the
 * built-in rules, through each prefilter. The first byte picks the path
 * (some rules apply to certain file names only) and whether binaries are
 * scanned. Aborts when a scan fails, when a finding has an empty rule id,
 * a zero position or unbounded strings, or when more findings arrive than
 * the per-file cap. (The prefilters may legitimately differ: a window can
 * start inside what a whole-file scan matches as one longer match.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ud, const comb_secret_match *m)
{
    if (!m->rule_id[0] || m->line == 0 || m->col == 0 ||
        strlen(m->redacted_line) > COMB_SECRET_SNIPPET_MAX + 6 || strlen(m->redacted_match) > 400)
        abort();
    (*(size_t *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static comb_secret_engine *engines[2][2];
    static const char *const paths[] = { "app/config.env", "root/.m2/settings.xml",
                                         "root/.kube/config", "app/cert.p12" };
    if (size < 1)
        return 0;
    static int ready;
    for (int b = 0; b < 2 && !ready; b++) {
        comb_secret_opts keywords = { .scan_binaries = b, .prefilter = COMB_SECRET_PREFILTER_KEYWORDS };
        comb_secret_opts trivy = { .scan_binaries = b, .prefilter = COMB_SECRET_PREFILTER_TRIVY };
        comb_err err;
        if (comb_secret_engine_new(&keywords, &engines[b][0], &err) ||
            comb_secret_engine_new(&trivy, &engines[b][1], &err))
            abort();
    }
    ready = 1;
    int bin = data[0] >> 7;
    const char *path = paths[data[0] & 3];
    size_t found[2] = { 0, 0 };
    for (int m = 0; m < 2; m++) {
        comb_err err;
        if (comb_secret_scan(engines[bin][m], path, data + 1, size - 1, check, &found[m], &err))
            abort();
    }
    if (found[0] > COMB_SECRET_MAX_FINDINGS || found[1] > COMB_SECRET_MAX_FINDINGS)
        abort();
    return 0;
}
