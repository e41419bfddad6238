/* severity.c - names of comb_severity (vuln/finding.h). */
#include <strings.h>

#include "vuln/finding.h"

static const char *const names[] = {
    [COMB_SEV_UNKNOWN] = "UNKNOWN",   [COMB_SEV_NEGLIGIBLE] = "NEGLIGIBLE",
    [COMB_SEV_LOW] = "LOW",           [COMB_SEV_MEDIUM] = "MEDIUM",
    [COMB_SEV_HIGH] = "HIGH",         [COMB_SEV_CRITICAL] = "CRITICAL",
};

const char *comb_severity_name(comb_severity s)
{
    if ((unsigned)s < sizeof names / sizeof names[0])
        return names[s];
    return "UNKNOWN";
}

int comb_severity_parse(const char *s, comb_severity *out)
{
    if (!s)
        return -1;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            if (out)
                *out = (comb_severity)i;
            return 0;
        }
    }
    return -1;
}
