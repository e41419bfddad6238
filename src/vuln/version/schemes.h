/* schemes.h - internal interface between vuln/version.c and the per-scheme
 * comparators in vuln/version/. Not for use outside vuln/ (and its tests).
 *
 * Every comparator works in place on NUL-terminated strings that the
 * dispatcher has already checked (non-empty, at most COMB_VERSION_MAX bytes,
 * no ASCII control characters or spaces); it never allocates, never
 * recurses and runs in linear time. valid() says whether the scheme accepts
 * the string; cmp() returns <0, 0 or >0 and is only called on valid input.
 */
#ifndef COMB_VULN_VERSION_SCHEMES_H
#define COMB_VULN_VERSION_SCHEMES_H

#include <stddef.h>
#include <string.h>

#define COMB_VERSION_MAX 256

#define COMB_VS_DECL(n)                                 \
    int comb_vs_##n##_valid(const char *v);             \
    int comb_vs_##n##_cmp(const char *a, const char *b);

COMB_VS_DECL(dpkg)
COMB_VS_DECL(apk)
COMB_VS_DECL(rpm)
COMB_VS_DECL(pep440)
COMB_VS_DECL(semver)
COMB_VS_DECL(go)
COMB_VS_DECL(maven)
COMB_VS_DECL(gem)
COMB_VS_DECL(nuget)
COMB_VS_DECL(composer)

/* Strict forms, for differential tests against the native tools: 1 when v
 * is a version the ecosystem's reference tool accepts (SemVer 2.0.0 as
 * npm's semver parses it; PEP 440 as packaging.version.Version parses it).
 * The comparators themselves also order the looser forms found in
 * advisories (legacy PyPI versions, "1.0"-style npm versions). */
int comb_vs_semver_strict(const char *v);
int comb_vs_pep440_strict(const char *v);

/* SemVer-like ordering shared by semver.c, go.c and nuget.c: an optional
 * leading 'v', any number of dot-separated numeric components (missing ones
 * are 0), then an optional prerelease ('-' or any other non-'+' character
 * starts it; SemVer 2.0.0 identifier precedence, letters folded when fold
 * != 0), then '+' build metadata, which is ignored. */
int comb_vs_semverlike_cmp(const char *a, const char *b, int fold);

/* Shared helpers. */
static inline int vs_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int vs_isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int vs_isalnum(int c) { return vs_isdigit(c) || vs_isalpha(c); }
static inline int vs_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int vs_sign(long v) { return (v > 0) - (v < 0); }

/* Compare two runs of decimal digits by value, whatever their length. */
static inline int vs_numcmp(const char *a, size_t al, const char *b, size_t bl)
{
    while (al > 0 && *a == '0') { a++; al--; }
    while (bl > 0 && *b == '0') { b++; bl--; }
    if (al != bl)
        return al < bl ? -1 : 1;
    int r = al ? memcmp(a, b, al) : 0;
    return vs_sign(r);
}

/* Byte-wise comparison of two runs (shorter prefix sorts first); fold != 0
 * compares ASCII letters case-insensitively. */
static inline int vs_strcmp(const char *a, size_t al, const char *b, size_t bl, int fold)
{
    size_t n = al < bl ? al : bl;
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (fold) { x = vs_lower(x); y = vs_lower(y); }
        if (x != y)
            return x < y ? -1 : 1;
    }
    return al == bl ? 0 : (al < bl ? -1 : 1);
}

static inline size_t vs_digits(const char *s) { size_t n = 0; while (vs_isdigit(s[n])) n++; return n; }
static inline size_t vs_alphas(const char *s) { size_t n = 0; while (vs_isalpha(s[n])) n++; return n; }

#endif
