/* nuget.c - NuGet version ordering (NuGet.Versioning's VersionComparer):
 * up to four numeric parts (missing parts are 0, "1.0" == "1.0.0.0",
 * leading zeros ignored), then SemVer 2.0.0 prerelease precedence with
 * labels compared case-insensitively; build metadata after '+' is ignored. */
#include "vuln/version/schemes.h"

int comb_vs_nuget_valid(const char *v)
{
    if (*v == 'v' || *v == 'V')
        v++;
    if (!vs_isdigit(*v))
        return 0;
    /* at most four numeric parts */
    int parts = 1;
    for (; vs_isdigit(*v) || *v == '.'; v++)
        if (*v == '.' && ++parts > 4)
            return 0;
    return 1;
}

int comb_vs_nuget_cmp(const char *a, const char *b)
{
    return comb_vs_semverlike_cmp(a, b, 1);
}
