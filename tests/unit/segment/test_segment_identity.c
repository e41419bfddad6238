/* test_segment_identity.c - this process's own network namespace is found
 * as the "host" workload with the cookie the kernel reports for it; the
 * runner learns, alerts on and ignores synthetic learner records resolved
 * through it. Needs root (setns) like the learner itself. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "segment/segment.h"
#include "segment/segment_abi.h"
#include "test.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static uint64_t my_cookie(void)
{
    uint64_t c = 0;
    socklen_t len = sizeof c;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len);
    close(s);
    return c;
}

static int alerts;
static int on_alert(void *ud, const seg_alert *a)
{
    (void)ud;
    alerts++;
    CHECK_STR(a->src->name, "host");
    CHECK_STR(a->dst->name, "ext:93.184.216.0/24");
    CHECK_INT(a->dport, 8443);
    CHECK_INT(a->blocked, 0);
    return 0;
}

static struct seg_record rec(uint64_t cookie, const char *dst, uint16_t port)
{
    struct seg_record r;
    memset(&r, 0, sizeof r);
    r.kind = SEG_REC_CONNECT;
    r.proto = 6;
    r.family = AF_INET;
    r.netns_cookie = cookie;
    inet_pton(AF_INET, dst, &r.daddr);
    r.dport = port;
    r.pid = 1;
    memcpy(r.comm, "curl", 5);
    return r;
}

static void test_host_and_runner(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "  (not root: identity needs setns; skipped)\n");
        return;
    }
    seg_ident *id;
    comb_err err;
    CHECK_INT(seg_ident_new(NULL, &id, &err), COMB_OK);
    uint64_t cookie = my_cookie();
    const seg_netns *ns = seg_ident_cookie(id, cookie);
    CHECK(ns != NULL);
    if (!ns) {
        seg_ident_free(id);
        return;
    }
    CHECK_STR(ns->name, "host");
    CHECK_INT(ns->kind, SEG_KIND_HOST);

    seg_graph *g = seg_graph_new(0, 0);
    seg_runner *r;
    CHECK_INT(seg_runner_new(g, id, 0, &r, &err), COMB_OK);
    struct seg_record x = rec(cookie, "93.184.216.34", 443);
    seg_runner_record(r, &x, on_alert, NULL);
    seg_runner_record(r, &x, on_alert, NULL);
    CHECK_INT(seg_runner_stats(r)->new_flows, 1);
    CHECK_INT(seg_runner_stats(r)->known, 1);
    CHECK_INT(seg_graph_nflows(g), 1);
    struct seg_record lo = rec(cookie, "127.0.0.1", 80);
    seg_runner_record(r, &lo, on_alert, NULL);
    struct seg_record unknown = rec(cookie ^ 0x5a5a5a5a5aULL, "93.184.216.34", 443);
    seg_runner_record(r, &unknown, on_alert, NULL);
    CHECK_INT(seg_runner_stats(r)->ignored, 2);
    /* monitor: a new flow is a violation, alerted once, not learned */
    uint32_t h;
    CHECK_INT(seg_graph_find_group(g, "host", &h), 0);
    seg_graph_group_at(g, h)->mode = SEG_MODE_MONITOR;
    struct seg_record v = rec(cookie, "93.184.216.34", 8443);
    seg_runner_record(r, &v, on_alert, NULL);
    seg_runner_record(r, &v, on_alert, NULL);
    CHECK_INT(alerts, 1);
    CHECK_INT(seg_runner_stats(r)->violations, 2);
    CHECK_INT(seg_graph_nflows(g), 1);
    seg_runner_record(r, &x, on_alert, NULL); /* the learned flow stays allowed */
    CHECK_INT(alerts, 1);
    seg_runner_free(r);

    /* auto-promotion: a learning group quiet for long enough is monitored */
    seg_graph_group_at(g, h)->mode = SEG_MODE_LEARN;
    CHECK_INT(seg_runner_new(g, id, 60, &r, &err), COMB_OK);
    CHECK_INT(seg_runner_promote(r, seg_graph_group_at(g, h)->last_new + 10), 0);
    CHECK_INT(seg_runner_promote(r, seg_graph_group_at(g, h)->last_new + 61), 1);
    CHECK_INT(seg_graph_group_at(g, h)->mode, SEG_MODE_MONITOR);
    seg_runner_free(r);
    seg_graph_free(g);
    seg_ident_free(id);
}

int main(void)
{
    RUN(test_host_and_runner);
    return test_summary();
}
