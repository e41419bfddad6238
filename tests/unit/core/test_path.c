/* test_path.c - path normalisation and the path set. */
#include "core/path.h"
#include "core/pathset.h"
#include "test.h"

static const char *norm(const char *in)
{
    static char out[COMB_PATH_MAX + 1];
    if (comb_path_normalize(in, out, sizeof out) < 0)
        return "(rejected)";
    return out;
}

static void test_normalize(void)
{
    CHECK_STR(norm("./etc//os-release"), "etc/os-release");
    CHECK_STR(norm("/usr/lib/./x/"), "usr/lib/x");
    CHECK_STR(norm("./"), "");
    CHECK_STR(norm("a/../b"), "(rejected)");
    CHECK_STR(norm("../../etc/passwd"), "(rejected)");
    CHECK_STR(norm("a/.."), "(rejected)");
    CHECK_STR(norm("a/..b/c"), "a/..b/c");
    char big[COMB_PATH_MAX + 100];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_STR(norm(big), "(rejected)");
    CHECK(comb_path_has_suffix("var/lib/dpkg/status", "status"));
    CHECK(!comb_path_has_suffix("var/lib/dpkg/xstatus", "status"));
    CHECK_STR(comb_path_base("a/b/c"), "c");
    CHECK_INT(comb_path_dirlen("a/b/c"), 3);
}

static void test_pathset(void)
{
    comb_pathset s;
    comb_pathset_init(&s);
    char p[64];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(p, sizeof p, "usr/share/file%d", i);
        CHECK(comb_pathset_add(&s, comb_pathset_hash(p, (size_t)n, 0)) == 0);
    }
    CHECK_INT(s.n, 100000);
    int missing = 0, false_hits = 0;
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(p, sizeof p, "usr/share/file%d", i);
        missing += !comb_pathset_has(&s, comb_pathset_hash(p, (size_t)n, 0));
        false_hits += comb_pathset_has(&s, comb_pathset_hash(p, (size_t)n, 1)); /* other tag */
    }
    CHECK_INT(missing, 0);
    CHECK_INT(false_hits, 0);
    comb_pathset_free(&s);
}

int main(void)
{
    RUN(test_normalize);
    RUN(test_pathset);
    return test_summary();
}
