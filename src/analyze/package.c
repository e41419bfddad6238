/* package.c - names of package types. */
#include "analyze/package.h"

static const char *const type_names[COMB_PKG_TYPE_COUNT] = {
    [COMB_PKG_DPKG] = "dpkg",       [COMB_PKG_APK] = "apk",
    [COMB_PKG_RPM] = "rpm",         [COMB_PKG_PYTHON] = "python",
    [COMB_PKG_NPM] = "npm",         [COMB_PKG_GO] = "go-module",
    [COMB_PKG_GO_STDLIB] = "go-stdlib", [COMB_PKG_MAVEN] = "java",
    [COMB_PKG_GEM] = "gem",         [COMB_PKG_CARGO] = "cargo",
    [COMB_PKG_COMPOSER] = "composer",
};

const char *comb_pkg_type_name(comb_pkg_type t)
{
    return (unsigned)t < COMB_PKG_TYPE_COUNT ? type_names[t] : "unknown";
}

int comb_pkg_type_is_os(comb_pkg_type t)
{
    return t == COMB_PKG_DPKG || t == COMB_PKG_APK || t == COMB_PKG_RPM;
}
