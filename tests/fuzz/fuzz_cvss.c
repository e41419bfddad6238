/* fuzz_cvss.c - libFuzzer target for the CVSS vector parsers and scorers.
 * Any input must give either < 0 or a score in [0, 10] that is a whole
 * number of tenths, and the severity of it must be defined. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/cvss.h"

static void check(double s)
{
    if (s < 0)
        return;
    if (!(s <= 10.0))
        abort();
    double t = s * 10.0;
    long long r = (long long)(t + 0.5);
    if (t - (double)r > 1e-9 || (double)r - t > 1e-9)
        abort();
    if (comb_cvss_severity(s) == COMB_SEV_UNKNOWN)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check(comb_cvss3_score(s));
    check(comb_cvss4_score(s));
    check(comb_cvss_score(s));
    free(s);
    return 0;
}
