/* test_secret_samples.c - the sample files for the integration test
 * (tests/data/secrets/samples, fake but pattern-valid credentials): each
 * file, scanned under its own name, gives exactly the findings that
 * EXPECTED.tsv lists for it (file, rule id; one line per finding), and
 * together the samples cover every category of the built-in rules. */
#include "secret_helpers.h"
#include "test.h"

#define MAX_EXPECTED 1000

typedef struct expect {
    char file[128], rule[128];
    int seen;
} expect;

static expect exp_[MAX_EXPECTED];
static size_t nexp;

static const char *samples_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data/secrets/samples",
             getenv("COMB_SRC") ? getenv("COMB_SRC") : ".");
    return dir;
}

static void load_expected(void)
{
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/EXPECTED.tsv", samples_dir());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) && nexp < MAX_EXPECTED) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        tab[strcspn(tab + 1, "\r\n") + 1] = '\0';
        snprintf(exp_[nexp].file, sizeof exp_[nexp].file, "%.127s", line);
        snprintf(exp_[nexp].rule, sizeof exp_[nexp].rule, "%.127s", tab + 1);
        nexp++;
    }
    fclose(f);
    CHECK(nexp > 100);
}

typedef struct file_scan {
    const char *file;
    size_t unexpected;
} file_scan;

static int check_finding(void *ud, const comb_secret_match *m)
{
    file_scan *fs = ud;
    for (size_t i = 0; i < nexp; i++)
        if (!exp_[i].seen && !strcmp(exp_[i].file, fs->file) && !strcmp(exp_[i].rule, m->rule_id)) {
            exp_[i].seen = 1;
            return 0;
        }
    fprintf(stderr, "%s:%u: unexpected %s (%s)\n", fs->file, m->line, m->rule_id,
            m->redacted_match);
    fs->unexpected++;
    return 0;
}

static void test_samples_match_expected(void)
{
    comb_secret_engine *e;
    comb_err err;
    CHECK_INT(comb_secret_engine_new(NULL, &e, &err), COMB_OK);
    if (!e)
        return;
    for (size_t i = 0; i < nexp; i++) {
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(exp_[j].file, exp_[i].file) != 0;
        if (!first)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%.4000s/%.127s", samples_dir(), exp_[i].file);
        size_t len = 0;
        unsigned char *data = test_slurp(path, &len);
        CHECK(data != NULL);
        if (!data)
            continue;
        CHECK(comb_secret_wants(e, exp_[i].file, (int64_t)len));
        file_scan fs = { exp_[i].file, 0 };
        CHECK_INT(comb_secret_scan(e, exp_[i].file, data, len, check_finding, &fs, &err), COMB_OK);
        CHECK_INT(fs.unexpected, 0);
        free(data);
    }
    for (size_t i = 0; i < nexp; i++) {
        if (!exp_[i].seen)
            fprintf(stderr, "%s: expected %s, not found\n", exp_[i].file, exp_[i].rule);
        CHECK(exp_[i].seen);
    }
    /* every category of the built-in rules has a sample */
    for (size_t r = 0; r < comb_secret_rule_count(e); r++) {
        comb_secret_rule_info ri;
        comb_secret_rule_at(e, r, &ri);
        int covered = 0;
        for (size_t i = 0; i < nexp && !covered; i++)
            for (size_t k = 0; k < comb_secret_rule_count(e) && !covered; k++) {
                comb_secret_rule_info rk;
                comb_secret_rule_at(e, k, &rk);
                covered = !strcmp(rk.id, exp_[i].rule) && !strcmp(rk.category, ri.category);
            }
        if (!covered)
            fprintf(stderr, "category %s has no sample\n", ri.category);
        CHECK(covered);
    }
    comb_secret_engine_free(e);
}

int main(void)
{
    load_expected();
    RUN(test_samples_match_expected);
    return test_summary();
}
