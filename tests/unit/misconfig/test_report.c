/* test_report.c - the config report formats: JSON and SARIF are valid JSON
 * with valid UTF-8 even when names in messages are not, the table carries
 * no control characters from the input and colours only when asked. */
#include <jansson.h>
#include <stdlib.h>

#include "misconfig/report.h"
#include "mc_test.h"

static char *render(const comb_mc_target *t, size_t n, comb_mc_format fmt, int color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    comb_err err;
    CHECK_INT(comb_mc_report_write(t, n, fmt, color, f, &err), COMB_OK);
    fclose(f);
    return buf;
}

static void fill(comb_mc_list *l)
{
    comb_err err;
    comb_mc_list_init(l);
    CHECK_INT(comb_mc_add(l, "CMB-IMG-002", "config.Env", 0, &err, "variable %s", "BAD\xff\xfe\033[31m_TOKEN"), COMB_OK);
    CHECK_INT(comb_mc_add(l, "CMB-DF-001", "Dockerfile:3", 3, &err, "runs as root"), COMB_OK);
    CHECK_INT(comb_mc_add(l, "CMB-NOPE-1", "x", 0, &err, "unknown"), COMB_EINVAL);
}

static void test_json(void)
{
    comb_mc_list l;
    fill(&l);
    comb_mc_target t = { .name = "img\xc3", .kind = "image", .findings = &l };
    char *out = render(&t, 1, COMB_MC_FMT_JSON, 0);
    json_error_t je;
    json_t *doc = out ? json_loads(out, 0, &je) : NULL;
    CHECK(doc != NULL);
    json_t *fs = json_object_get(json_array_get(json_object_get(doc, "targets"), 0), "findings");
    CHECK_INT(json_array_size(fs), 2);
    CHECK(strstr(json_string_value(json_object_get(json_array_get(fs, 0), "message")), "\xEF\xBF\xBD") != NULL);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(fs, 1), "line")), 3);
    CHECK(json_object_get(json_array_get(fs, 0), "line") == NULL);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(doc, "summary"), "HIGH")), 2);
    json_decref(doc);
    free(out);
    comb_mc_list_free(&l);
}

static void test_sarif(void)
{
    comb_mc_list l;
    fill(&l);
    comb_mc_target t[2] = { { .name = "dir with space/Dockerfile", .kind = "dockerfile", .is_file = 1, .findings = &l },
                            { .name = "img", .kind = "image", .findings = &l } };
    char *out = render(t, 2, COMB_MC_FMT_SARIF, 0);
    json_error_t je;
    json_t *doc = out ? json_loads(out, 0, &je) : NULL;
    CHECK(doc != NULL);
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    size_t n;
    comb_misconfig_checks(&n);
    CHECK_INT(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules")), n);
    json_t *res = json_object_get(run, "results");
    CHECK_INT(json_array_size(res), 4);
    /* the Dockerfile finding with a line has a region; the others logical locations */
    json_t *phys = json_object_get(json_array_get(json_object_get(json_array_get(res, 1), "locations"), 0), "physicalLocation");
    CHECK_STR(json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")), "dir%20with%20space/Dockerfile");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(phys, "region"), "startLine")), 3);
    CHECK(json_object_get(json_array_get(json_object_get(json_array_get(res, 0), "locations"), 0), "logicalLocations") != NULL);
    CHECK_STR(json_string_value(json_object_get(json_array_get(res, 0), "level")), "error");
    json_decref(doc);
    free(out);
    comb_mc_list_free(&l);
}

static void test_table(void)
{
    comb_mc_list l;
    fill(&l);
    comb_mc_target t = { .name = "img\033]0;x\007", .kind = "image", .findings = &l };
    char *out = render(&t, 1, COMB_MC_FMT_TABLE, 0);
    CHECK(out != NULL);
    if (out) {
        for (const char *p = out; *p; p++)
            CHECK((unsigned char)*p >= 0x20 || *p == '\n');
        CHECK(strstr(out, "CMB-DF-001") && strstr(out, "Dockerfile:3") && strstr(out, "fix: "));
        CHECK(strstr(out, "Total: 2 findings (HIGH 2)") != NULL);
    }
    free(out);
    out = render(&t, 1, COMB_MC_FMT_TABLE, 1);
    CHECK(out && strstr(out, "\033[31mHIGH"));
    free(out);
    comb_mc_format f;
    comb_err err;
    CHECK_INT(comb_mc_format_parse("sarif", &f, &err), COMB_OK);
    CHECK_INT(f, COMB_MC_FMT_SARIF);
    CHECK_INT(comb_mc_format_parse("yaml", &f, &err), COMB_EINVAL);
    comb_mc_list_free(&l);
}

/* severity first (descending), then line, location, id */
static void test_sort(void)
{
    comb_mc_list l;
    comb_err err;
    comb_mc_list_init(&l);
    comb_mc_add(&l, "CMB-DF-003", "Dockerfile:1", 1, &err, "low");
    comb_mc_add(&l, "CMB-DF-013", "Dockerfile:9", 9, &err, "low");
    comb_mc_add(&l, "CMB-DF-013", "Dockerfile:10", 10, &err, "low");
    comb_mc_add(&l, "CMB-DF-001", "Dockerfile:12", 12, &err, "high");
    comb_mc_add(&l, "CMB-DF-011", "Dockerfile:2", 2, &err, "info");
    comb_mc_add(&l, "CMB-IMG-006", "Dockerfile:3", 3, &err, "high");
    comb_mc_sort(&l);
    static const char *const order[] = { "Dockerfile:3", "Dockerfile:12", "Dockerfile:1",
                                         "Dockerfile:9", "Dockerfile:10", "Dockerfile:2" };
    CHECK_INT(l.n, 6);
    for (size_t i = 0; i < l.n && i < 6; i++)
        CHECK_STR(l.items[i].location, order[i]);
    comb_mc_list_free(&l);
}

int main(void)
{
    RUN(test_sort);
    RUN(test_json);
    RUN(test_sarif);
    RUN(test_table);
    return test_summary();
}
