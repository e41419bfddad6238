/* test_segment_policy.c - the generated nftables ruleset (sets, a fixed set
 * of rules, exactly the allowed flows of protected groups, quarantine), the
 * element delta between two rulesets, the diff, the NetworkPolicy YAML
 * (exact flows, merged peers, DNS, namespaces, external blocks), the store
 * round trip and the Falco alert. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "segment/nftnl.h"
#include "segment/segment.h"
#include "test.h"

static seg_graph *topology(void)
{
    seg_graph *g = seg_graph_new(0, 0);
    comb_err err;
    const char text[] = "group frontend addr=10.0.0.1 mode=protect\n"
                        "group backend addr=10.0.0.2 mode=protect\n"
                        "group database addr=10.0.0.3 mode=protect\n"
                        "group other ns=ops labels=app=other addr=10.0.1.9\n"
                        "group ext:93.184.216.0/24 kind=external\n"
                        "flow frontend backend tcp/8080\n"
                        "flow backend database tcp/5432\n"
                        "flow other backend tcp/8080\n"
                        "flow backend ext:93.184.216.0/24 tcp/443\n"
                        "flow frontend database udp/9000\n";
    CHECK_INT(seg_flowfile_parse("topology", text, sizeof text - 1, g, &err), COMB_OK);
    return g;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_nft(void)
{
    seg_graph *g = topology();
    char *t = seg_policy_nft(g, SEG_FAMILY_BRIDGE);
    CHECK(t != NULL);
    CHECK(strstr(t, "table bridge comb_segment {") == t);
    CHECK(strstr(t, "10.0.0.1 . 10.0.0.2 . tcp . 8080") != NULL);
    CHECK(strstr(t, "10.0.0.2 . 10.0.0.3 . tcp . 5432") != NULL);
    CHECK(strstr(t, "10.0.1.9 . 10.0.0.2 . tcp . 8080") != NULL); /* dst protected */
    CHECK(strstr(t, "10.0.0.1 . 10.0.0.3 . udp . 9000") != NULL);
    CHECK_INT(count(t, " . tcp . ") + count(t, " . udp . "), 4);
    CHECK(strstr(t, "10.0.0.1 . 10.0.0.3 . tcp") == NULL); /* never observed */
    CHECK(strstr(t, "\t\t\t10.0.1.9\n") == NULL);           /* not protected */
    CHECK(strstr(t, "@allow accept") != NULL);
    CHECK(strstr(t, "ct state") == NULL);
    free(t);
    /* quarantine: the group's flows leave @allow, its address enters @quarantine */
    uint32_t be;
    seg_graph_find_group(g, "backend", &be);
    seg_graph_group_at(g, be)->quarantined = 1;
    snprintf(seg_graph_group_at(g, be)->qallow, sizeof seg_graph_group_at(g, be)->qallow,
             "10.9.9.9");
    t = seg_policy_nft(g, SEG_FAMILY_INET);
    CHECK(strstr(t, "table inet comb_segment {") == t);
    CHECK(strstr(t, "ct state established,related accept") != NULL);
    CHECK(strstr(t, "10.0.0.1 . 10.0.0.2 . tcp . 8080") == NULL);
    CHECK(strstr(t, "set quarantine {\n\t\ttype ipv4_addr\n\t\telements = {\n\t\t\t10.0.0.2\n") != NULL);
    CHECK(strstr(t, "10.0.0.2 . 10.9.9.9") != NULL);
    /* the number of rules does not grow with the flows */
    size_t rules = count(strstr(t, "chain filter {"), "\n\t\t");
    for (int i = 0; i < 300; i++) {
        char line[96];
        snprintf(line, sizeof line, "group n%d addr=10.2.%d.%d mode=protect\nflow n%d frontend tcp/%d\n",
                 i, i / 200, i % 200 + 1, i, 1000 + i);
        comb_err err;
        seg_flowfile_parse("more", line, strlen(line), g, &err);
    }
    char *t2 = seg_policy_nft(g, SEG_FAMILY_INET);
    CHECK_INT(count(strstr(t2, "chain filter {"), "\n\t\t"), rules);
    CHECK(rules >= 10 && rules <= 14);
    CHECK(count(t2, " . tcp . ") >= 300);
    free(t);
    free(t2);
    seg_graph_free(g);
}

static void test_delta(void)
{
    seg_graph *g = topology();
    char *a = seg_policy_nft(g, SEG_FAMILY_BRIDGE);
    char *same = seg_nft_delta(SEG_FAMILY_BRIDGE, a, a);
    CHECK(same && !*same);
    free(same);
    uint32_t db;
    seg_graph_find_group(g, "database", &db);
    seg_graph_group_at(g, db)->quarantined = 1;
    char *b = seg_policy_nft(g, SEG_FAMILY_BRIDGE);
    char *d = seg_nft_delta(SEG_FAMILY_BRIDGE, a, b);
    CHECK(d != NULL);
    CHECK(strstr(d, "delete element bridge comb_segment allow { 10.0.0.1 . 10.0.0.3 . udp . 9000, "
                    "10.0.0.2 . 10.0.0.3 . tcp . 5432 }\n") != NULL);
    CHECK(strstr(d, "add element bridge comb_segment quarantine { 10.0.0.3 }\n") != NULL);
    CHECK(strstr(d, "delete element") < strstr(d, "add element"));
    free(d);
    /* another family or layout: no delta, a full replace */
    char *c = seg_policy_nft(g, SEG_FAMILY_INET);
    CHECK(seg_nft_delta(SEG_FAMILY_BRIDGE, a, c) == NULL);
    CHECK(seg_nft_delta(SEG_FAMILY_BRIDGE, "", b) == NULL);
    char *diff = seg_policy_diff(a, b);
    CHECK(strstr(diff, "- 10.0.0.2 . 10.0.0.3 . tcp . 5432\n") != NULL);
    CHECK(strstr(diff, "+ 10.0.0.3\n") != NULL);
    char *none = seg_policy_diff(a, a);
    CHECK(none && !*none);
    free(none);
    free(diff);
    free(a);
    free(b);
    free(c);
    seg_graph_free(g);
}

static void test_nftnl_key(void)
{
    unsigned char k[SEG_NFTNL_KEY_MAX];
    size_t n;
    CHECK_INT(seg_nftnl_key("10.0.0.1 . 10.0.0.2 . tcp . 8080", k, &n), 0);
    CHECK_INT(n, 16);
    const unsigned char want[16] = { 10, 0, 0, 1, 10, 0, 0, 2, 6, 0, 0, 0, 0x1f, 0x90, 0, 0 };
    CHECK(!memcmp(k, want, 16));
    CHECK_INT(seg_nftnl_key("10.0.0.3", k, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(seg_nftnl_key("10.0.0.3 . 10.0.0.4", k, &n), 0);
    CHECK_INT(n, 8);
    CHECK_INT(seg_nftnl_key("10.0.0.1 . 10.0.0.2 . udp . 53", k, &n), 0);
    CHECK_INT(k[8], 17);
    CHECK_INT(k[13], 53);
    CHECK_INT(seg_nftnl_key("", k, &n), -1);
    CHECK_INT(seg_nftnl_key("10.0.0.1 . x", k, &n), -1);
    CHECK_INT(seg_nftnl_key("1 . 2 . 3 . 4 . 5", k, &n), -1);
    CHECK_INT(seg_nftnl_key("10.0.0.1 . 70000", k, &n), -1);
}

static void test_k8s(void)
{
    seg_graph *g = topology();
    char *y = seg_policy_k8s(g);
    CHECK(y != NULL);
    /* one policy per workload group, none for the external block */
    CHECK_INT(count(y, "kind: NetworkPolicy\n"), 4);
    CHECK(strstr(y, "name: \"comb-frontend\"") != NULL);
    CHECK(strstr(y, "ext:") == NULL);
    /* backend: ingress from frontend and from other (another namespace) on
     * the same port: one rule, two peers */
    const char *be = strstr(y, "name: \"comb-backend\"");
    const char *be_end = strstr(be, "---");
    CHECK(be != NULL);
    const char *ing = strstr(be, "  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n"
                                 "          \"app\": \"frontend\"\n    - namespaceSelector:\n");
    CHECK(ing != NULL && (!be_end || ing < be_end));
    CHECK(strstr(be, "\"kubernetes.io/metadata.name\": \"ops\"") != NULL);
    CHECK(strstr(be, "          \"app\": \"other\"\n    ports:\n    - protocol: TCP\n      port: 8080\n") != NULL);
    /* egress to the external block as an ipBlock, and DNS */
    CHECK(strstr(be, "    - ipBlock:\n        cidr: \"93.184.216.0/24\"\n    ports:\n"
                     "    - protocol: TCP\n      port: 443\n") != NULL);
    CHECK(strstr(be, "  - ports:  # DNS\n    - protocol: UDP\n      port: 53\n") != NULL);
    /* database receives, sends nothing but DNS */
    const char *db = strstr(y, "name: \"comb-database\"");
    CHECK(db && strstr(db, "  egress:\n  - ports:  # DNS") != NULL);
    /* frontend: no ingress at all */
    const char *fe = strstr(y, "name: \"comb-frontend\"");
    CHECK(fe && strstr(fe, "  ingress: []\n") != NULL);
    free(y);
    seg_graph_free(g);
}

static void test_store(void)
{
    char path[] = "/tmp/comb-test-segment-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    seg_store *s;
    comb_err err;
    CHECK_INT(seg_store_open(path, &s, &err), COMB_OK);
    seg_graph *g = topology();
    CHECK_INT(seg_store_save(s, g, &err), COMB_OK);
    CHECK_INT(seg_store_set(s, "netns", "sw", &err), COMB_OK);
    CHECK_INT(seg_store_version_add(s, "v1", "", &err), COMB_OK);
    CHECK_INT(seg_store_version_add(s, "v2", "v1", &err), COMB_OK);
    seg_graph *h = seg_graph_new(0, 0);
    CHECK_INT(seg_store_load(s, h, &err), COMB_OK);
    CHECK_INT(seg_graph_ngroups(h), seg_graph_ngroups(g));
    CHECK_INT(seg_graph_nflows(h), seg_graph_nflows(g));
    char *a = seg_policy_nft(g, SEG_FAMILY_BRIDGE), *b = seg_policy_nft(h, SEG_FAMILY_BRIDGE);
    CHECK_STR(a, b);
    free(a);
    free(b);
    char v[32];
    CHECK_INT(seg_store_get(s, "netns", v, sizeof v, &err), COMB_OK);
    CHECK_STR(v, "sw");
    CHECK_INT(seg_store_get(s, "nope", v, sizeof v, &err), COMB_ENOTFOUND);
    long long id;
    char *text, *prev;
    CHECK_INT(seg_store_version_last(s, &id, &text, &prev, &err), COMB_OK);
    CHECK_STR(text, "v2");
    CHECK_STR(prev, "v1");
    free(text);
    free(prev);
    CHECK_INT(seg_store_version_drop(s, id, &err), COMB_OK);
    for (int i = 0; i < SEG_VERSIONS_KEPT + 5; i++)
        CHECK_INT(seg_store_version_add(s, "vN", "vN", &err), COMB_OK);
    int depth = 0;
    while (!seg_store_version_last(s, &id, &text, &prev, &err)) {
        free(text);
        free(prev);
        seg_store_version_drop(s, id, &err);
        depth++;
    }
    CHECK_INT(depth, SEG_VERSIONS_KEPT); /* history is bounded */
    CHECK_INT(seg_store_version_add(s, "v1", "", &err), COMB_OK);
    CHECK_INT(seg_store_version_last(s, &id, &text, &prev, &err), COMB_OK);
    CHECK_STR(text, "v1");
    free(text);
    free(prev);
    seg_graph_free(g);
    seg_graph_free(h);
    seg_store_close(s);
    unlink(path);
}

static void test_alert(void)
{
    seg_group src = { .name = "frontend" }, dst = { .name = "database" };
    seg_alert a = { .ts_ns = 1700000000123456789LL, .src = &src, .dst = &dst,
                    .saddr = htonl(0x0a000001), .daddr = htonl(0x0a000003), .dport = 5432,
                    .proto = 6, .pid = 42, .comm = "python3" };
    char *s = seg_alert_json(&a, "box");
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    CHECK(o != NULL);
    CHECK_STR(json_string_value(json_object_get(o, "time")), "2023-11-14T22:13:20.123456789Z");
    CHECK_STR(json_string_value(json_object_get(o, "priority")), "Warning");
    CHECK_STR(json_string_value(json_object_get(o, "source")), "syscall");
    CHECK_STR(json_string_value(json_object_get(o, "hostname")), "box");
    CHECK_INT(json_object_size(o), 8);
    json_t *f = json_object_get(o, "output_fields");
    CHECK_STR(json_string_value(json_object_get(f, "fd.name")), "10.0.0.1->10.0.0.3:5432");
    CHECK_INT(json_integer_value(json_object_get(f, "proc.pid")), 42);
    CHECK(strstr(json_string_value(json_object_get(o, "output")), "22:13:20.123456789: Warning ") ==
          json_string_value(json_object_get(o, "output")));
    json_decref(o);
    free(s);
    a.blocked = 1;
    s = seg_alert_json(&a, NULL);
    CHECK(strstr(s, "\"priority\":\"Error\"") && strstr(s, "\"comb.segment.action\":\"blocked\""));
    free(s);
}

int main(void)
{
    RUN(test_nft);
    RUN(test_delta);
    RUN(test_nftnl_key);
    RUN(test_k8s);
    RUN(test_store);
    RUN(test_alert);
    return test_summary();
}
