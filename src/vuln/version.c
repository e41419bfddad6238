/* version.c - dispatch of version comparisons to the per-scheme comparators
 * in vuln/version/ (see version.h), plus the ecosystem -> scheme tables.
 * Common input checks live here: a version is a non-empty NUL-terminated
 * string of at most COMB_VERSION_MAX bytes without ASCII control characters
 * or spaces; each scheme then applies its own grammar. */
#include "vuln/version.h"

#include <string.h>
#include <strings.h>

#include "vuln/version/schemes.h"

typedef struct vs_ops {
    const char *name;
    int (*valid)(const char *);
    int (*cmp)(const char *, const char *);
} vs_ops;

static const vs_ops OPS[COMB_VS_COUNT] = {
    [COMB_VS_UNKNOWN] = {"unknown", NULL, NULL},
    [COMB_VS_DPKG] = {"dpkg", comb_vs_dpkg_valid, comb_vs_dpkg_cmp},
    [COMB_VS_APK] = {"apk", comb_vs_apk_valid, comb_vs_apk_cmp},
    [COMB_VS_RPM] = {"rpm", comb_vs_rpm_valid, comb_vs_rpm_cmp},
    [COMB_VS_PEP440] = {"pep440", comb_vs_pep440_valid, comb_vs_pep440_cmp},
    [COMB_VS_SEMVER] = {"semver", comb_vs_semver_valid, comb_vs_semver_cmp},
    [COMB_VS_GO] = {"go", comb_vs_go_valid, comb_vs_go_cmp},
    [COMB_VS_MAVEN] = {"maven", comb_vs_maven_valid, comb_vs_maven_cmp},
    [COMB_VS_GEM] = {"gem", comb_vs_gem_valid, comb_vs_gem_cmp},
    [COMB_VS_NUGET] = {"nuget", comb_vs_nuget_valid, comb_vs_nuget_cmp},
    [COMB_VS_COMPOSER] = {"composer", comb_vs_composer_valid, comb_vs_composer_cmp},
};

static int basic_ok(const char *v)
{
    if (!v || !v[0])
        return 0;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (++n > COMB_VERSION_MAX || *p <= ' ' || *p == 0x7f)
            return 0;
    }
    return 1;
}

int comb_version_valid(comb_vscheme s, const char *v)
{
    if ((unsigned)s >= COMB_VS_COUNT || !OPS[s].valid || !basic_ok(v))
        return 0;
    return OPS[s].valid(v) ? 1 : 0;
}

int comb_version_compare(comb_vscheme s, const char *a, const char *b, int *cmp)
{
    if (!cmp || !comb_version_valid(s, a) || !comb_version_valid(s, b))
        return -1;
    int r = OPS[s].cmp(a, b);
    *cmp = (r > 0) - (r < 0);
    return 0;
}

const char *comb_vscheme_name(comb_vscheme s)
{
    return (unsigned)s < COMB_VS_COUNT ? OPS[s].name : "unknown";
}

/* Does eco equal name, or start with name followed by ':'? */
static int eco_is(const char *eco, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(eco, name, n) == 0 && (eco[n] == '\0' || eco[n] == ':');
}

comb_vscheme comb_vscheme_for_osv(const char *eco)
{
    static const struct { const char *name; comb_vscheme s; } T[] = {
        {"Debian", COMB_VS_DPKG}, {"Ubuntu", COMB_VS_DPKG},
        {"Alpine", COMB_VS_APK}, {"Wolfi", COMB_VS_APK}, {"Chainguard", COMB_VS_APK},
        {"Red Hat", COMB_VS_RPM}, {"Rocky Linux", COMB_VS_RPM}, {"AlmaLinux", COMB_VS_RPM},
        {"SUSE", COMB_VS_RPM}, {"openSUSE", COMB_VS_RPM}, {"Mageia", COMB_VS_RPM},
        {"Photon OS", COMB_VS_RPM}, {"Azure Linux", COMB_VS_RPM}, {"Mariner", COMB_VS_RPM},
        {"Amazon Linux", COMB_VS_RPM}, {"openEuler", COMB_VS_RPM},
        {"PyPI", COMB_VS_PEP440},
        {"npm", COMB_VS_SEMVER}, {"crates.io", COMB_VS_SEMVER},
        {"Go", COMB_VS_GO},
        {"Maven", COMB_VS_MAVEN},
        {"RubyGems", COMB_VS_GEM},
        {"NuGet", COMB_VS_NUGET},
        {"Packagist", COMB_VS_COMPOSER},
    };
    if (!eco)
        return COMB_VS_UNKNOWN;
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (eco_is(eco, T[i].name))
            return T[i].s;
    return COMB_VS_UNKNOWN;
}

comb_vscheme comb_vscheme_for_pkg(comb_pkg_type t)
{
    switch (t) {
    case COMB_PKG_DPKG: return COMB_VS_DPKG;
    case COMB_PKG_APK: return COMB_VS_APK;
    case COMB_PKG_RPM: return COMB_VS_RPM;
    case COMB_PKG_PYTHON: return COMB_VS_PEP440;
    case COMB_PKG_NPM: return COMB_VS_SEMVER;
    case COMB_PKG_CARGO: return COMB_VS_SEMVER;
    case COMB_PKG_GO: return COMB_VS_GO;
    case COMB_PKG_GO_STDLIB: return COMB_VS_GO;
    case COMB_PKG_MAVEN: return COMB_VS_MAVEN;
    case COMB_PKG_GEM: return COMB_VS_GEM;
    case COMB_PKG_COMPOSER: return COMB_VS_COMPOSER;
    default: return COMB_VS_UNKNOWN;
    }
}
