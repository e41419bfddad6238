/* test_rules.c - the rule loader refuses malformed checks with a message
 * that names the file and the check; the comparisons behave as documented;
 * the built-in benchmarks load. */
#include "compliance/eval.h"
#include "compliance/rules.h"
#include "test.h"

static comb_code load(const char *yaml, comb_err *err)
{
    comb_bench_rules r;
    comb_bench_rules_init(&r);
    comb_err_clear(err);
    comb_code rc = comb_bench_rules_load(&r, "t.yaml", yaml, strlen(yaml), err);
    comb_bench_rules_free(&r);
    return rc;
}

#define HEAD "benchmark: b\ntitle: T\nsections: [{id: \"1\", title: S}]\nchecks:\n"

static void test_loader_errors(void)
{
    comb_err err;
    CHECK_INT(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: fix, "
                        "audit: {file: /etc/x, property: mode, op: bitmask, value: \"644\"}}\n", &err),
              COMB_OK);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"9\", title: t, remediation: f, audit: {file: /x}}\n",
               &err) != COMB_OK);
    CHECK(strstr(err.msg, "t.yaml: c1: section \"9\"") != NULL);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, audit: {file: x}}\n",
               &err) != COMB_OK);
    CHECK(strstr(err.msg, "absolute") != NULL);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, "
                    "audit: {config: /x, format: toml, key: a, op: between, value: \"1\"}}\n", &err) != COMB_OK);
    CHECK(strstr(err.msg, "unknown op \"between\"") != NULL);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, "
                    "audit: {file: /x, property: mode, op: bitmask, value: \"9z\"}}\n", &err) != COMB_OK);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, "
                    "audit: {content: /x, op: regex, value: \"(\"}}\n", &err) != COMB_OK);
    CHECK(strstr(err.msg, "does not compile") != NULL);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, audit: {file: /x}}\n"
                    "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, audit: {file: /x}}\n",
               &err) != COMB_OK);
    CHECK(strstr(err.msg, "twice") != NULL);
    CHECK(load(HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f}\n", &err) != COMB_OK);
    CHECK(load(HEAD "  - {id: \"bad id\", ref: R, section: \"1\", title: t, remediation: f, audit: {file: /x}}\n",
               &err) != COMB_OK);
    /* any/all nesting is bounded */
    char deep[4096] = HEAD "  - {id: c1, ref: R, section: \"1\", title: t, remediation: f, audit: ";
    for (int i = 0; i < 10; i++)
        strcat(deep, "{any: [");
    strcat(deep, "{file: /x}");
    for (int i = 0; i < 10; i++)
        strcat(deep, "]}");
    strcat(deep, "}\n");
    CHECK(load(deep, &err) != COMB_OK);
    CHECK(strstr(err.msg, "nested") != NULL);
}

static comb_bench_status cmp(comb_bench_op op, const char *want, const char *have)
{
    comb_bench_item it;
    memset(&it, 0, sizeof it);
    it.op = op;
    it.value = want;
    json_t *v = json_string(have);
    comb_bench_status s = comb_eval_compare(&it, v);
    json_decref(v);
    return s;
}

static void test_compare(void)
{
    CHECK_INT(cmp(COMB_OP_BITMASK, "644", "600"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_BITMASK, "644", "644"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_BITMASK, "644", "664"), COMB_BENCH_FAIL);
    CHECK_INT(cmp(COMB_OP_BITMASK, "644", "4755"), COMB_BENCH_FAIL); /* setuid is not stricter */
    CHECK_INT(cmp(COMB_OP_EQ, "false", "False"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_EQ, "info", "Info"), COMB_BENCH_FAIL);
    CHECK_INT(cmp(COMB_OP_NOTEQ, "0", "4h"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_GT, "0", "15000"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_GTE, "1", "0"), COMB_BENCH_FAIL);
    CHECK_INT(cmp(COMB_OP_LTE, "5", "5"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_LT, "5", "abc"), COMB_BENCH_FAIL); /* not a number */
    CHECK_INT(cmp(COMB_OP_HAS, "nodev", "rw,nodev,nosuid"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_NOTHAVE, "nodev", "rw,nosuid"), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_PRESENT, NULL, ""), COMB_BENCH_PASS);
    CHECK_INT(cmp(COMB_OP_ABSENT, NULL, "x"), COMB_BENCH_FAIL);
    /* has/nothave on a list compares whole items */
    comb_bench_item it;
    memset(&it, 0, sizeof it);
    it.op = COMB_OP_HAS;
    it.value = "SYS_ADMIN";
    json_t *list = json_pack("[ss]", "CHOWN", "SYS_ADMIN_X");
    CHECK_INT(comb_eval_compare(&it, list), COMB_BENCH_FAIL);
    json_array_append_new(list, json_string("SYS_ADMIN"));
    CHECK_INT(comb_eval_compare(&it, list), COMB_BENCH_PASS);
    json_decref(list);
}

static void test_split_words(void)
{
    size_t n;
    char **argv = comb_split_words("/usr/bin/dockerd -H fd:// --label 'a b' \"c\\\"d\"", &n);
    CHECK_INT(n, 6);
    CHECK_STR(argv[4], "a b");
    CHECK_STR(argv[5], "c\"d");
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);
}

static void test_builtin(void)
{
    comb_bench_rules r;
    comb_bench_rules_init(&r);
    comb_err err;
    comb_err_clear(&err);
    CHECK_INT(comb_bench_rules_builtin(&r, &err), COMB_OK);
    if (err.code)
        fprintf(stderr, "  %s\n", err.msg);
    /* every benchmark comb bench accepts by name is built in, and no other */
    static const char *const names[] = { "containerd", "containers", "docker", "host", "images",
                                         "k8s-node", "podman" };
    CHECK_INT(r.nsets, sizeof names / sizeof *names);
    for (size_t i = 0; i < r.nsets && i < sizeof names / sizeof *names; i++)
        CHECK_STR(r.sets[i].name, names[i]);
    CHECK(comb_bench_rules_find(&r, "img-4.1") && comb_bench_rules_find(&r, "img-4.1")->per_image);
    CHECK(comb_bench_rules_find(&r, "docker-2.2") != NULL);
    CHECK(comb_bench_rules_find(&r, "ct-5.4") != NULL && comb_bench_rules_find(&r, "ct-5.4")->per_container);
    CHECK(comb_bench_rules_find(&r, "docker-2.2") && !comb_bench_rules_find(&r, "docker-2.2")->per_container);
    size_t checks = 0;
    for (size_t i = 0; i < r.nsets; i++)
        checks += r.sets[i].nchecks;
    CHECK(checks > 150);
    comb_bench_rules_free(&r);
}

int main(void)
{
    RUN(test_loader_errors);
    RUN(test_compare);
    RUN(test_split_words);
    RUN(test_builtin);
    return test_summary();
}
