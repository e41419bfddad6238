/* version.h - version ordering, one scheme per ecosystem.
 *
 * Each scheme lives in its own file under vuln/version/ and follows the
 * ecosystem's own rules (dpkg's deb-version(7), apk-tools, rpm's rpmvercmp
 * with epoch/tilde/caret, PEP 440, SemVer 2.0 as npm and cargo use it, Go
 * module versions with +incompatible and pseudo-versions, Maven's
 * ComparableVersion, RubyGems' Gem::Version, NuGet, Composer). Versions are
 * attacker-controlled: every comparison is bounded in time and memory and
 * never fails on garbage; an unparsable version is reported, not guessed.
 */
#ifndef COMB_VULN_VERSION_H
#define COMB_VULN_VERSION_H

#include "analyze/package.h"

typedef enum comb_vscheme {
    COMB_VS_UNKNOWN = 0,
    COMB_VS_DPKG,      /* Debian, Ubuntu */
    COMB_VS_APK,       /* Alpine, Wolfi */
    COMB_VS_RPM,       /* Red Hat, Rocky, Alma, SUSE, Mariner, Amazon */
    COMB_VS_PEP440,    /* PyPI */
    COMB_VS_SEMVER,    /* npm, crates.io */
    COMB_VS_GO,        /* Go modules and the Go toolchain ("stdlib") */
    COMB_VS_MAVEN,
    COMB_VS_GEM,       /* RubyGems */
    COMB_VS_NUGET,
    COMB_VS_COMPOSER,  /* Packagist */
    COMB_VS_COUNT
} comb_vscheme;

/* Compare a and b under scheme s: sets *cmp to <0, 0 or >0 and returns 0;
 * returns -1 (and leaves *cmp alone) when either version is not valid in
 * that scheme. Never crashes, allocates at most O(len) and runs in O(len). */
int comb_version_compare(comb_vscheme s, const char *a, const char *b, int *cmp);

/* 1 if v is a valid version in scheme s. */
int comb_version_valid(comb_vscheme s, const char *v);

/* The scheme of an OSV ecosystem name ("Debian:12", "Alpine:v3.18", "PyPI",
 * "npm", "Go", "crates.io", "Maven", "RubyGems", "Packagist", "NuGet",
 * "Red Hat", "Rocky Linux", "AlmaLinux", "SUSE", "openSUSE", "Ubuntu:22.04:LTS"). */
comb_vscheme comb_vscheme_for_osv(const char *ecosystem);

/* The scheme of an inventory package type. */
comb_vscheme comb_vscheme_for_pkg(comb_pkg_type t);

const char *comb_vscheme_name(comb_vscheme s); /* "dpkg", "pep440", ... */

#endif
