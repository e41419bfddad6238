/* test.h - a minimal assertion harness for comb's unit tests.
 * Each test file defines test functions, lists them in main() with RUN(),
 * and returns test_summary(). A failing CHECK prints file:line and the
 * expression, marks the test failed and continues. */
#ifndef COMB_TEST_H
#define COMB_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;
static const char *test_current;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        test_checks++;                                                              \
        if (!(cond)) {                                                              \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__,    \
                    test_current, #cond);                                           \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *a_ = (a), *b_ = (b);                                            \
        test_checks++;                                                              \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                    \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\" (%s vs %s)\n", __FILE__,   \
                    __LINE__, test_current, a_ ? a_ : "(null)", b_ ? b_ : "(null)", \
                    #a, #b);                                                        \
        }                                                                           \
    } while (0)

#define CHECK_INT(a, b)                                                             \
    do {                                                                            \
        long long a_ = (long long)(a), b_ = (long long)(b);                         \
        test_checks++;                                                              \
        if (a_ != b_) {                                                             \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: %lld != %lld (%s vs %s)\n", __FILE__,       \
                    __LINE__, test_current, a_, b_, #a, #b);                        \
        }                                                                           \
    } while (0)

#define RUN(fn)                                                                     \
    do {                                                                            \
        test_current = #fn;                                                         \
        int before_ = test_failures;                                                \
        fn();                                                                       \
        fprintf(stderr, "%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);\
    } while (0)

static inline int test_summary(void)
{
    fprintf(stderr, "%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? 1 : 0;
}

/* Path into ../shared/data (COMB_SHARED is set by ctest). */
static inline const char *test_shared(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("COMB_SHARED");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : "../shared", rel);
    return buf;
}

/* Read a whole file into malloc'd memory; NULL on failure. */
static inline unsigned char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            else buf = nb;
        }
    }
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* Remove a test's temporary directory tree (rm -rf); says so when it cannot. */
static inline void test_rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd))
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
