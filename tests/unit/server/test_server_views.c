/* test_server_views.c - the web console's static path resolution and its
 * views over a real store holding records of two nodes. */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#include "server/static.h"
#include "server/store.h"
#include "server/views.h"

static void test_resolve(void)
{
    char rel[64];
    CHECK_INT(comb_static_resolve("/", rel, sizeof rel), 0);
    CHECK_STR(rel, "index.html");
    CHECK_INT(comb_static_resolve("/app.js", rel, sizeof rel), 0);
    CHECK_STR(rel, "app.js");
    CHECK_INT(comb_static_resolve("/assets/logo.svg", rel, sizeof rel), 0);
    CHECK_STR(rel, "assets/logo.svg");
    static const char *const refused[] = { "", "app.js", "/..", "/../etc/passwd", "/a/../b", "/./a", "//a", "/a//b",
                                           "/a/", "/%2e%2e/x", "/a\\..\\b", "/a?x=1", "/a:b", "/a\tb",
                                           "/1/2/3/4/5/6/7/8/9" };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        CHECK_INT(comb_static_resolve(refused[i], rel, sizeof rel), -1);
    char tiny[4];
    CHECK_INT(comb_static_resolve("/index.html", tiny, sizeof tiny), -1); /* does not fit */
    CHECK_STR(comb_static_type("app.js"), "text/javascript; charset=utf-8");
    CHECK_STR(comb_static_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR(comb_static_type("noext"), "application/octet-stream");
    CHECK_INT(comb_static_wants("GET", "/api/v1/nodes"), 0);
    CHECK_INT(comb_static_wants("GET", "/app.js"), 1);
    CHECK_INT(comb_static_wants("POST", "/app.js"), 0);
}

#define IMG "1111111111111111111111111111111111111111111111111111111111111111"
#define CT "2222222222222222222222222222222222222222222222222222222222222222"

static void add(comb_store_db *s, const char *node, const char *kind, const char *body)
{
    comb_err err;
    int dup;
    CHECK_INT(comb_store_record_add(s, node, kind, NULL, body, strlen(body), &dup, &err), COMB_OK);
}

static json_t *view(reply (*fn)(ctx *), comb_store_db *s, const char *id, int want)
{
    ctx x;
    memset(&x, 0, sizeof x);
    x.db = s;
    snprintf(x.id, sizeof x.id, "%s", id ? id : "");
    reply r = fn(&x);
    CHECK_INT(r.status, want);
    return r.body;
}

static void test_views(void)
{
    char dir[] = "/tmp/comb-views-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/s.db", dir);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    const char *inv = "{\"host\":{\"hostname\":\"h\"},\"images\":[{\"id\":\"" IMG "\",\"tags\":[\"app:1\"]}],"
                      "\"containers\":[{\"id\":\"" CT "\",\"name\":\"web\",\"state\":\"running\","
                      "\"image\":{\"name\":\"app:1\",\"id\":\"" IMG "\"},\"relationships\":null},"
                      "{\"id\":\"3333\",\"name\":\"db\",\"image\":{\"id\":\"" IMG "\"},\"relationships\":["
                      "{\"direction\":\"outbound\",\"peer\":{\"name\":\"cache\",\"kind\":\"container\"},"
                      "\"protocol\":\"tcp\",\"port\":6379},"
                      "{\"direction\":\"inbound\",\"peer\":{\"name\":\"web\"},\"protocol\":\"tcp\",\"port\":5432},"
                      "{\"peer\":7}]}]}";
    add(s, "node-a", "inventory", inv);
    add(s, "node-b", "inventory", "{\"containers\":[],\"images\":[]}");
    add(s, "node-a", "scan", "{\"target\":{\"name\":\"app:1\",\"config_digest\":\"sha256:" IMG "\"},\"findings\":["
                             "{\"id\":\"CVE-1\",\"severity\":\"HIGH\",\"package\":{\"name\":\"p\"}},"
                             "{\"id\":\"CVE-2\",\"severity\":\"bogus\"},{\"id\":\"CVE-3\",\"severity\":\"LOW\",\"suppressed\":true}]}");
    add(s, "node-a", "segmentation", "{\"groups\":[{\"name\":\"web\",\"kind\":\"container\"}],\"flows\":["
                                     "{\"src\":\"web\",\"dst\":\"db\",\"proto\":\"tcp\",\"port\":5432},"
                                     "{\"src\":\"web\",\"dst\":\"ext:1.2.3.0/24\",\"proto\":\"tcp\",\"port\":443},{\"src\":7}]}");
    add(s, "node-a", "bench", "{\"summary\":{\"score\":50,\"counts\":{\"PASS\":1,\"FAIL\":1}},\"results\":["
                              "{\"id\":\"c-1\",\"benchmark\":\"docker\",\"section\":\"2\",\"status\":\"PASS\"},"
                              "{\"id\":\"c-2\",\"benchmark\":\"docker\",\"section\":\"2\",\"status\":\"FAIL\",\"remediation\":\"fix it\"}]}");
    add(s, "node-a", "alert", "{\"rule\":\"R\",\"priority\":\"Warning\",\"output_fields\":{\"proc.pid\":5}}");
    add(s, "node-a", "alert", "{\"rule\":\"R\",\"source\":\"comb.response\",\"response\":\"kill\",\"outcome\":\"ok\","
                              "\"output_fields\":{\"proc.pid\":5}}");
    add(s, "node-a", "alert", "{\"rule\":\"Lonely\",\"source\":\"comb.response\",\"response\":\"freeze\",\"outcome\":\"failed\"}");
    add(s, "node-b", "alert", "[1,2]"); /* not an alert object: ignored */

    json_t *o = view(comb_view_overview, s, NULL, 200);
    json_t *a = json_array_get(json_object_get(o, "nodes"), 0);
    CHECK_STR(json_string_value(json_object_get(a, "node")), "node-a");
    CHECK_INT(json_integer_value(json_object_get(a, "containers")), 2);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "vulnerabilities"), "HIGH")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "vulnerabilities"), "UNKNOWN")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "vulnerabilities"), "LOW")), 0);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "alerts"), "alerts")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "alerts"), "responses")), 2);
    json_decref(o);

    json_t *g = view(comb_view_graph, s, NULL, 200);
    /* hosts h:node-a h:node-b, workloads web db cache ext, one image */
    CHECK_INT(json_array_size(json_object_get(g, "nodes")), 7);
    size_t flows = 0, runs = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(g, "edges"), i, e) {
        const char *t = json_string_value(json_object_get(e, "type"));
        flows += !strcmp(t, "flow");
        runs += !strcmp(t, "runs");
    }
    CHECK_INT(flows, 3); /* two from segmentation, one more relationship (web -> db is both) */
    CHECK_INT(runs, 2);
    json_decref(g);

    json_t *v = view(comb_view_image_vulns, s, IMG, 200);
    CHECK_INT(json_array_size(json_object_get(v, "findings")), 3);
    json_decref(v);
    json_decref(view(comb_view_image_vulns, s, "nope", 404));
    json_t *as = view(comb_view_asset, s, CT, 200);
    CHECK_STR(json_string_value(json_object_get(as, "type")), "container");
    json_decref(as);
    as = view(comb_view_asset, s, "222222222222", 200); /* a 12-character prefix */
    CHECK_STR(json_string_value(json_object_get(as, "type")), "container");
    json_decref(as);
    as = view(comb_view_asset, s, IMG, 200);
    CHECK_INT(json_array_size(json_object_get(as, "containers")), 2);
    json_decref(as);
    json_decref(view(comb_view_asset, s, "node-b", 200));
    json_decref(view(comb_view_asset, s, "2222", 404)); /* too short a prefix */

    json_t *c = view(comb_view_compliance, s, NULL, 200);
    json_t *n = json_array_get(json_object_get(c, "nodes"), 0);
    CHECK_INT(json_array_size(json_object_get(n, "sections")), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(n, "results"), 0), "remediation")), "fix it");
    json_decref(c);

    json_t *al = view(comb_view_alerts, s, NULL, 200);
    json_t *list = json_object_get(al, "alerts");
    CHECK_INT(json_array_size(list), 2); /* R with its response, and the lonely response */
    json_t *r = json_array_get(list, 0);
    CHECK_STR(json_string_value(json_object_get(r, "rule")), "R");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(r, "responses"), 0), "response")), "kill");
    CHECK(json_object_get(r, "raw") == NULL);
    json_decref(al);

    json_decref(view(comb_view_assets, s, NULL, 200));
    json_decref(view(comb_view_images, s, NULL, 200));
    comb_store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_resolve);
    RUN(test_views);
    return test_summary();
}
