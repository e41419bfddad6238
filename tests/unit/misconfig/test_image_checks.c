/* test_image_checks.c - the image config and history checks on synthetic
 * config blobs: for each check one blob that triggers it and one that does
 * not, secrets never shown, malformed input. The clock is injected. */
#include <time.h>

#include "mc_test.h"

/* A config that passes every check; pieces replace parts of it. */
#define CLEAN_CFG "\"User\":\"10001\",\"Healthcheck\":{\"Test\":[\"CMD\",\"/hc\"]}"
#define CREATED_OK "2026-10-01T10:00:00.123456789Z"

static time_t now_2026_11_28(void)
{
    struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 28, .tm_hour = 12 };
    return timegm(&tm);
}

/* A few buffers in turn: both documents of a pair are built in one
 * argument list, in an unspecified order. */
static char docs[4][8192];
static unsigned next_doc;

static const char *config(const char *cfg, const char *history, const char *created)
{
    char *doc = docs[next_doc++ % 4];
    snprintf(doc, sizeof docs[0],
             "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"%s\",\"config\":{%s},"
             "\"history\":[%s],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
             created ? created : CREATED_OK, cfg ? cfg : CLEAN_CFG, history ? history : "");
    return doc;
}

static comb_code run(const char *json, const comb_mc_image_ctx *ctx, comb_mc_list *l)
{
    comb_err err;
    comb_err_clear(&err);
    comb_mc_list_init(l);
    comb_mc_image_ctx def = { .name = "app:1.0", .now = now_2026_11_28() };
    comb_code rc = comb_misconfig_image(json, strlen(json), ctx ? ctx : &def, l, &err);
    if (rc)
        fprintf(stderr, "  (%s)\n", err.msg);
    return rc;
}

/* check `id` fires on bad and not on good */
static void pair(const char *id, const char *bad, const char *good, const comb_mc_image_ctx *ctx_bad,
                 const comb_mc_image_ctx *ctx_good)
{
    comb_mc_list l;
    char copy[8192];
    snprintf(copy, sizeof copy, "%s", bad);
    CHECK_INT(run(copy, ctx_bad, &l), COMB_OK);
    if (!mc_count(&l, id))
        fprintf(stderr, "  %s not found in %s\n", id, copy);
    CHECK(mc_count(&l, id) > 0);
    comb_mc_list_free(&l);
    snprintf(copy, sizeof copy, "%s", good);
    CHECK_INT(run(copy, ctx_good, &l), COMB_OK);
    if (mc_count(&l, id))
        fprintf(stderr, "  %s found in the passing %s: %s\n", id, copy, mc_find(&l, id)->message);
    CHECK_INT(mc_count(&l, id), 0);
    comb_mc_list_free(&l);
}

static void test_user(void)
{
    pair("CMB-IMG-001", (config("\"Healthcheck\":{\"Test\":[\"CMD\",\"x\"]}", NULL, NULL)),
         config(NULL, NULL, NULL), NULL, NULL);
    pair("CMB-IMG-001", (config("\"User\":\"root:root\"", NULL, NULL)),
         config("\"User\":\"app:app\"", NULL, NULL), NULL, NULL);
    pair("CMB-IMG-001", (config("\"User\":\"0\"", NULL, NULL)),
         config("\"User\":\"1000\"", NULL, NULL), NULL, NULL);
}

static void test_env_secret(void)
{
    pair("CMB-IMG-002",
         (config(CLEAN_CFG ",\"Env\":[\"PATH=/usr/bin\",\"MYSQL_ROOT_PASSWORD=Tr0ub4dor&3\"]", NULL, NULL)),
         config(CLEAN_CFG ",\"Env\":[\"PATH=/usr/bin\",\"MYSQL_ROOT_PASSWORD_FILE=/run/secrets/pw\","
                "\"API_TOKEN=\",\"SECRET_KEY=$SECRET_KEY\",\"GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305\"]", NULL, NULL),
         NULL, NULL);
    comb_mc_list l;
    CHECK_INT(run(config(CLEAN_CFG ",\"Env\":[\"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY\"]", NULL, NULL), NULL, &l), COMB_OK);
    CHECK_INT(mc_count(&l, "CMB-IMG-002"), 1);
    CHECK(mc_mentions(&l, "AWS_SECRET_ACCESS_KEY"));
    CHECK(!mc_mentions(&l, "wJalr"));
    comb_mc_list_free(&l);
}

static void test_arg_secret_in_history(void)
{
    /* classic builder and BuildKit forms; reported once per name */
    pair("CMB-IMG-003",
         (config(NULL,
                     "{\"created_by\":\"|2 NPM_TOKEN=npm_1234567890abcdef VERSION=1 /bin/sh -c npm ci\"},"
                     "{\"created_by\":\"RUN |2 NPM_TOKEN=npm_1234567890abcdef VERSION=1 /bin/sh -c npm test # buildkit\"}",
                     NULL)),
         config(NULL, "{\"created_by\":\"|1 VERSION=1 /bin/sh -c npm ci\"},{\"created_by\":\"ARG NPM_TOKEN\"}", NULL),
         NULL, NULL);
    pair("CMB-IMG-003", (config(NULL, "{\"created_by\":\"ARG DB_PASSWORD=s3cret-pass\",\"empty_layer\":true}", NULL)),
         config(NULL, "{\"created_by\":\"ARG RELEASE\",\"empty_layer\":true}", NULL), NULL, NULL);
    comb_mc_list l;
    CHECK_INT(run(config(NULL,
                         "{\"created_by\":\"|1 NPM_TOKEN=npm_1234567890abcdef /bin/sh -c a\"},"
                         "{\"created_by\":\"|1 NPM_TOKEN=npm_1234567890abcdef /bin/sh -c b\"}", NULL), NULL, &l), COMB_OK);
    CHECK_INT(mc_count(&l, "CMB-IMG-003"), 1);
    CHECK(!mc_mentions(&l, "npm_1234"));
    CHECK_STR(mc_find(&l, "CMB-IMG-003")->location, "history[0]");
    comb_mc_list_free(&l);
}

static void test_label_secret(void)
{
    pair("CMB-IMG-004", (config(CLEAN_CFG ",\"Labels\":{\"deploy.token\":\"ghp_abcdefghijklmnop\"}", NULL, NULL)),
         config(CLEAN_CFG ",\"Labels\":{\"org.opencontainers.image.title\":\"app\",\"token.type\":\"bearer\"}", NULL, NULL),
         NULL, NULL);
}

static void test_add_url_and_pipe(void)
{
    pair("CMB-IMG-005", (config(NULL, "{\"created_by\":\"ADD https://example.com/x.tgz /opt/ # buildkit\"}", NULL)),
         config(NULL, "{\"created_by\":\"/bin/sh -c #(nop) ADD file:4f3a in / \"}", NULL), NULL, NULL);
    pair("CMB-IMG-006",
         (config(NULL, "{\"created_by\":\"/bin/sh -c curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\"}", NULL)),
         config(NULL, "{\"created_by\":\"RUN /bin/sh -c curl -fsSLo /tmp/x https://x && sha256sum -c s # buildkit\"}", NULL),
         NULL, NULL);
}

static void test_healthcheck(void)
{
    pair("CMB-IMG-007", (config("\"User\":\"1\"", NULL, NULL)), config(NULL, NULL, NULL), NULL, NULL);
    pair("CMB-IMG-007", (config("\"User\":\"1\",\"Healthcheck\":{\"Test\":[\"NONE\"]}", NULL, NULL)),
         config("\"User\":\"1\",\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]}", NULL, NULL), NULL, NULL);
}

static void test_ports(void)
{
    pair("CMB-IMG-008", (config(CLEAN_CFG ",\"ExposedPorts\":{\"80/tcp\":{},\"22/tcp\":{}}", NULL, NULL)),
         config(CLEAN_CFG ",\"ExposedPorts\":{\"80/tcp\":{},\"2222/tcp\":{}}", NULL, NULL), NULL, NULL);
    pair("CMB-IMG-008", (config(CLEAN_CFG ",\"ExposedPorts\":{\"2375/tcp\":{}}", NULL, NULL)),
         config(CLEAN_CFG ",\"ExposedPorts\":{\"8443/tcp\":{}}", NULL, NULL), NULL, NULL);
}

static void test_reference(void)
{
    comb_mc_image_ctx latest = { .name = "registry:5000/team/app:latest", .now = now_2026_11_28() };
    comb_mc_image_ctx notag = { .name = "registry:5000/team/app", .now = now_2026_11_28() };
    comb_mc_image_ctx tagged = { .name = "registry:5000/team/app:2.1", .now = now_2026_11_28() };
    comb_mc_image_ctx digest = { .name = "app@sha256:0000", .now = now_2026_11_28() };
    pair("CMB-IMG-009", (config(NULL, NULL, NULL)), config(NULL, NULL, NULL), &latest, &tagged);
    pair("CMB-IMG-009", (config(NULL, NULL, NULL)), config(NULL, NULL, NULL), &notag, &digest);
}

static void test_age(void)
{
    pair("CMB-IMG-010", (config(NULL, NULL, "2024-01-01T00:00:00Z")), config(NULL, NULL, CREATED_OK), NULL, NULL);
    /* --max-age: 30 days makes a 58-day-old image old; offsets are honoured */
    comb_mc_image_ctx strict = { .now = now_2026_11_28(), .max_age_days = 30 };
    pair("CMB-IMG-010", (config(NULL, NULL, "2026-10-01T10:00:00+02:00")),
         config(NULL, NULL, "2026-11-20T10:00:00-05:00"), &strict, &strict);
    comb_mc_list l;
    CHECK_INT(run(config(NULL, NULL, "2024-01-01T00:00:00Z"), NULL, &l), COMB_OK);
    CHECK(mc_mentions(&l, "2024-01-01"));
    comb_mc_list_free(&l);
}

static void test_os_eol_via_image(void)
{
    comb_mc_image_ctx old = { .os_id = "debian", .os_version_id = "9", .now = now_2026_11_28() };
    comb_mc_image_ctx cur = { .os_id = "debian", .os_version_id = "13", .now = now_2026_11_28() };
    pair("CMB-IMG-011", (config(NULL, NULL, NULL)), config(NULL, NULL, NULL), &old, &cur);
}

static void test_malformed(void)
{
    comb_mc_list l;
    comb_err err;
    comb_mc_list_init(&l);
    CHECK_INT(comb_misconfig_image("[1,2]", 5, NULL, &l, &err), COMB_EFORMAT);
    CHECK_INT(comb_misconfig_image("{\"config\":", 10, NULL, &l, &err), COMB_EFORMAT);
    CHECK(strstr(err.msg, "image config") != NULL);
    /* wrong types everywhere: no crash, the missing user is still reported */
    const char *odd = "{\"config\":{\"User\":5,\"Env\":{\"a\":1},\"ExposedPorts\":[22],"
                      "\"Labels\":[],\"Healthcheck\":{\"Test\":\"x\"}},\"history\":{},\"created\":7}";
    CHECK_INT(comb_misconfig_image(odd, strlen(odd), NULL, &l, &err), COMB_OK);
    CHECK_INT(mc_count(&l, "CMB-IMG-001"), 1);
    comb_mc_list_free(&l);
}

static void test_per_check_bound(void)
{
    /* 300 distinct secret env vars: at most COMB_MC_MAX_PER_CHECK kept */
    static char big[65536];
    size_t o = (size_t)snprintf(big, sizeof big, "{\"config\":{\"User\":\"1\",\"Env\":[");
    for (int i = 0; i < 300; i++)
        o += (size_t)snprintf(big + o, sizeof big - o, "%s\"TOKEN_%d=abcdef%d\"", i ? "," : "", i, i);
    snprintf(big + o, sizeof big - o, "]}}");
    comb_mc_list l;
    CHECK_INT(run(big, NULL, &l), COMB_OK);
    CHECK_INT(mc_count(&l, "CMB-IMG-002"), COMB_MC_MAX_PER_CHECK);
    CHECK_INT(l.dropped, 300 - COMB_MC_MAX_PER_CHECK);
    /* filtering by severity and by id */
    size_t before = l.n;
    const char *skip[] = { "cmb-img-007" };
    comb_mc_filter(&l, 1u << COMB_MC_HIGH, skip, 1);
    CHECK_INT(l.n, COMB_MC_MAX_PER_CHECK);
    CHECK(before > l.n);
    comb_mc_list_free(&l);
}

int main(void)
{
    RUN(test_user);
    RUN(test_env_secret);
    RUN(test_arg_secret_in_history);
    RUN(test_label_secret);
    RUN(test_add_url_and_pipe);
    RUN(test_healthcheck);
    RUN(test_ports);
    RUN(test_reference);
    RUN(test_age);
    RUN(test_os_eol_via_image);
    RUN(test_malformed);
    RUN(test_per_check_bound);
    return test_summary();
}
