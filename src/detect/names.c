/* names.c - scanner and detection kind names (no engine code, so that
 * reporters and the CLI can use them without pulling the scanners in). */
#include <string.h>
#include <strings.h>

#include "detect/detect.h"

int comb_scanners_parse(const char *list, unsigned *mask, comb_err *err)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        { "vuln", COMB_SCANNER_VULN },       { "vulnerability", COMB_SCANNER_VULN },
        { "secret", COMB_SCANNER_SECRET },   { "malware", COMB_SCANNER_MALWARE },
        { "config", COMB_SCANNER_CONFIG },   { "misconfig", COMB_SCANNER_CONFIG },
        { "all", COMB_SCANNER_ALL },
    };
    *mask = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && !strncasecmp(p, names[i].name, n))
                break;
        if (i == sizeof names / sizeof names[0]) {
            comb_fail(err, COMB_EINVAL, "unknown scanner \"%.*s\" (use vuln, secret, malware, config)",
                      (int)(n > 64 ? 64 : n), p);
            return -1;
        }
        *mask |= names[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!*mask) {
        comb_fail(err, COMB_EINVAL, "no scanner selected");
        return -1;
    }
    return 0;
}

const char *comb_detect_kind_name(comb_detect_kind k)
{
    switch (k) {
    case COMB_DETECT_SECRET: return "secret";
    case COMB_DETECT_MALWARE: return "malware";
    case COMB_DETECT_CONFIG: return "config";
    }
    return "?";
}

