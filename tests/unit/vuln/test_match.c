/* test_match.c - OSV range semantics of vuln/match.c with synthetic records. */
#include "test.h"

#include "vuln/match.h"

#define I(v) { COMB_EV_INTRODUCED, v }
#define F(v) { COMB_EV_FIXED, v }
#define LA(v) { COMB_EV_LAST_AFFECTED, v }
#define LIM(v) { COMB_EV_LIMIT, v }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static comb_arena arena;

static comb_affected rec(comb_vscheme s, const comb_event *ev, size_t n)
{
    return (comb_affected){ .vuln_id = "CVE-TEST-1", .ecosystem = "test", .package = "pkg",
                            .scheme = s, .events = ev, .nevents = n };
}

/* verdict of record for installed version; *fixed0 = first fixed version */
static int m(const comb_affected *a, const char *inst, const char **fixed0, size_t *nwarn)
{
    comb_match r;
    if (comb_match_affected(a, inst, &arena, &r) != COMB_OK)
        return 99;
    if (fixed0)
        *fixed0 = r.nfixed ? r.fixed[0] : NULL;
    if (nwarn)
        *nwarn = r.nwarnings;
    return (int)r.verdict;
}

static void test_dpkg_epoch(void)
{
    static const comb_event ev[] = { I("0"), F("1:1.0-1") };
    comb_affected a = rec(COMB_VS_DPKG, ev, N(ev));
    const char *fx;
    CHECK_INT(m(&a, "2.0-1", &fx, NULL), 1); /* epoch 0 < epoch 1 */
    CHECK_STR(fx, "1:1.0-1");
    CHECK_INT(m(&a, "1:0.9-5", NULL, NULL), 1);
    CHECK_INT(m(&a, "1:1.0-1", NULL, NULL), 0);
    CHECK_INT(m(&a, "2:0.1-1", NULL, NULL), 0);
}

static void test_dpkg_tilde_debu(void)
{
    static const comb_event t[] = { I("0"), F("1.0~rc1-1") };
    comb_affected a = rec(COMB_VS_DPKG, t, N(t));
    CHECK_INT(m(&a, "1.0~beta1-1", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.0~rc1-1", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.0-1", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.0~~-1", NULL, NULL), 1);
    static const comb_event d[] = { I("0"), F("2.36-9+deb12u4") };
    comb_affected b = rec(COMB_VS_DPKG, d, N(d));
    CHECK_INT(m(&b, "2.36-9+deb12u3", NULL, NULL), 1);
    CHECK_INT(m(&b, "2.36-9", NULL, NULL), 1);
    CHECK_INT(m(&b, "2.36-9+deb12u4", NULL, NULL), 0);
    CHECK_INT(m(&b, "2.36-9+deb12u10", NULL, NULL), 0); /* numeric, not lexical */
    CHECK_INT(m(&b, "2.36-9+deb12u3+b1", NULL, NULL), 1);
}

static void test_apk_suffixes(void)
{
    static const comb_event r[] = { I("0"), F("1.2.3-r2") };
    comb_affected a = rec(COMB_VS_APK, r, N(r));
    CHECK_INT(m(&a, "1.2.3-r1", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.2.3-r2", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.2.3-r10", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.2.3_rc1-r5", NULL, NULL), 1); /* _rc sorts before the release */
    CHECK_INT(m(&a, "1.2.3_p1-r0", NULL, NULL), 0);  /* _p sorts after it */
    static const comb_event p[] = { I("0"), F("1.2.3_p1-r0") };
    comb_affected b = rec(COMB_VS_APK, p, N(p));
    CHECK_INT(m(&b, "1.2.3-r9", NULL, NULL), 1);
    CHECK_INT(m(&b, "1.2.3_p1-r0", NULL, NULL), 0);
    CHECK_INT(m(&b, "1.2.3_p2-r0", NULL, NULL), 0);
    static const comb_event rc[] = { I("0"), F("2.0_rc2-r0") };
    comb_affected c = rec(COMB_VS_APK, rc, N(rc));
    CHECK_INT(m(&c, "2.0_rc1-r3", NULL, NULL), 1);
    CHECK_INT(m(&c, "2.0-r0", NULL, NULL), 0);
}

static void test_fixed_in_zero(void)
{
    /* Alpine secdb / Debian tracker: "fixed in 0" = never affected */
    static const comb_event z[] = { I("0"), F("0") };
    comb_affected a = rec(COMB_VS_APK, z, N(z));
    a.source = "alpine-secdb";
    CHECK_INT(m(&a, "1.0-r0", NULL, NULL), 0);
    CHECK_INT(m(&a, "0.0.1-r0", NULL, NULL), 0);
}

static void test_introduced_after(void)
{
    static const comb_event e[] = { I("2.0.0"), F("2.5.0") };
    comb_affected a = rec(COMB_VS_SEMVER, e, N(e));
    CHECK_INT(m(&a, "1.5.0", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.99.99", NULL, NULL), 0);
    CHECK_INT(m(&a, "2.0.0", NULL, NULL), 1);
    CHECK_INT(m(&a, "2.4.9", NULL, NULL), 1);
    CHECK_INT(m(&a, "2.5.0", NULL, NULL), 0);
    /* same version introduced and fixed: nothing affected */
    static const comb_event s[] = { I("1.0.0"), F("1.0.0") };
    comb_affected b = rec(COMB_VS_SEMVER, s, N(s));
    CHECK_INT(m(&b, "1.0.0", NULL, NULL), 0);
}

static void test_last_affected_and_limit(void)
{
    static const comb_event e[] = { I("0"), LA("1.4.0") };
    comb_affected a = rec(COMB_VS_SEMVER, e, N(e));
    const char *fx = "x";
    CHECK_INT(m(&a, "1.4.0", &fx, NULL), 1);
    CHECK(fx == NULL); /* no fix known */
    CHECK_INT(m(&a, "1.4.1", NULL, NULL), 0);
    CHECK_INT(m(&a, "0.1.0", NULL, NULL), 1);
    static const comb_event l[] = { I("0"), LIM("2.0.0") };
    comb_affected b = rec(COMB_VS_SEMVER, l, N(l));
    CHECK_INT(m(&b, "1.9.0", NULL, NULL), 1);
    CHECK_INT(m(&b, "2.0.0", NULL, NULL), 0);
    CHECK_INT(m(&b, "2.1.0", NULL, NULL), 0);
    static const comb_event li[] = { I("1.0.0"), LIM("*") };
    comb_affected c = rec(COMB_VS_SEMVER, li, N(li));
    CHECK_INT(m(&c, "99.0.0", NULL, NULL), 1);
    CHECK_INT(m(&c, "0.9.0", NULL, NULL), 0);
}

static void test_multiple_ranges(void)
{
    /* non-overlapping: [1,2) [3,4) */
    static const comb_event e[] = { I("1.0.0"), F("2.0.0"), I("3.0.0"), F("4.0.0") };
    comb_affected a = rec(COMB_VS_SEMVER, e, N(e));
    const char *fx;
    CHECK_INT(m(&a, "0.5.0", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.5.0", &fx, NULL), 1);
    CHECK_STR(fx, "2.0.0");
    CHECK_INT(m(&a, "2.5.0", NULL, NULL), 0);
    CHECK_INT(m(&a, "3.5.0", &fx, NULL), 1);
    CHECK_STR(fx, "4.0.0"); /* only the fix of the range that holds us */
    CHECK_INT(m(&a, "4.0.0", NULL, NULL), 0);
    /* overlapping ranges are or-ed, not merged into one event list */
    static const comb_event o[] = { I("0"), F("2.0.0"), I("1.0.0"), F("1.5.0") };
    comb_affected b = rec(COMB_VS_SEMVER, o, N(o));
    CHECK_INT(m(&b, "1.7.0", &fx, NULL), 1);
    CHECK_STR(fx, "2.0.0");
    CHECK_INT(m(&b, "2.0.0", NULL, NULL), 0);
    /* a range listed out of order is sorted before evaluation */
    static const comb_event u[] = { I("1.0.0"), I("0"), F("3.0.0"), F("2.0.0") };
    comb_affected c = rec(COMB_VS_SEMVER, u, N(u));
    CHECK_INT(m(&c, "2.5.0", NULL, NULL), 0);
    CHECK_INT(m(&c, "1.5.0", &fx, NULL), 1);
    CHECK_STR(fx, "2.0.0");
}

static void test_explicit_versions(void)
{
    static const char *const vs[] = { "1.0.5", "1.0.7" };
    comb_affected a = rec(COMB_VS_PEP440, NULL, 0);
    a.versions = vs;
    a.nversions = 2;
    CHECK_INT(m(&a, "1.0.5", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.0.6", NULL, NULL), 0);
    CHECK_INT(m(&a, "1.0.7", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.0.7.0", NULL, NULL), 1); /* equal in PEP 440 */
    /* versions list plus a range: either one matches */
    static const comb_event e[] = { I("2.0"), F("2.1") };
    a.events = e;
    a.nevents = N(e);
    CHECK_INT(m(&a, "2.0.3", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.0.6", NULL, NULL), 0);
    const char *fx;
    CHECK_INT(m(&a, "1.0.5", &fx, NULL), 1);
    CHECK_STR(fx, "2.1");
}

static void test_semver_vs_ecosystem(void)
{
    /* "1.0.0-1" is a pre-release in SemVer (< 1.0.0) but a post-release in PEP 440 */
    static const comb_event e[] = { I("0"), F("1.0.0") };
    comb_affected a = rec(COMB_VS_PEP440, e, N(e));
    CHECK_INT(m(&a, "1.0.0-1", NULL, NULL), 0);
    a.semver_ranges = 1;
    CHECK_INT(m(&a, "1.0.0-1", NULL, NULL), 1);
    CHECK_INT(m(&a, "1.0.0", NULL, NULL), 0);
    CHECK(comb_match_scheme(&a) == COMB_VS_SEMVER);
}

static void test_no_fix_yet(void)
{
    /* Debian tracker: open, no fixed version, no events */
    comb_affected a = rec(COMB_VS_DPKG, NULL, 0);
    a.state = COMB_FIX_NOT_FIXED;
    const char *fx = "x";
    CHECK_INT(m(&a, "1.0-1", &fx, NULL), 1);
    CHECK(fx == NULL);
    CHECK_INT(m(&a, "99:99-99", NULL, NULL), 1);
    a.state = COMB_FIX_WONT_FIX;
    CHECK_INT(m(&a, "1.0-1", NULL, NULL), 1);
    a.state = COMB_FIX_FIXED; /* no events, fixed: nothing to match */
    CHECK_INT(m(&a, "1.0-1", NULL, NULL), 0);
    static const comb_event e[] = { I("0") };
    comb_affected b = rec(COMB_VS_DPKG, e, N(e));
    CHECK_INT(m(&b, "1.0-1", &fx, NULL), 1);
    CHECK(fx == NULL);
}

static void test_garbage(void)
{
    static const comb_event e[] = { I("0"), F("1.2.3") };
    comb_affected a = rec(COMB_VS_SEMVER, e, N(e));
    size_t nw = 0;
    CHECK_INT(m(&a, "not a version!", NULL, &nw), -1);
    CHECK_INT(nw, 1);
    CHECK_INT(m(&a, "", NULL, &nw), -1);
    CHECK_INT(nw, 1);
    /* garbage in the record: the range is not used, and said so */
    static const comb_event g[] = { I("0"), F("#!garbage") };
    comb_affected b = rec(COMB_VS_SEMVER, g, N(g));
    CHECK_INT(m(&b, "1.0.0", NULL, &nw), 0);
    CHECK_INT(nw, 1);
    /* a good second range still matches */
    static const comb_event g2[] = { I("0"), F("#!garbage"), I("2.0.0"), F("3.0.0") };
    comb_affected c = rec(COMB_VS_SEMVER, g2, N(g2));
    CHECK_INT(m(&c, "2.1.0", NULL, &nw), 1);
    CHECK_INT(nw, 1);
    /* and a clean match has no warning */
    CHECK_INT(m(&a, "1.0.0", NULL, &nw), 1);
    CHECK_INT(nw, 0);
}

static void test_fixed_list_sorted(void)
{
    static const comb_event e[] = { I("0"), F("1.10.0"), F("1.9.0"), F("1.10.0") };
    comb_affected a = rec(COMB_VS_SEMVER, e, N(e));
    comb_match r;
    CHECK_INT(comb_match_affected(&a, "1.2.0", &arena, &r), COMB_OK);
    CHECK_INT(r.verdict, 1);
    CHECK_INT(r.nfixed, 2);
    if (r.nfixed == 2) {
        CHECK_STR(r.fixed[0], "1.9.0");
        CHECK_STR(r.fixed[1], "1.10.0");
    }
}

int main(void)
{
    comb_arena_init(&arena);
    RUN(test_dpkg_epoch);
    RUN(test_dpkg_tilde_debu);
    RUN(test_apk_suffixes);
    RUN(test_fixed_in_zero);
    RUN(test_introduced_after);
    RUN(test_last_affected_and_limit);
    RUN(test_multiple_ranges);
    RUN(test_explicit_versions);
    RUN(test_semver_vs_ecosystem);
    RUN(test_no_fix_yet);
    RUN(test_garbage);
    RUN(test_fixed_list_sorted);
    comb_arena_free(&arena);
    return test_summary();
}
