/* test_segment_graph.c - aggregation (groups, flows, addresses, bounds),
 * the flow-file parser and label syntax, and the runner's decisions on
 * learner records: learn, known, violation, ignored. */
#include <arpa/inet.h>

#include "segment/segment.h"
#include "segment/segment_abi.h"
#include "test.h"

static uint32_t ip(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static void test_aggregation(void)
{
    seg_graph *g = seg_graph_new(0, 0);
    uint32_t a, b, again;
    CHECK_INT(seg_graph_group(g, "web", SEG_KIND_NETNS, &a), 1);
    CHECK_INT(seg_graph_group(g, "db", SEG_KIND_NETNS, &b), 1);
    CHECK_INT(seg_graph_group(g, "web", SEG_KIND_NETNS, &again), 0);
    CHECK_INT(again, a);
    CHECK_INT(seg_graph_flow_add(g, a, b, 6, 5432, 1, 100, "psql"), 1);
    CHECK_INT(seg_graph_flow_add(g, a, b, 6, 5432, 2, 50, "python3"), 0);
    CHECK_INT(seg_graph_flow_add(g, a, b, 6, 5432, 1, 200, "psql"), 0);
    CHECK_INT(seg_graph_flow_add(g, a, b, 17, 5432, 1, 200, NULL), 1); /* another protocol */
    seg_flow *f = seg_graph_flow_find(g, a, b, 6, 5432);
    CHECK(f != NULL);
    CHECK_INT(f->count, 4);
    CHECK_INT(f->first_seen, 50);
    CHECK_INT(f->last_seen, 200);
    CHECK_STR(f->procs, "psql,python3");
    CHECK(seg_graph_flow_find(g, b, a, 6, 5432) == NULL); /* direction matters */
    CHECK_INT(seg_graph_nflows(g), 2);
    CHECK_INT(seg_graph_add_addr(g, b, ip("10.0.0.3")), 0);
    uint32_t owner;
    CHECK_INT(seg_graph_addr_group(g, ip("10.0.0.3"), &owner), 0);
    CHECK_INT(owner, b);
    CHECK_INT(seg_graph_addr_group(g, ip("10.0.0.4"), &owner), -1);
    char ext[64];
    seg_external_name(ip("93.184.216.34"), ext, sizeof ext);
    CHECK_STR(ext, "ext:93.184.216.0/24");
    seg_graph_free(g);
}

static void test_listen(void)
{
    seg_group g;
    memset(&g, 0, sizeof g);
    CHECK_INT(seg_group_listen(&g, 6, 80), 0);
    CHECK_INT(seg_group_listen(&g, 6, 8080), 0);
    CHECK_INT(seg_group_listen(&g, 6, 80), 0);
    CHECK_INT(seg_group_listen(&g, 17, 80), 0);
    CHECK_STR(g.listening, "tcp/80,tcp/8080,udp/80");
    int full = 0;
    for (int p = 1000; p < 1100; p++)
        full |= seg_group_listen(&g, 6, (uint16_t)p) < 0;
    CHECK(full);
    CHECK(strlen(g.listening) < sizeof g.listening);
}

static void test_bounds(void)
{
    seg_graph *g = seg_graph_new(3, 2);
    uint32_t x[4];
    CHECK_INT(seg_graph_group(g, "a", SEG_KIND_NETNS, &x[0]), 1);
    CHECK_INT(seg_graph_group(g, "b", SEG_KIND_NETNS, &x[1]), 1);
    CHECK_INT(seg_graph_group(g, "c", SEG_KIND_NETNS, &x[2]), 1);
    CHECK_INT(seg_graph_group(g, "d", SEG_KIND_NETNS, &x[3]), -1);
    CHECK_INT(seg_graph_flow_add(g, x[0], x[1], 6, 1, 1, 0, NULL), 1);
    CHECK_INT(seg_graph_flow_add(g, x[0], x[2], 6, 1, 1, 0, NULL), 1);
    CHECK_INT(seg_graph_flow_add(g, x[1], x[2], 6, 1, 1, 0, NULL), -1);
    CHECK_INT(seg_graph_flow_add(g, x[0], x[1], 6, 1, 1, 0, NULL), 0); /* known: still counted */
    CHECK_INT(seg_graph_refused(g), 2);
    for (int i = 0; i < SEG_MAX_ADDRS; i++)
        CHECK_INT(seg_graph_add_addr(g, x[0], htonl(0x0a000001u + (uint32_t)i)), 0);
    CHECK_INT(seg_graph_add_addr(g, x[0], htonl(0x0b000001u)), -1);
    seg_graph_free(g);
}

static void test_many(void)
{
    seg_graph *g = seg_graph_new(0, 0);
    char name[32];
    uint32_t idx[2000];
    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof name, "w%d", i);
        CHECK_INT(seg_graph_group(g, name, SEG_KIND_POD, &idx[i]), 1);
        seg_graph_add_addr(g, idx[i], htonl(0x0a640000u + (uint32_t)i));
    }
    for (int i = 0; i < 20000; i++)
        seg_graph_flow_add(g, idx[i % 2000], idx[(i * 7 + 1) % 2000], 6, (uint16_t)(80 + i % 5), 1,
                           i, NULL);
    size_t n = seg_graph_nflows(g);
    seg_graph_sort_flows(g);
    CHECK_INT(seg_graph_nflows(g), n);
    for (size_t i = 0; i < n; i++) { /* the index still finds every flow after sorting */
        seg_flow *f = seg_graph_flow_at(g, i);
        CHECK(seg_graph_flow_find(g, f->src, f->dst, f->proto, f->dport) == f);
    }
    uint32_t owner;
    CHECK_INT(seg_graph_addr_group(g, htonl(0x0a640000u + 1234), &owner), 0);
    CHECK_INT(owner, idx[1234]);
    seg_graph_free(g);
}

static void test_flowfile(void)
{
    seg_graph *g = seg_graph_new(0, 0);
    comb_err err;
    const char ok[] = "# comment\n"
                      "group web kind=pod ns=shop labels=tier=front,app=web addr=10.1.0.1 mode=protect\n"
                      "group db addr=10.1.0.2\n"
                      "flow web db tcp/5432 count=7\n"
                      "\n"
                      "flow web api udp/53\n";
    CHECK_INT(seg_flowfile_parse("t", ok, sizeof ok - 1, g, &err), COMB_OK);
    uint32_t w, d, a;
    CHECK_INT(seg_graph_find_group(g, "web", &w), 0);
    CHECK_INT(seg_graph_find_group(g, "db", &d), 0);
    CHECK_INT(seg_graph_find_group(g, "api", &a), 0);
    seg_group *gw = seg_graph_group_at(g, w);
    CHECK_STR(gw->labels, "app=web,tier=front");
    CHECK_STR(gw->ns, "shop");
    CHECK_INT(gw->kind, SEG_KIND_POD);
    CHECK_INT(gw->mode, SEG_MODE_PROTECT);
    CHECK_INT(seg_graph_flow_find(g, w, d, 6, 5432)->count, 7);
    CHECK(seg_graph_flow_find(g, w, a, 17, 53) != NULL);
    const char *bad[] = {
        "flow a b tcp/0\n", "flow a b tcp/65536\n", "flow a b icmp/1\n", "flow a b tcp\n",
        "flow a\n", "group x addr=300.1.1.1\n", "group x labels=-bad=1\n", "group x mode=off\n",
        "group x kind=vm\n", "frob\n", "flow a b tcp/1 count=0\n", "group x labels=a=1,a=2\n",
        "group x foo=bar\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_code rc = seg_flowfile_parse("bad.flows", bad[i], strlen(bad[i]), g, &err);
        CHECK(rc == COMB_EFORMAT);
        CHECK(strstr(err.msg, "bad.flows: line 1") != NULL);
    }
    char nul[] = "group a\0b\n";
    CHECK_INT(seg_flowfile_parse("nul", nul, sizeof nul - 1, g, &err), COMB_EFORMAT);
    seg_graph_free(g);
}

static void test_labels(void)
{
    char out[SEG_LABELS_MAX];
    CHECK_INT(seg_labels_canon("b=2,a=1", out, sizeof out), 0);
    CHECK_STR(out, "a=1,b=2");
    CHECK_INT(seg_labels_canon("app.kubernetes.io/name=web", out, sizeof out), 0);
    CHECK_INT(seg_labels_canon("", out, sizeof out), 0);
    CHECK_STR(out, "");
    CHECK_INT(seg_labels_canon("a=", out, sizeof out), 0); /* empty value is valid */
    CHECK_INT(seg_labels_canon("a", out, sizeof out), -1);
    CHECK_INT(seg_labels_canon("a=1,", out, sizeof out), -1);
    CHECK_INT(seg_labels_canon("Bad_Prefix/x=1", out, sizeof out), -1);
    CHECK_INT(seg_labels_canon("a=-x", out, sizeof out), -1);
    char big[200];
    memset(big, 'a', sizeof big - 3);
    memcpy(big + sizeof big - 3, "=1", 3);
    CHECK_INT(seg_labels_canon(big, out, sizeof out), -1); /* name longer than 63 */
}

int main(void)
{
    RUN(test_aggregation);
    RUN(test_listen);
    RUN(test_bounds);
    RUN(test_many);
    RUN(test_flowfile);
    RUN(test_labels);
    return test_summary();
}
