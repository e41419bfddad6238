/* test_eol.c - the end-of-life table and the OS release checks, with an
 * injected date. */
#include <time.h>

#include "mc_test.h"

static time_t day(int y, int m, int d)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
    return timegm(&tm);
}

static void test_lookup(void)
{
    comb_eol_info e;
    CHECK_INT(comb_eol_lookup("debian", "12", &e), 1);
    CHECK_STR(e.release, "12");
    CHECK_STR(e.codename, "bookworm");
    CHECK_STR(e.eol, "2026-06-10");
    CHECK_STR(e.lts, "2028-06-30");
    CHECK_INT(comb_eol_lookup("debian", "12.5", &e), 1);
    CHECK_STR(e.release, "12");
    CHECK_INT(comb_eol_lookup("alpine", "3.19.1", &e), 1);
    CHECK_STR(e.release, "3.19");
    CHECK_INT(comb_eol_lookup("alpine", "3.1.4", &e), 1);
    CHECK_STR(e.release, "3.1");
    CHECK_INT(comb_eol_lookup("alpine", "3.10.9", &e), 1);
    CHECK_STR(e.release, "3.10");
    CHECK_INT(comb_eol_lookup("ubuntu", "22.04", &e), 1);
    CHECK_STR(e.codename, "jammy");
    CHECK(e.paid != NULL);
    CHECK_INT(comb_eol_lookup("rhel", "9.3", &e), 1);
    CHECK_STR(e.release, "9");
    CHECK_INT(comb_eol_lookup("rocky", "8.9", &e), 1);
    CHECK_INT(comb_eol_lookup("almalinux", "9.4", &e), 1);
    CHECK_INT(comb_eol_lookup("centos", "7", &e), 1);
    CHECK_INT(comb_eol_lookup("sles", "15.5", &e), 1);
    CHECK_STR(e.release, "15.5");
    CHECK_INT(comb_eol_lookup("sles", "15.9", &e), 0); /* service packs are matched exactly */
    CHECK_INT(comb_eol_lookup("opensuse-leap", "15.6", &e), 1);
    CHECK_INT(comb_eol_lookup("amzn", "2023", &e), 1);
    CHECK_INT(comb_eol_lookup("amzn", "2", &e), 1);
    CHECK_STR(e.release, "2");
    CHECK_INT(comb_eol_lookup("fedora", "40", &e), 1);
    CHECK_INT(comb_eol_lookup("Debian", "9", &e), 1); /* ID case does not matter */
    CHECK_INT(comb_eol_lookup("debian", "14", &e), 0);
    CHECK_INT(comb_eol_lookup("alpine", "edge", &e), 0);
    CHECK_INT(comb_eol_lookup("gentoo", "2.14", &e), 0);
    CHECK_INT(comb_eol_lookup(NULL, "1", &e), 0);
    CHECK_INT(comb_eol_lookup("debian", NULL, &e), 0);
}

/* The table itself: every distribution the brief lists, dates ordered. */
static void test_table_sane(void)
{
    static const char *const need[][2] = {
        { "debian", "7" }, { "debian", "13" }, { "ubuntu", "14.04" }, { "ubuntu", "25.10" },
        { "alpine", "3.0" }, { "alpine", "3.22" }, { "rhel", "6" }, { "rhel", "10" },
        { "rocky", "10" }, { "almalinux", "8" }, { "sles", "12.5" }, { "sles", "16.0" },
        { "opensuse-leap", "15.0" }, { "opensuse-leap", "16.0" }, { "amzn", "2018.03" },
    };
    for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
        comb_eol_info e;
        int r = comb_eol_lookup(need[i][0], need[i][1], &e);
        if (r != 1)
            fprintf(stderr, "  missing %s %s\n", need[i][0], need[i][1]);
        CHECK_INT(r, 1);
        if (r == 1) {
            CHECK(!e.lts || strcmp(e.lts, e.eol) > 0);
            CHECK(!e.paid || strcmp(e.paid, e.eol) > 0);
        }
    }
}

static size_t os_findings(const char *id, const char *ver, time_t now, comb_mc_list *l)
{
    comb_err err;
    comb_mc_list_init(l);
    CHECK_INT(comb_misconfig_os(id, ver, now, "etc/os-release", l, &err), COMB_OK);
    return l->n;
}

static void test_checks_by_date(void)
{
    comb_mc_list l;
    /* Debian 9: LTS ended 2022-06-30 */
    CHECK_INT(os_findings("debian", "9", day(2026, 11, 28), &l), 1);
    CHECK_INT(mc_count(&l, "CMB-IMG-011"), 1);
    CHECK(mc_mentions(&l, "2022-06-30"));
    CHECK(mc_mentions(&l, "2027-06-30")); /* ELTS, paid */
    CHECK_STR(l.items[0].location, "etc/os-release");
    comb_mc_list_free(&l);
    /* Debian 12 on 2026-11-28: past standard support, in LTS: not end-of-life */
    os_findings("debian", "12", day(2026, 11, 28), &l);
    CHECK_INT(mc_count(&l, "CMB-IMG-011"), 0);
    CHECK_INT(mc_count(&l, "CMB-IMG-013"), 1);
    CHECK(mc_mentions(&l, "2028-06-30"));
    comb_mc_list_free(&l);
    /* ... the last day of standard support is still supported */
    CHECK_INT(os_findings("debian", "12", day(2026, 6, 10), &l), 0);
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("debian", "12", day(2026, 6, 11), &l), 1);
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("debian", "12", day(2025, 1, 1), &l), 0);
    comb_mc_list_free(&l);
    /* Debian 11: LTS ends 2026-08-31; 61 days before: approaching */
    os_findings("debian", "11", day(2026, 7, 1), &l);
    CHECK_INT(mc_count(&l, "CMB-IMG-012"), 1);
    CHECK(mc_mentions(&l, "in 62 days"));
    comb_mc_list_free(&l);
    /* Alpine 3.10 */
    os_findings("alpine", "3.10.3", day(2026, 11, 28), &l);
    CHECK_INT(mc_count(&l, "CMB-IMG-011"), 1);
    CHECK(mc_mentions(&l, "Alpine Linux 3.10"));
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("alpine", "3.22.1", day(2026, 11, 28), &l), 0);
    comb_mc_list_free(&l);
    /* Ubuntu 20.04: standard support ended 2025-05; only paid ESM remains */
    os_findings("ubuntu", "20.04", day(2026, 11, 28), &l);
    CHECK_INT(mc_count(&l, "CMB-IMG-011"), 1);
    CHECK(mc_mentions(&l, "2025-05-29"));
    CHECK(mc_mentions(&l, "paid"));
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("ubuntu", "20.04", day(2025, 1, 1), &l), 0);
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("ubuntu", "24.04", day(2026, 11, 28), &l), 0);
    comb_mc_list_free(&l);
    /* unknown releases: nothing */
    CHECK_INT(os_findings("debian", "14", day(2026, 11, 28), &l), 0);
    comb_mc_list_free(&l);
    CHECK_INT(os_findings("wolfi", "20230201", day(2026, 11, 28), &l), 0);
    comb_mc_list_free(&l);
}

int main(void)
{
    RUN(test_lookup);
    RUN(test_table_sane);
    RUN(test_checks_by_date);
    return test_summary();
}
